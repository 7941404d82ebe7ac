from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.errors import ApplicationError
from tickets.models import Category, Impact, ResolutionCode, Status, Urgency


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ServiceErrorsMixin:
    """Show a service's refusal on the field it names, or on the form."""

    def add_service_error(self, error: ApplicationError) -> None:
        field = error.extra.get("field")
        self.add_error(field if field in self.fields else None, str(error.message))


class SubmitForm(ServiceErrorsMixin, forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, what you expected, and any error message. Markdown is supported."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True).select_related("parent").order_by("parent__name", "name"),
        required=False,
        empty_label=_("I don't know"),
    )
    impact = forms.TypedChoiceField(
        label=_("Who is affected?"),
        choices=Impact.choices,
        coerce=int,
        initial=Impact.PERSON,
        widget=forms.RadioSelect,
    )
    urgency = forms.TypedChoiceField(
        label=_("How urgent is it?"),
        choices=Urgency.choices,
        coerce=int,
        initial=Urgency.DEGRADED,
        widget=forms.RadioSelect,
    )
    attachments = MultipleFileField(label=_("Attachments"))


class GuestSubmitForm(SubmitForm):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"))

    field_order = ["name", "email", "subject", "description", "category", "impact", "urgency", "attachments"]


class ReplyForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Attachments"))


class StaffReplyForm(ReplyForm):
    internal = forms.BooleanField(label=_("Internal note (not visible to the requester)"), required=False)


class StatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[(s.value, s.label) for s in (Status.OPEN, Status.PENDING, Status.ON_HOLD)]
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ResolveForm(ServiceErrorsMixin, forms.Form):
    code = forms.ChoiceField(label=_("Resolution code"), choices=ResolutionCode.choices)
    summary = forms.CharField(
        label=_("Resolution summary"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SurveyForm(ServiceErrorsMixin, forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your request?"),
        choices=[(5, _("5 – very good")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 – very poor"))],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
