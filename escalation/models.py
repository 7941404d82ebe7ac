"""Business calendars: when the desk counts time for SLAs.

Changes go through ``escalation.services``; the arithmetic lives in ``escalation.business_time``.
"""

from __future__ import annotations

from datetime import time

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
