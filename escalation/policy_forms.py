"""The SLA policy form; it reads input, escalation.policy_services decides whether it can be saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team
from escalation.policy_services import policy_problems
from tickets.models import Category, Priority, TicketType
from tickets.sla.models import BusinessCalendar, SlaPolicy


def _multi_select(rows: int = 5) -> forms.SelectMultiple:
    return forms.SelectMultiple(attrs={"class": "form-select", "size": rows})


def _minutes(label, help_text) -> forms.IntegerField:
    # No min_value: the service's message ("greater than zero") is the one the manager reads.
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": 1}),
        error_messages={"required": _("Give a target in business minutes.")},
    )


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, error_messages={"required": _("Give the policy a name.")})
    name_zh_hans = forms.CharField(label=_("Chinese name"), max_length=120, required=False)
    calendar = forms.ModelChoiceField(
        label=_("Business calendar"),
        queryset=BusinessCalendar.objects.order_by("name"),
        help_text=_("The targets count only this calendar's working time."),
        empty_label=_("Choose a calendar"),
        error_messages={"required": _("Choose the business calendar the targets are counted in.")},
    )
    priorities = forms.TypedMultipleChoiceField(
        label=_("Priorities"), choices=Priority.choices, coerce=int, required=False, widget=_multi_select(4)
    )
    types = forms.MultipleChoiceField(
        label=_("Types"), choices=TicketType.choices, required=False, widget=_multi_select(5)
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"), queryset=Category.objects.none(), required=False, widget=_multi_select(8)
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Requester organisations"), queryset=Organisation.objects.none(), required=False, widget=_multi_select()
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.none(), required=False, widget=_multi_select()
    )
    first_response_minutes = _minutes(
        _("First response target (business minutes)"), _("For example 60 for one hour of working time.")
    )
    resolution_minutes = _minutes(
        _("Resolution target (business minutes)"), _("At least the first-response target; 480 is one 8-hour day.")
    )
    warning_percent = forms.IntegerField(
        label=_("Warn when this share of a target has elapsed (%)"),
        initial=80,
        widget=forms.NumberInput(attrs={"step": 1}),
        help_text=_("From 1 to 99."),
    )
    pause_on_pending = forms.BooleanField(
        label=_("Pause the clocks while the ticket is pending (waiting on the requester)"),
        required=False,
        initial=True,
    )
    pause_on_hold = forms.BooleanField(
        label=_("Pause the clocks while the ticket is on hold (waiting on a third party)"), required=False
    )

    def __init__(self, *args, policy: SlaPolicy | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        # Querysets built per form, so categories or teams added since start-up are offered.
        self.fields["categories"].queryset = Category.objects.select_related("parent").order_by("parent__name", "name")
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")
        self.fields["teams"].queryset = Team.objects.order_by("name")

    @classmethod
    def initial_for(cls, policy: SlaPolicy) -> dict[str, Any]:
        return {
            "name": policy.name,
            "name_zh_hans": policy.name_zh_hans,
            "calendar": policy.calendar_id,
            "priorities": [int(p) for p in policy.priorities],
            "types": list(policy.types),
            "categories": list(policy.categories.values_list("pk", flat=True)),
            "organisations": list(policy.organisations.values_list("pk", flat=True)),
            "teams": list(policy.teams.values_list("pk", flat=True)),
            "first_response_minutes": policy.first_response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "warning_percent": policy.warning_percent,
            "pause_on_pending": policy.pause_on_pending,
            "pause_on_hold": policy.pause_on_hold,
        }

    def clean(self):
        cleaned = super().clean()
        # The services' rules, checked here too so that every problem shows at once; only on
        # fields that read correctly (the others have their error already).
        for field, message in policy_problems(cleaned, excluding=self.policy).items():
            if field in cleaned:
                self.add_error(field, message)
        return cleaned

    def add_service_errors(self, errors: dict[str, str]) -> None:
        """Show the service's refusals under the fields they are about."""
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)
