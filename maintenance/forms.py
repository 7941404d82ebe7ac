"""The plan form: field types and choices only; the rules live in maintenance.services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.permissions import managed_teams
from maintenance.models import MaintenancePlan
from maintenance.services import PlanValues
from tickets.models import Category


class PlanForm(forms.ModelForm):
    class Meta:
        model = MaintenancePlan
        fields = [
            "title",
            "team",
            "description",
            "checklist",
            "schedule_kind",
            "every_weeks",
            "weekday",
            "at_time",
            "cron",
            "starts_on",
            "hours_allowed",
            "assignee",
            "category",
            "priority",
            "active",
        ]
        widgets = {
            "schedule_kind": forms.RadioSelect,
            "at_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "checklist": forms.Textarea(attrs={"rows": 5}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "title": {"required": _("Give the plan a title.")},
            "team": {"required": _("Choose a team.")},
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form: a manager plans for the teams they manage; an admin for every team.
        self.fields["team"].queryset = managed_teams(user).order_by("tier", "name")
        self.fields["assignee"].queryset = User.objects.filter(
            is_active=True, role__in=[Role.AGENT, Role.MANAGER, Role.ADMIN]
        ).order_by("full_name")
        self.fields["assignee"].empty_label = _("Nobody: the team's queue")
        self.fields["category"].queryset = Category.objects.in_tree_order()
        self.fields["cron"].required = False
        self.fields["starts_on"].required = False
        self.fields["every_weeks"].required = False
        if not self.instance.pk:
            self.initial.setdefault("starts_on", timezone.localdate())

    def values(self) -> PlanValues:
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["cron"] = data["cron"] or ""
        data["description"] = data["description"] or ""
        data["checklist"] = data["checklist"] or ""
        data["every_weeks"] = data["every_weeks"] if data["every_weeks"] is not None else 1
        return PlanValues(**data)

    def add_service_errors(self, errors: dict) -> None:
        for field, messages in errors.items():
            for message in messages if isinstance(messages, list) else [messages]:
                self.add_error(field if field in self.fields else None, message)

    def _post_clean(self):
        # The service validates and saves; the model's own full_clean would only repeat it.
        pass
