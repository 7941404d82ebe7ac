"""Writes to escalation rules: create, update, switch on and off. Rules are deactivated, never deleted,
so their firings stay on the tickets' record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from escalation.models import EscalationRule
from escalation.permissions import require_policy_manager
from helpdesk.errors import ApplicationError

FIELDS = (
    "name",
    "trigger",
    "threshold",
    "sla_target",
    "move_to_team",
    "move_to_tier",
    "notify_manager",
    "raise_priority",
    "add_tag",
)


def _validated_save(rule: EscalationRule) -> EscalationRule:
    try:
        rule.full_clean()
    except ValidationError as error:
        errors = {None if field == "__all__" else field: messages for field, messages in error.message_dict.items()}
        raise ApplicationError(_("The rule cannot be saved."), extra={"errors": errors}) from error
    rule.save()
    return rule


@transaction.atomic
def rule_create(*, acting_user: User | None, **values: Any) -> EscalationRule:
    """Rules belong to the whole installation: the people who manage SLA policies manage them."""
    if acting_user is not None:
        require_policy_manager(acting_user)
    now = timezone.now()
    rule = EscalationRule(created_at=now, updated_at=now, **{name: values[name] for name in FIELDS if name in values})
    return _validated_save(rule)


@transaction.atomic
def rule_update(rule: EscalationRule, *, acting_user: User | None, **values: Any) -> EscalationRule:
    if acting_user is not None:
        require_policy_manager(acting_user)
    rule = EscalationRule.objects.select_for_update().get(pk=rule.pk)
    for name in FIELDS:
        if name in values:
            setattr(rule, name, values[name])
    rule.updated_at = timezone.now()
    return _validated_save(rule)


@transaction.atomic
def rule_set_active(rule: EscalationRule, active: bool, *, acting_user: User | None) -> EscalationRule:
    """An inactive rule fires no more; firings already made stay recorded (and are not repeated later)."""
    if acting_user is not None:
        require_policy_manager(acting_user)
    rule = EscalationRule.objects.select_for_update().get(pk=rule.pk)
    rule.is_active = active
    rule.updated_at = timezone.now()
    rule.save(update_fields=["is_active", "updated_at"])
    return rule
