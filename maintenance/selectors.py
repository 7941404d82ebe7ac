"""What the maintenance pages read: plans with their next run, upcoming and overdue runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet

from accounts.models import User
from accounts.permissions import visible
from maintenance.models import MaintenancePlan, MaintenanceRun
from maintenance.schedule import next_runs, plan_zone
from tickets.lifecycle import ACTIVE

UPCOMING_PER_PLAN = 3


@dataclass(frozen=True)
class PlannedRun:
    """A run the schedule will open (computed, not stored)."""

    plan: MaintenancePlan
    scheduled_for: dt.datetime
    due_at: dt.datetime

    @property
    def local_time(self) -> dt.datetime:
        return self.scheduled_for.astimezone(plan_zone(self.plan))


def plans_for(user: User) -> QuerySet[MaintenancePlan]:
    """Plans the user may see, with their team, assignee and last run time: one query."""
    return (
        visible(user, MaintenancePlan.objects.all())
        .select_related("team", "assignee")
        .annotate(last_run_at=Max("runs__scheduled_for"))
        .order_by("-active", "title", "id")
    )


def with_next_run(plans: list[MaintenancePlan], now: dt.datetime) -> list[MaintenancePlan]:
    """Each plan gets ``next_run`` (UTC, None for a paused plan): computed, no queries."""
    for plan in plans:
        upcoming = next_runs(plan, now, 1) if plan.active else []
        plan.next_run = upcoming[0] if upcoming else None
        plan.next_run_local = plan.next_run.astimezone(plan_zone(plan)) if plan.next_run else None
    return plans


def upcoming_runs(
    plans: list[MaintenancePlan], now: dt.datetime, per_plan: int = UPCOMING_PER_PLAN
) -> list[PlannedRun]:
    """The next few runs of each active plan, soonest first."""
    runs = [
        PlannedRun(plan, moment, moment + dt.timedelta(hours=plan.hours_allowed))
        for plan in plans
        if plan.active
        for moment in next_runs(plan, now, per_plan)
    ]
    return sorted(runs, key=lambda run: (run.scheduled_for, run.plan.title))


def overdue_runs(user: User, now: dt.datetime) -> QuerySet[MaintenanceRun]:
    """Runs past due whose ticket is still open, and runs whose ticket could not be opened."""
    plans = visible(user, MaintenancePlan.objects.all())
    return (
        MaintenanceRun.objects.filter(plan__in=plans)
        .filter(Q(ticket__isnull=True) | Q(ticket__status__in=ACTIVE, due_at__lt=now))
        .select_related("plan__team", "ticket__assignee")
        .order_by("due_at", "id")
    )


def plan_runs(plan: MaintenancePlan, limit: int = 50) -> list[MaintenanceRun]:
    """The plan's latest runs with their tickets."""
    return list(plan.runs.select_related("ticket__assignee").order_by("-scheduled_for", "-id")[:limit])
