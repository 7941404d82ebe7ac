"""What the knowledge-base API reads and writes.

Output serializers render what the viewer may see: readers (anonymous callers and requesters)
get the article as the public pages show it; staff also get the desk's fields listed in
:data:`STAFF_ONLY_FIELDS`. Input serializers only check shape (lengths, choices, ids); every rule
about the article itself (who may do what, which moves exist, stale versions) is
``knowledge.authoring``'s.
"""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from accounts.permissions import visible
from knowledge.authoring import TAG_MAX_CHARS, allowed_moves, unusable_tags
from knowledge.forms import MAX_TAGS
from knowledge.models import (
    Article,
    ArticleReview,
    ArticleStatus,
    ArticleTicketLink,
    ArticleVersion,
    Language,
    Visibility,
)
from knowledge.reading import current_vote, translations_of
from tickets.models import Category, format_reference
from tickets.serializers import CategoryBriefSerializer, PersonSerializer

# Shown to staff only (context["staff_view"]): the desk's view of an article.
STAFF_ONLY_FIELDS = ("source_ticket", "reuse_count", "allowed_actions", "reviews")

# The API's name for each review decision's action (POST /api/articles/{id}/<action>/).
ACTION_NAMES = {
    "submitted": "submit",
    "approved": "approve",
    "returned": "return",
    "archived": "archive",
    "restored": "unarchive",
}


def _is_staff(context: dict[str, Any]) -> bool:
    return bool(context.get("staff_view"))


# --- output ---------------------------------------------------------------------------------


# Tickets have a "status" too, with other values: left to drf-spectacular, the two choice sets
# would collide on the name "StatusEnum" (a schema warning). The article's gets its own component.
@extend_schema_field(
    {"type": "string", "enum": list(ArticleStatus.values), "description": "draft, in_review, published, archived"},
    component_name="ArticleStatusEnum",
)
class ArticleStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ArticleStatus.choices, **kwargs)


class ArticleSerializer(serializers.ModelSerializer):
    """A row of the article list (no body; tags come from one prefetch for the whole page)."""

    category = CategoryBriefSerializer(read_only=True, allow_null=True)
    author = PersonSerializer(read_only=True)
    reviewer = PersonSerializer(read_only=True, allow_null=True)
    tags = serializers.SerializerMethodField()
    status = ArticleStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    rank = serializers.SerializerMethodField(help_text=_("Search relevance; only with ?q=, null otherwise."))
    snippet = serializers.SerializerMethodField(
        help_text=_("HTML excerpt with the matched words in <mark>; only with ?q=, null otherwise.")
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "summary",
            "status",
            "status_label",
            "visibility",
            "language",
            "category",
            "tags",
            "author",
            "reviewer",
            "version",
            "view_count",
            "helpful_count",
            "unhelpful_count",
            "created_at",
            "updated_at",
            "published_at",
            "rank",
            "snippet",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, article: Article) -> list[str]:
        # .all() reads the prefetch cache; a sorted() here keeps the order stable without a query.
        return sorted(tag.name for tag in article.tags.all())

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_rank(self, article: Article) -> float | None:
        rank = getattr(article, "rank", None)
        return None if rank is None else float(rank)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_snippet(self, article: Article) -> str | None:
        snippet = getattr(article, "snippet", None)
        return None if snippet is None else str(snippet)


class TranslationSerializer(serializers.ModelSerializer):
    status = ArticleStatusField(read_only=True)

    class Meta:
        model = Article
        fields = ["id", "title", "language", "status"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True)

    class Meta:
        model = ArticleReview
        fields = ["id", "decision", "actor", "version", "comment", "created_at"]
        read_only_fields = fields


class ArticleDetailSerializer(ArticleSerializer):
    """One article with its text, translations and counters, as the viewer may see it.

    ``context["staff_view"]`` is True for staff (the desk's view: review history, the ticket it
    was written from, reuse and the actions the viewer may take); readers get the public page's.
    """

    translations = serializers.SerializerMethodField(help_text=_("The other languages of this article you may open."))
    my_vote = serializers.SerializerMethodField(
        help_text=_("Your answer to “was this helpful?”: true, false, or null if you have not voted.")
    )
    source_ticket = serializers.SerializerMethodField(help_text=_("Staff only: the ticket it was written from."))
    reuse_count = serializers.SerializerMethodField(help_text=_("Staff only: tickets the article was linked to."))
    allowed_actions = serializers.SerializerMethodField(
        help_text=_("Staff only: the workflow actions you may take now (submit, approve, return, archive, unarchive).")
    )
    reviews = serializers.SerializerMethodField(help_text=_("Staff only: the review history, newest first."))

    class Meta(ArticleSerializer.Meta):
        fields = [
            *[name for name in ArticleSerializer.Meta.fields if name not in ("rank", "snippet")],
            "body",
            "body_html",
            "translations",
            "my_vote",
            *STAFF_ONLY_FIELDS,
        ]
        read_only_fields = fields

    def to_representation(self, instance: Article) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not _is_staff(self.context):
            for name in STAFF_ONLY_FIELDS:
                data.pop(name, None)
        return data

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    @extend_schema_field(TranslationSerializer(many=True))
    def get_translations(self, article: Article) -> list[dict[str, Any]]:
        siblings = Article.objects.filter(translation_group=article.translation_group).exclude(pk=article.pk)
        if _is_staff(self.context):
            siblings = visible(self._user(), siblings)
        else:
            siblings = translations_of(self._user(), article)
        return TranslationSerializer(siblings.order_by("language"), many=True).data

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_my_vote(self, article: Article) -> bool | None:
        return current_vote(article, user=self._user())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_source_ticket(self, article: Article) -> str | None:
        return format_reference(article.source_ticket_id) if article.source_ticket_id else None

    @extend_schema_field(serializers.IntegerField())
    def get_reuse_count(self, article: Article) -> int:
        return article.ticket_links.count() if _is_staff(self.context) else 0

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, article: Article) -> list[str]:
        if not _is_staff(self.context):
            return []
        return [ACTION_NAMES[move.decision] for move in allowed_moves(self._user(), article)]

    @extend_schema_field(ReviewSerializer(many=True))
    def get_reviews(self, article: Article) -> list[dict[str, Any]]:
        if not _is_staff(self.context):
            return []
        return ReviewSerializer(article.reviews.select_related("actor"), many=True).data


