"""When a plan's runs fall: pure functions over the plan's schedule fields, in the team's time zone.

A schedule is read in local wall-clock time ("Monday 09:00 in Europe/Berlin") and every result
is an aware datetime in UTC, the way runs are stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError
from django.conf import settings

from maintenance.models import MaintenancePlan, ScheduleKind

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)


def plan_zone(plan: MaintenancePlan) -> ZoneInfo:
    """The team's time zone (accounts.Team.time_zone), else the installation's."""
    zone = plan.team.time_zone if plan.team_id else None
    if isinstance(zone, ZoneInfo):
        return zone
    return ZoneInfo(str(zone) if zone else settings.TIME_ZONE)


def cron_error(expression: str) -> str | None:
    """Why ``expression`` is not a usable cron expression, or None when it is."""
    try:
        next(CronSim(expression, dt.datetime(2000, 1, 1, tzinfo=UTC)))
    except (CronSimError, StopIteration, ValueError) as error:
        return str(error) or "invalid"
    return None


def _floor_minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def earliest(plan: MaintenancePlan) -> dt.datetime:
    """No run before the plan's first day, nor before the plan existed (its minute counts)."""
    zone = plan_zone(plan)
    start = dt.datetime.combine(plan.starts_on, dt.time(0, 0), tzinfo=zone).astimezone(UTC)
    if plan.created_at:
        start = max(start, _floor_minute(plan.created_at.astimezone(UTC)))
    return start


def _weekly_at(plan: MaintenancePlan, day: dt.date, zone: ZoneInfo) -> dt.datetime | None:
    """The run on local date ``day``, if the every-N-weeks schedule has one that day."""
    if day.weekday() != plan.weekday:
        return None
    first_week = plan.starts_on - dt.timedelta(days=plan.starts_on.weekday())
    weeks = (day - first_week).days // 7
    if weeks < 0 or weeks % max(plan.every_weeks, 1):
        return None
    return dt.datetime.combine(day, plan.at_time, tzinfo=zone).astimezone(UTC)


def occurrences_after(plan: MaintenancePlan, after: dt.datetime) -> Iterator[dt.datetime]:
    """Run times strictly after ``after``, in order (UTC)."""
    zone = plan_zone(plan)
    after = max(after, earliest(plan) - dt.timedelta(microseconds=1)).astimezone(UTC)
    if plan.schedule_kind == ScheduleKind.CRON:
        for moment in CronSim(plan.cron, after.astimezone(zone)):
            yield moment.astimezone(UTC)
        return
    day = after.astimezone(zone).date()
    # A valid weekly schedule has a run within every_weeks weeks; the limit only guards against
    # a row edited outside the services (a weekday out of range) spinning forever.
    empty_days = 0
    while empty_days <= 7 * 53:
        moment = _weekly_at(plan, day, zone)
        if moment is not None and moment > after:
            empty_days = 0
            yield moment
        else:
            empty_days += 1
        day += dt.timedelta(days=1)


def latest_occurrence(plan: MaintenancePlan, now: dt.datetime) -> dt.datetime | None:
    """The last run time at or before ``now`` (None before the plan's first run)."""
    zone = plan_zone(plan)
    floor = earliest(plan)
    moment: dt.datetime | None = None
    if plan.schedule_kind == ScheduleKind.CRON:
        # cronsim's reverse walk starts strictly before its start: start one minute after now's.
        start = (_floor_minute(now) + MINUTE).astimezone(zone)
        moment = next(iter(CronSim(plan.cron, start, reverse=True)), None)
        moment = moment.astimezone(UTC) if moment else None
    else:
        day = now.astimezone(zone).date()
        for _ in range(7 * max(plan.every_weeks, 1) + 1):
            candidate = _weekly_at(plan, day, zone)
            if candidate is not None and candidate <= now:
                moment = candidate
                break
            day -= dt.timedelta(days=1)
    if moment is None or moment < floor or moment > now:
        return None
    return moment


def next_runs(plan: MaintenancePlan, after: dt.datetime, count: int) -> list[dt.datetime]:
    """The next ``count`` run times after ``after`` (UTC)."""
    runs: list[dt.datetime] = []
    for moment in occurrences_after(plan, after):
        runs.append(moment)
        if len(runs) >= count:
            break
    return runs
