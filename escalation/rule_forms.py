"""The escalation rule form; the model's ``clean`` holds the rules (shared with escalation.rule_services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from escalation.models import EscalationRule


class RuleForm(forms.ModelForm):
    class Meta:
        model = EscalationRule
        fields = [
            "name",
            "trigger",
            "threshold",
            "sla_target",
            "move_to_team",
            "move_to_tier",
            "notify_manager",
            "raise_priority",
            "add_tag",
        ]
        error_messages = {"name": {"required": _("Give the rule a name.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, so teams added since start-up are offered.
        self.fields["move_to_team"].queryset = Team.objects.order_by("tier", "name")
        self.fields["move_to_team"].empty_label = _("Do not move to a team")
        self.fields["move_to_tier"].choices = [
            ("", _("Do not move to a tier")),
            *self.fields["move_to_tier"].choices[1:],
        ]

    def add_service_errors(self, errors: dict) -> None:
        for field, messages in errors.items():
            for message in messages if isinstance(messages, list) else [messages]:
                self.add_error(field if field in self.fields else None, message)
