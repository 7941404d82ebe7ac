"""Every change to business calendars: validated, permission-checked, in one transaction.

``acting_user=None`` means the system (a management command, data migration or demo data).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from escalation.ical import NAME_MAX_LENGTH, holidays_from_ical, read_ical_bytes
from escalation.permissions import require_calendar_manager
from helpdesk.errors import ApplicationError
from tickets.sla.models import BusinessCalendar, Holiday, WorkingInterval
from tickets.sla.working_hours import Interval, working_hours_problems


def _check_acting_user(acting_user: User | None) -> None:
    if acting_user is not None:
        require_calendar_manager(acting_user)


def _check_name(name: str, *, excluding: BusinessCalendar | None = None) -> str:
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the calendar a name."))
    others = BusinessCalendar.objects.filter(name__iexact=name)
    if excluding is not None:
        others = others.exclude(pk=excluding.pk)
    if others.exists():
        raise ApplicationError(_("A calendar named “%(name)s” already exists.") % {"name": name})
    return name


def _check_working_hours(is_24x7: bool, intervals: list[Interval]) -> None:
    problems = working_hours_problems(is_24x7, intervals)
    if problems:
        raise ApplicationError(" ".join(problems), extra={"problems": problems})


def _lock(calendar: BusinessCalendar) -> BusinessCalendar:
    """Re-read under a row lock, so two managers editing hours at once cannot interleave."""
    return BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)


def _replace_intervals(calendar: BusinessCalendar, intervals: list[Interval]) -> None:
    calendar.intervals.all().delete()
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=calendar, weekday=i.weekday, start_time=i.start, end_time=i.end) for i in intervals
    )


@transaction.atomic
def calendar_create(
    name: str,
    time_zone: ZoneInfo | str,
    *,
    is_24x7: bool = False,
    intervals: Iterable[Interval] = (),
    name_zh_hans: str = "",
    acting_user: User | None,
) -> BusinessCalendar:
    _check_acting_user(acting_user)
    intervals = list(intervals)
    name = _check_name(name)
    _check_working_hours(is_24x7, intervals)
    calendar = BusinessCalendar.objects.create(
        name=name, name_zh_hans=name_zh_hans.strip(), time_zone=time_zone, is_24x7=is_24x7
    )
    _replace_intervals(calendar, intervals)
    return calendar


@transaction.atomic
def calendar_update(
    calendar: BusinessCalendar,
    *,
    name: str,
    time_zone: ZoneInfo | str,
    is_24x7: bool,
    intervals: Iterable[Interval],
    name_zh_hans: str = "",
    acting_user: User | None,
) -> BusinessCalendar:
    """Replace name, zone and the whole set of working intervals (a 24×7 calendar may keep some)."""
    _check_acting_user(acting_user)
    intervals = list(intervals)
    calendar = _lock(calendar)
    name = _check_name(name, excluding=calendar)
    _check_working_hours(is_24x7, intervals)
    calendar.name, calendar.time_zone, calendar.is_24x7 = name, time_zone, is_24x7
    calendar.name_zh_hans = name_zh_hans.strip()
    calendar.save(update_fields=["name", "name_zh_hans", "time_zone", "is_24x7", "updated_at"])
    _replace_intervals(calendar, intervals)
    return calendar


def _touch(calendar: BusinessCalendar) -> None:
    # Holidays change the calendar's arithmetic: bump updated_at so cached specs are rebuilt.
    calendar.updated_at = timezone.now()
    calendar.save(update_fields=["updated_at"])


@transaction.atomic
def holiday_add(
    calendar: BusinessCalendar, day: date, name: str, *, name_zh_hans: str = "", acting_user: User | None
) -> Holiday:
    _check_acting_user(acting_user)
    calendar = _lock(calendar)
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the holiday a name."))
    if calendar.holidays.filter(date=day).exists():
        raise ApplicationError(_("%(date)s is already a holiday in this calendar.") % {"date": day.isoformat()})
    holiday = Holiday.objects.create(
        calendar=calendar,
        date=day,
        name=name[:NAME_MAX_LENGTH],
        name_zh_hans=name_zh_hans.strip()[:NAME_MAX_LENGTH],
    )
    _touch(calendar)
    return holiday


@transaction.atomic
def holiday_remove(holiday: Holiday, *, acting_user: User | None) -> None:
    _check_acting_user(acting_user)
    calendar = _lock(holiday.calendar)
    Holiday.objects.filter(pk=holiday.pk).delete()
    _touch(calendar)


@transaction.atomic
def import_holidays(calendar: BusinessCalendar, file, *, acting_user: User | None = None) -> int:
    """Add the all-day events of an iCalendar file as holidays; returns how many dates were new.

    Dates the calendar already has keep their name, so importing the same file twice adds nothing.
    """
    _check_acting_user(acting_user)
    found = holidays_from_ical(read_ical_bytes(file), today=timezone.localdate(timezone=calendar.time_zone))
    calendar = _lock(calendar)
    existing = set(calendar.holidays.filter(date__in=list(found)).values_list("date", flat=True))
    new = [
        Holiday(calendar=calendar, date=day, name=name) for day, name in sorted(found.items()) if day not in existing
    ]
    Holiday.objects.bulk_create(new)
    if new:
        _touch(calendar)
    return len(new)