class VersionSerializer(serializers.ModelSerializer):
    editor = PersonSerializer(read_only=True)

    class Meta:
        model = ArticleVersion
        fields = ["number", "title", "summary", "editor", "note", "created_at"]
        read_only_fields = fields


class FieldDiffSerializer(serializers.Serializer):
    label = serializers.CharField()
    changed = serializers.BooleanField()
    html = serializers.CharField(help_text=_("Escaped text with <ins> and <del> around the changes."))


class VersionDetailSerializer(VersionSerializer):
    compared_with = serializers.IntegerField(
        allow_null=True, help_text=_("The version the diff is against (default: the previous one).")
    )
    diff = FieldDiffSerializer(many=True, allow_null=True, help_text=_("Null for the first version."))

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "body", "compared_with", "diff"]
        read_only_fields = fields


class TicketLinkSerializer(serializers.ModelSerializer):
    ticket = serializers.SerializerMethodField(help_text=_("The ticket's reference."))
    subject = serializers.CharField(source="ticket.subject", read_only=True)
    linked_by = PersonSerializer(read_only=True)

    class Meta:
        model = ArticleTicketLink
        fields = ["id", "ticket", "subject", "linked_by", "created_at"]
        read_only_fields = fields

    def get_ticket(self, link: ArticleTicketLink) -> str:
        return format_reference(link.ticket_id)


class VoteResultSerializer(serializers.Serializer):
    my_vote = serializers.BooleanField()
    changed = serializers.BooleanField(help_text=_("False when you had already given this answer."))
    helpful_count = serializers.IntegerField()
    unhelpful_count = serializers.IntegerField()


# --- input ----------------------------------------------------------------------------------

VERSION_HELP = _("The article's version you last read; refused with 409 if someone changed it since.")


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)


class ArticleWriteSerializer(serializers.Serializer):
    """The fields of an article a writer sets; ``partial=True`` for a change."""

    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=100_000)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_CHARS), max_length=MAX_TAGS, required=False, default=list
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PUBLIC)
    language = serializers.ChoiceField(choices=Language.choices, default=Language.EN)

    def validate_tags(self, names: list[str]) -> list[str]:
        # The same rule as the desk's form: a tag must keep something once made a slug.
        bad = unusable_tags(names)
        if bad:
            raise serializers.ValidationError(
                _("These are not usable tags: %(tags)s. Use letters, digits and hyphens.") % {"tags": ", ".join(bad)}
            )
        return names


class ArticleCreateSerializer(ArticleWriteSerializer):
    translation_of = serializers.PrimaryKeyRelatedField(
        queryset=Article.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The id of the article this one translates (another language of the same text)."),
    )
    source_ticket = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The reference of the (resolved) ticket the article is written from, e.g. HD-000123."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Only an article the writer can see on the desk may be translated.
        self.fields["translation_of"].queryset = visible(getattr(request, "user", None), Article.objects.all())


class ArticleUpdateSerializer(ArticleWriteSerializer):
    """Any of the writer's fields (only those sent change), and the version read (required)."""

    version = serializers.IntegerField(min_value=1, help_text=format_lazy("{} {}", _("Required."), VERSION_HELP))
    note = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("What changed; shown in the version history.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not partial=True: that would make the version optional too. A field left out keeps its value.
        for name in ArticleWriteSerializer._declared_fields:
            self.fields[name].required = False
            self.fields[name].default = empty


class DecisionSerializer(VersionedSerializer):
    comment = serializers.CharField(
        max_length=5_000, required=False, allow_blank=True, default="", help_text=_("Required to return an article.")
    )


class RestoreSerializer(VersionedSerializer):
    pass


class VoteSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()


class LinkInputSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=20, help_text=_("The ticket's reference, e.g. HD-000123."))
