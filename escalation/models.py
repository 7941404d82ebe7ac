"""Business calendars: when the desk counts time for SLAs.

Changes go through ``escalation.services``; the arithmetic lives in ``escalation.business_time``.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from timezone_field import TimeZoneField

from escalation.working_hours import Interval, format_interval, working_hours_problems


class BusinessCalendar(models.Model):
    """A time zone, weekly working hours and holidays; a 24×7 calendar counts every minute."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = TimeZoneField(
        _("time zone"),
        default="UTC",
        use_pytz=False,
        help_text=_("Working hours and holidays are read in this time zone."),
    )
    is_24x7 = models.BooleanField(
        _("open 24×7"),
        default=False,
        help_text=_("Every minute counts: working hours and holidays are ignored."),
    )
    # Bumped by every change (holidays and hours included), so a computed CalendarSpec can be
    # cached under (id, updated_at) and never goes stale.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class WorkingInterval(models.Model):
    """One stretch of working time on one weekday; ``end_time`` 00:00 means 24:00."""

    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=sorted(WEEKDAYS.items()))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"), help_text=_("00:00 means midnight at the end of the day (24:00)."))

    class Meta:
        ordering = ["calendar", "weekday", "start_time"]
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="working_interval_weekday_valid"),
            models.CheckConstraint(
                condition=Q(end_time=time(0)) | Q(end_time__gt=F("start_time")),
                name="working_interval_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {format_interval(self.as_interval())}"

    def as_interval(self) -> Interval:
        return Interval(self.weekday, self.start_time, self.end_time)

    def clean(self) -> None:
        # Only what this row can know by itself: overlaps and "at least one interval" depend on
        # the whole set being saved together, which the services and the admin formset check.
        if self.start_time is not None and self.end_time is not None and self.weekday is not None:
            problems = working_hours_problems(True, [self.as_interval()])
            if problems:
                raise ValidationError(problems)


class Holiday(models.Model):
    """A whole local date on which no business time is counted."""

    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_calendar_date_unique")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class SlaPolicy(models.Model):
    """Targets for a kind of ticket; the first active policy (by ``position``) whose conditions match applies.

    Empty conditions match everything, so a last policy without conditions is the default.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    position = models.PositiveIntegerField(_("order"), default=0, help_text=_("Lower numbers are tried first."))
    is_active = models.BooleanField(_("active"), default=True)
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("business calendar"), on_delete=models.PROTECT, related_name="policies"
    )
    # Conditions: each list is "any of these"; an empty list does not restrict.
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    types = models.JSONField(_("types"), default=list, blank=True)
    categories = models.ManyToManyField("tickets.Category", verbose_name=_("categories"), blank=True)
    organisations = models.ManyToManyField("accounts.Organisation", verbose_name=_("organisations"), blank=True)
    teams = models.ManyToManyField("accounts.Team", verbose_name=_("teams"), blank=True)
    first_response_minutes = models.PositiveIntegerField(_("first response target (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (business minutes)"))
    warning_percent = models.PositiveSmallIntegerField(
        _("warning at (% of the target)"), default=80, help_text=_("A warning is raised when this share has elapsed.")
    )
    pause_on_pending = models.BooleanField(_("pause while pending (waiting on the requester)"), default=True)
    pause_on_hold = models.BooleanField(_("pause while on hold (waiting on a third party)"), default=False)
    # Bumped by every edit (escalation/policy_services.py); SLA events name the version that applied.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.CheckConstraint(condition=Q(first_response_minutes__gt=0), name="sla_response_target_positive"),
            models.CheckConstraint(condition=Q(resolution_minutes__gt=0), name="sla_resolution_target_positive"),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99), name="sla_warning_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("first response")
    RESOLUTION = "resolution", _("resolution")


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


# --- Manual escalation: vendors and handovers (escalation/escalations.py) ---------------------


class Vendor(models.Model):
    """An outside supplier a ticket can be escalated to, with who to call and under which contract."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contract_reference = models.CharField(_("contract reference"), max_length=100, blank=True)
    contract_notes = models.TextField(_("contract notes"), max_length=5_000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")

    def __str__(self) -> str:
        return self.name


class EscalationQuerySet(models.QuerySet):
    def open(self) -> EscalationQuerySet:
        """Not sent back yet: the coordinator still follows the ticket."""
        return self.filter(returned_at__isnull=True)

    def latest_open(self) -> Escalation | None:
        """The handover the receiving team reads first (templates call it without arguments)."""
        return self.open().select_related("from_team", "to_team", "vendor", "escalated_by").first()


class Escalation(models.Model):
    """A ticket handed to another team or to a vendor, with the handover note that went with it.

    The agent who escalated stays coordinator until it is sent back: they keep seeing and working
    the ticket (tickets/permissions.py) and find it under "escalated by me".
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="escalations"
    )
    from_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("from team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations_out",
    )
    to_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("to team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations_in",
    )
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    vendor_reference = models.CharField(_("vendor's reference"), max_length=100, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        on_delete=models.PROTECT,
        # None: an escalation rule moved the ticket; nobody coordinates it.
        null=True,
        blank=True,
        related_name="escalations_coordinated",
    )
    symptoms = models.TextField(_("symptoms"), max_length=10_000)
    tried = models.TextField(_("what was tried"), max_length=10_000)
    diagnostics = models.TextField(_("diagnostics"), max_length=10_000)
    created_at = models.DateTimeField(_("escalated"))
    returned_at = models.DateTimeField(_("sent back"), null=True, blank=True)
    return_reason = models.TextField(_("reason for sending back"), max_length=5_000, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        indexes = [
            # "Escalated by me" and the coordinator's access: the open ones per person.
            models.Index(
                fields=["escalated_by", "ticket"],
                name="escalation_open_coord_idx",
                condition=Q(returned_at__isnull=True),
            ),
            models.Index(fields=["from_team", "created_at"], name="escalation_from_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_team__isnull=True, vendor__isnull=False) | Q(to_team__isnull=False, vendor__isnull=True),
                name="escalation_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"escalation {self.pk} of ticket {self.ticket_id}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    @property
    def receiving_team_id(self) -> int | None:
        """Who may send it back: the team it went to, or for a vendor the team that still holds it."""
        return self.to_team_id or self.from_team_id
