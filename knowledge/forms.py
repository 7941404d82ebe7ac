"""Forms of the agent's knowledge-base desk: write an article, decide on it, link it to a ticket."""

from __future__ import annotations

from functools import partial

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import visible
from knowledge.authoring import TAG_MAX_CHARS, unusable_tags
from knowledge.models import Article, ArticleStatus, Language, Visibility
from tickets.forms import ServiceErrorsMixin
from tickets.models import Category

MAX_TAGS = 10


def _categories():
    return Category.objects.filter(is_active=True).select_related("parent").order_by("parent__name", "name")


class ArticleForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Give the article a title.")}
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences shown in search results."),
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 16}),
        error_messages={"required": _("Write the text of the article.")},
        help_text=_("Markdown is supported."),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False, empty_label=_("None"))
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=600,
        help_text=_("Separated by commas, for example: printer, vpn, 打印机."),
    )
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=Visibility.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=200,
        help_text=_("Optional; shown in the version history."),
    )
    translation_of = forms.ModelChoiceField(
        label=_("Translation of"),
        queryset=None,
        required=False,
        empty_label=_("Not a translation"),
        help_text=_("The same article in another language, if there is one."),
        error_messages={"invalid_choice": _("Choose an article from the list.")},
    )
    # The version the page was drawn from: a save from a stale page is refused, not merged.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user: User, article: Article | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        if article is None:
            del self.fields["note"]
        candidates = visible(user, Article.objects.exclude(status=ArticleStatus.ARCHIVED))
        offered = candidates
        if article is not None:
            # Articles in another language than this one's; a choice sent anyway (the article
            # itself, or one in the language it is changed to) is refused by the service.
            offered = candidates.exclude(language=article.language).exclude(pk=article.pk)
        self.fields["translation_of"].queryset = candidates
        # A callable: the query runs only when the picker is drawn, not for a valid POST.
        self.fields["translation_of"].choices = partial(_articles_by_language, offered)

    def translation_picker(self):
        """The picker drawn with its language groups (tickets/_field.html flattens them)."""
        field = self["translation_of"]
        css = "form-select is-invalid" if field.errors else "form-select"
        return field.as_widget(attrs={"class": css, "aria-describedby": f"{field.auto_id}_help"})

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        names = [name.strip() for name in raw.replace("，", ",").split(",") if name.strip()]
        bad = unusable_tags(names)
        if bad:
            raise forms.ValidationError(
                _("These are not usable tags: %(tags)s. Use letters, digits and hyphens, up to %(max)s characters."),
                params={"tags": ", ".join(bad), "max": TAG_MAX_CHARS},
            )
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(_("At most %(max)s tags."), params={"max": MAX_TAGS})
        return names


def _articles_by_language(articles) -> list:
    """The picker's options: one group per language, titles in alphabetical order (one query)."""
    rows = articles.order_by("language", "title", "pk").values_list("pk", "title", "language")
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, title, language in rows:
        groups.setdefault(language, []).append((pk, title))
    return [("", _("Not a translation"))] + [
        (Language(code).label, groups[code]) for code in Language.values if code in groups
    ]


class DecisionForm(ServiceErrorsMixin, forms.Form):
    """A workflow button: the decision's comment, and the version the decider saw."""

    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RestoreForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ArticleFilterForm(forms.Form):
    """The list's filters; they live in the URL so that a filtered list can be bookmarked."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ArticleStatus.choices]
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any language")), *Language.choices]
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False, empty_label=_("Any category"))
    mine = forms.BooleanField(label=_("Mine only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()


class LinkSearchForm(forms.Form):
    ticket = forms.CharField(max_length=20)
    q = forms.CharField(label=_("Find an article"), required=False, max_length=200)


class LinkForm(forms.Form):
    ticket = forms.CharField(max_length=20)
