"""Reads for the calendar pages, already narrowed to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from accounts.models import User
from accounts.permissions import visible
from tickets.sla.models import BusinessCalendar
from tickets.sla.working_hours import format_interval, weekday_name


@dataclass(frozen=True)
class WeekdayHours:
    day: str
    intervals: list[str]


def calendars(user: User) -> QuerySet[BusinessCalendar]:
    return (
        visible(user, BusinessCalendar.objects.all())
        .prefetch_related("intervals")
        .annotate(holiday_count=Count("holidays"))
        .order_by("name")
    )


def weekly_hours(calendar: BusinessCalendar) -> list[WeekdayHours]:
    """Each weekday with its intervals as text ("09:00–12:00"); empty list for a closed day."""
    by_day: dict[int, list[str]] = {weekday: [] for weekday in range(7)}
    for interval in sorted(calendar.intervals.all(), key=lambda i: (i.weekday, i.start_time)):
        by_day[interval.weekday].append(format_interval(interval.as_interval()))
    return [WeekdayHours(weekday_name(weekday), texts) for weekday, texts in by_day.items()]
