"""SLA events the scan records, and escalation rules with their firings.

Calendars, SLA policies and the clocks live in ``tickets.sla``; manual escalations (``Escalation``,
``Vendor``) are part of a ticket's lifecycle and live in ``tickets.models``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.sla.models import SlaTarget


class SlaEventKind(models.TextChoices):
    WARNING = "warning", _("warning")
    BREACH = "breach", _("breach")


class SlaEvent(models.Model):
    """A ticket's SLA clock crossed its warning or due time: recorded once by the scan (escalation/scan.py).

    ``due_at`` is the warning or due time that was crossed. The unique constraint is what makes
    the scan safe to run twice or concurrently: a second insert of the same crossing does nothing.
    """

    # No index of its own: the unique constraint's index begins with the ticket.
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="sla_events", db_index=False
    )
    target = models.CharField(_("target"), max_length=16, choices=SlaTarget.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=SlaEventKind.choices)
    due_at = models.DateTimeField(_("crossed time"))
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("SLA event")
        verbose_name_plural = _("SLA events")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target", "kind", "due_at"], name="sla_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target} on ticket {self.ticket_id}"


class SlaScanMark(models.Model):
    """How far the scan has looked: one row. Deadlines before it (less a margin) are not read again.

    Without it every scan would walk all running clocks that crossed long ago and were recorded
    then (their due times stay set while the clock runs). Losing the row costs one full scan.
    """

    scanned_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"SLA scan up to {self.scanned_until:%Y-%m-%d %H:%M:%S}"


# --- Escalation rules (escalation/rules.py) ----------------------------------------------------


class RuleTrigger(models.TextChoices):
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breach")
    P1_CREATED = "p1_created", _("P1 ticket created")
    REOPENED_N_TIMES = "reopened_n_times", _("Reopened N times")
    UNASSIGNED_FOR_MINUTES = "unassigned_for_minutes", _("Unassigned for N minutes")


# Triggers whose rule needs its number parameter.
COUNTED_TRIGGERS = frozenset({RuleTrigger.REOPENED_N_TIMES, RuleTrigger.UNASSIGNED_FOR_MINUTES})
SLA_TRIGGERS = frozenset({RuleTrigger.SLA_WARNING, RuleTrigger.SLA_BREACH})


class RuleSlaTarget(models.TextChoices):
    ANY = "any", _("any target")
    FIRST_RESPONSE = SlaTarget.FIRST_RESPONSE.value, _("first response")
    RESOLUTION = SlaTarget.RESOLUTION.value, _("resolution")


class EscalationRule(models.Model):
    """When ``trigger`` happens to a ticket, apply the actions once (see RuleFiring and docs/sla.md)."""

    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    trigger = models.CharField(_("trigger"), max_length=32, choices=RuleTrigger.choices)
    threshold = models.PositiveIntegerField(
        _("number"),
        null=True,
        blank=True,
        help_text=_("How many reopenings, or how many minutes without an assignee; only for those triggers."),
    )
    sla_target = models.CharField(
        _("SLA target"),
        max_length=16,
        choices=RuleSlaTarget.choices,
        default=RuleSlaTarget.ANY,
        help_text=_("For SLA warnings and breaches: which clock."),
    )
    move_to_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("move to team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    move_to_tier = models.PositiveSmallIntegerField(
        _("move to tier"),
        null=True,
        blank=True,
        choices=[(1, _("Tier 1")), (2, _("Tier 2")), (3, _("Tier 3"))],
        help_text=_("The first team of that tier, by name, unless the ticket's team is already in it."),
    )
    notify_manager = models.BooleanField(_("notify the team's managers"), default=False)
    raise_priority = models.BooleanField(_("raise the priority one step"), default=False)
    add_tag = models.SlugField(_("add tag"), max_length=50, blank=True, allow_unicode=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(move_to_team__isnull=True) | Q(move_to_tier__isnull=True),
                name="escalation_rule_one_move",
            ),
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gt=0), name="escalation_rule_threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_action(self) -> bool:
        return bool(
            self.move_to_team_id or self.move_to_tier or self.notify_manager or self.raise_priority or self.add_tag
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.move_to_team_id and self.move_to_tier:
            errors["move_to_tier"] = _("Move to a team or to a tier, not both.")
        if self.trigger in COUNTED_TRIGGERS:
            if self.threshold is None:
                errors["threshold"] = _("This trigger needs a number.")
            elif self.threshold <= 0:
                errors["threshold"] = _("The number must be greater than zero.")
        elif self.threshold is not None:
            errors["threshold"] = _("Only “reopened N times” and “unassigned for N minutes” take a number.")
        if not self.has_action:
            errors["__all__"] = _("Choose at least one action.")
        if errors:
            raise ValidationError(errors)


class RuleFiring(models.Model):
    """A rule fired for a ticket: recorded once per rule, ticket and trigger key, so it never fires twice.

    The key is the trigger, with the clock for SLA triggers (``sla_breach:resolution``).
    """

    rule = models.ForeignKey(EscalationRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="firings")
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="rule_firings"
    )
    trigger_key = models.CharField(_("trigger"), max_length=64)
    fired_at = models.DateTimeField(_("fired"))

    class Meta:
        ordering = ["fired_at", "id"]
        verbose_name = _("rule firing")
        verbose_name_plural = _("rule firings")
        constraints = [
            models.UniqueConstraint(fields=["rule", "ticket", "trigger_key"], name="rule_firing_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} on ticket {self.ticket_id} ({self.trigger_key})"
