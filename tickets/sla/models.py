"""Business calendars and SLA policies: what the SLA clocks on a ticket count against.

Models of the ``tickets`` app (registered through tickets/models.py) whose tables keep their
first names (``escalation_*``): they moved here from the escalation app without a copy of the data.
Calendars and policies change through ``escalation.services`` and ``escalation.policy_services``;
the arithmetic lives in :mod:`tickets.sla.business_time`, the clocks in :mod:`tickets.sla.clocks`.
"""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from timezone_field import TimeZoneField

from helpdesk.names import LocalizedName
from tickets.sla.working_hours import Interval, format_interval, working_hours_problems


class BusinessCalendar(LocalizedName, models.Model):
    """A time zone, weekly working hours and holidays; a 24×7 calendar counts every minute."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_zh_hans = models.CharField(_("Chinese name"), max_length=120, blank=True)
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
        db_table = "escalation_businesscalendar"  # kept from the escalation app (migration 0015)
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.display_name


class WorkingInterval(models.Model):
    """One stretch of working time on one weekday; ``end_time`` 00:00 means 24:00."""

    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=sorted(WEEKDAYS.items()))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"), help_text=_("00:00 means midnight at the end of the day (24:00)."))

    class Meta:
        db_table = "escalation_workinginterval"  # kept from the escalation app (migration 0015)
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


class Holiday(LocalizedName, models.Model):
    """A whole local date on which no business time is counted."""

    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)
    name_zh_hans = models.CharField(_("Chinese name"), max_length=200, blank=True)

    class Meta:
        db_table = "escalation_holiday"  # kept from the escalation app (migration 0015)
        ordering = ["calendar", "date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_calendar_date_unique")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.display_name}"


class SlaPolicy(LocalizedName, models.Model):
    """Targets for a kind of ticket; the first active policy (by ``position``) whose conditions match applies.

    Empty conditions match everything, so a last policy without conditions is the default.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_zh_hans = models.CharField(_("Chinese name"), max_length=120, blank=True)
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
        # xgettext:no-python-format
        _("warning at (% of the target)"),
        default=80,
        help_text=_("A warning is raised when this share has elapsed."),
    )
    pause_on_pending = models.BooleanField(_("pause while pending (waiting on the requester)"), default=True)
    pause_on_hold = models.BooleanField(_("pause while on hold (waiting on a third party)"), default=False)
    # Bumped by every edit (escalation/policy_services.py); SLA events name the version that applied.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "escalation_slapolicy"  # kept from the escalation app (migration 0015)
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
        return self.display_name


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("first response")
    RESOLUTION = "resolution", _("resolution")
