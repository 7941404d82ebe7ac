"""Maintenance plans (recurring work on a schedule) and their runs, one maintenance ticket each."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from tickets.models import Category, Priority, Ticket


class ScheduleKind(models.TextChoices):
    WEEKLY = "weekly", _("Every N weeks on a weekday")
    CRON = "cron", _("Cron schedule")


class Weekday(models.IntegerChoices):
    # date.weekday() numbering: Monday is 0.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class MaintenancePlan(models.Model):
    """Recurring work for a team; each occurrence of the schedule opens one maintenance ticket.

    The schedule reads in the team's time zone: "Monday 09:00" stays 09:00 across daylight
    saving time. The rules live in maintenance.services (plan_create / plan_update).
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="maintenance_plans", verbose_name=_("team"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("category")
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.P3)
    active = models.BooleanField(_("active"), default=True)
    checklist = models.TextField(
        _("checklist"), blank=True, help_text=_("One step per line; every step must be ticked before resolving.")
    )
    schedule_kind = models.CharField(
        _("schedule"), max_length=10, choices=ScheduleKind.choices, default=ScheduleKind.WEEKLY
    )
    cron = models.CharField(
        _("cron expression"),
        max_length=100,
        blank=True,
        help_text=_("Minute, hour, day of month, month, day of week; for example “0 9 * * 1” is Mondays at 09:00."),
    )
    every_weeks = models.PositiveSmallIntegerField(_("every N weeks"), default=1)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, default=Weekday.MONDAY)
    at_time = models.TimeField(_("time of day"), default=dt.time(9, 0))
    starts_on = models.DateField(
        _("starts on"), help_text=_("Every N weeks is counted from the week of this date; no run before it.")
    )
    hours_allowed = models.PositiveIntegerField(
        _("hours allowed"), default=24, help_text=_("The run is due this many hours after it opens.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")

    def __str__(self) -> str:
        return self.title

    @property
    def steps(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


class MaintenanceRun(models.Model):
    """One occurrence of a plan's schedule. The unique (plan, scheduled_for) makes "once" true:
    whoever inserts the row opens the ticket, in the same transaction; everyone else inserts nothing.
    """

    plan = models.ForeignKey(MaintenancePlan, on_delete=models.CASCADE, related_name="runs")
    scheduled_for = models.DateTimeField(_("scheduled for"))
    due_at = models.DateTimeField(_("due"))
    ticket = models.OneToOneField(
        Ticket, on_delete=models.PROTECT, null=True, blank=True, related_name="maintenance_run"
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    # Set when the ticket could not be opened (e.g. the team's only agent left): shown as overdue.
    failure = models.TextField(_("failure"), blank=True)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        verbose_name = _("maintenance run")
        verbose_name_plural = _("maintenance runs")
        constraints = [
            models.UniqueConstraint(fields=["plan", "scheduled_for"], name="maintenance_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} @ {self.scheduled_for:%Y-%m-%d %H:%M}"
