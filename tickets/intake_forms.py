"""``/agent/new/``: the form an agent fills in while a caller is on the line."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from accounts.permissions import visible
from tickets.forms import MultipleFileField, ServiceErrorsMixin
from tickets.models import Category, Impact, ResolutionCode, Status, TicketType, Urgency, tag_slugs
from tickets.services.intake import CALLER_CHANNELS, START_STATUS_LABELS, START_STATUSES, NewRequester


class NewTicketForm(ServiceErrorsMixin, forms.Form):
    """The requester is picked by e-mail address (the search fills it in); an unknown address
    with a name makes a new requester."""

    requester_email = forms.EmailField(
        label=_("Requester's e-mail address"),
        help_text=_("Type a name or an address to search the people you may see."),
    )
    requester_name = forms.CharField(
        label=_("Requester's name"),
        max_length=200,
        required=False,
        help_text=_("Needed only for someone who is not yet known."),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(channel.value, channel.label) for channel in CALLER_CHANNELS],
        initial=CALLER_CHANNELS[0].value,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the caller told you. Markdown is supported."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True).select_related("parent").order_by("parent__name", "name"),
        required=False,
        empty_label="—",
    )
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices, initial=TicketType.INCIDENT)
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int, initial=Impact.PERSON)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int, initial=Urgency.DEGRADED)
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.order_by("tier", "name"),
        required=False,
        empty_label=_("Service desk (default)"),
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=User.objects.staff().order_by("full_name", "email"),
        required=False,
        empty_label="—",
    )
    tags = forms.CharField(label=_("Tags"), max_length=1000, required=False, help_text=_("Separate tags with commas."))
    status = forms.ChoiceField(
        label=_("Submit as"),
        choices=[(status.value, START_STATUS_LABELS[status]) for status in START_STATUSES],
        initial=Status.NEW.value,
    )
    resolution_code = forms.ChoiceField(
        label=_("Resolution code"), choices=[("", "—"), *ResolutionCode.choices], required=False
    )
    resolution_summary = forms.CharField(
        label=_("Resolution summary"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when submitting as resolved: what the requester is told."),
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_tags(self) -> list[str]:
        return tag_slugs(name for name in re.split(r"[,，、]", self.cleaned_data["tags"] or "") if name.strip())

    def clean(self):
        data = super().clean()
        if data.get("status") == Status.RESOLVED:
            if not data.get("resolution_code"):
                self.add_error("resolution_code", _("Choose a resolution code."))
            if not (data.get("resolution_summary") or "").strip():
                self.add_error("resolution_summary", _("Please summarise the resolution for the requester."))
        email = data.get("requester_email")
        if email:
            known = visible(self.user, User.objects.filter(email__iexact=email, is_active=True)).first()
            if known is not None:
                data["requester"] = known
            elif not (data.get("requester_name") or "").strip():
                self.add_error("requester_name", _("Give the name of this new requester."))
            else:
                data["requester"] = NewRequester(email=email, name=data["requester_name"])
        return data
