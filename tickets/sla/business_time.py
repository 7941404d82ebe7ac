"""Business-time arithmetic: plain functions on an immutable :class:`CalendarSpec`.

Rules (docs/sla.md explains them with a worked example):

- Working intervals are wall-clock times in the calendar's zone, half-open ``[start, end)``.
  Each local date gets its weekday's intervals, unless the date is a holiday.
- A wall time that does not exist (spring forward) means the moment the clocks jump; a wall time
  that happens twice (fall back) means its first occurrence. Both keep the wall → UTC mapping
  monotonic, so 09:00–17:00 is always one stretch and a 00:00–24:00 day lasts 23 or 25 hours.
- A 24×7 calendar is plain elapsed time; its holidays are ignored.
- Inputs are aware datetimes in any zone; results are in UTC.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from tickets.sla.models import BusinessCalendar
from tickets.sla.working_hours import Interval, working_hours_problems

ONE_DAY = timedelta(days=1)
ONE_WEEK = timedelta(days=7)
ONE_SECOND = timedelta(seconds=1)

Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class CalendarSpec:
    """What the arithmetic needs to know about a calendar; hashable, picklable, safe to cache.

    ``weekly[weekday]`` holds sorted, disjoint ``(start_second, end_second)`` pairs of local
    wall-clock time (end up to 86 400 = 24:00); ``holidays`` is a sorted tuple of local dates.
    Build it with :func:`calendar_spec` or :meth:`build`.
    """

    time_zone: ZoneInfo
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    holidays: tuple[date, ...] = ()
    is_24x7: bool = False

    @classmethod
    def build(
        cls,
        time_zone: ZoneInfo | str,
        intervals: Iterable[Interval] = (),
        holidays: Iterable[date] = (),
        is_24x7: bool = False,
    ) -> CalendarSpec:
        """Validate and normalise: touching intervals of one day merge into one stretch."""
        intervals = list(intervals)
        problems = working_hours_problems(is_24x7, intervals)
        if problems:
            raise ValueError(" ".join(problems))
        weekly: list[list[tuple[int, int]]] = [[] for _ in range(7)]
        for interval in sorted(intervals, key=lambda i: (i.weekday, i.start_second)):
            day = weekly[interval.weekday]
            if day and day[-1][1] == interval.start_second:
                day[-1] = (day[-1][0], interval.end_second)
            else:
                day.append((interval.start_second, interval.end_second))
        zone = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(time_zone)
        return cls(
            time_zone=zone,
            weekly=tuple(tuple(day) for day in weekly),
            holidays=tuple(sorted(set(holidays))),
            is_24x7=is_24x7,
        )

    @property
    def seconds_per_week(self) -> int:
        """Business seconds of a week without holidays or clock changes."""
        return sum(end - start for day in self.weekly for start, end in day)

    def is_holiday(self, day: date) -> bool:
        index = bisect.bisect_left(self.holidays, day)
        return index < len(self.holidays) and self.holidays[index] == day

    def has_holiday_between(self, first: date, last: date) -> bool:
        """Any holiday in ``[first, last)``."""
        index = bisect.bisect_left(self.holidays, first)
        return index < len(self.holidays) and self.holidays[index] < last


def calendar_spec(calendar: BusinessCalendar) -> CalendarSpec:
    """The spec of a saved calendar: two queries (none for 24×7), none with prefetched relations."""
    if calendar.is_24x7:
        return CalendarSpec.build(calendar.time_zone, is_24x7=True)
    intervals = [interval.as_interval() for interval in calendar.intervals.all()]
    holidays = [holiday.date for holiday in calendar.holidays.all()]
    return CalendarSpec.build(calendar.time_zone, intervals, holidays)


def cached_calendar_spec(calendar: BusinessCalendar) -> CalendarSpec:
    """:func:`calendar_spec`, kept per process under (id, updated_at): every change bumps updated_at."""
    return _spec_by_version(calendar.pk, calendar.updated_at)


@lru_cache(maxsize=256)
def _spec_by_version(pk: int, updated_at: datetime) -> CalendarSpec:
    return calendar_spec(BusinessCalendar.objects.get(pk=pk))


# --- wall clock → UTC -------------------------------------------------------------------------


def _local_to_utc(day: date, second: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of ``second`` seconds after local midnight on ``day`` (86 400 = 24:00)."""
    wall = datetime.combine(day, time()) + timedelta(seconds=second)
    instant = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: first occurrence of a repeated time
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # ``wall`` falls in a spring-forward gap. fold=0 would put it *after* the jump by the gap's
    # length (02:30 → 03:30), which could end an interval before it starts; use the jump itself.
    return _transition_before(wall.replace(tzinfo=zone, fold=1).astimezone(UTC), instant, zone)


def _transition_before(earlier: datetime, later: datetime, zone: ZoneInfo) -> datetime:
    """The instant in ``(earlier, later]`` at which the zone's offset changes (tzdata uses whole seconds)."""
    offset_after = later.astimezone(zone).utcoffset()
    low, high = int(earlier.timestamp()), int(later.timestamp())  # offset differs at low, is offset_after at high
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _offset_at_midnight(day: date, zone: ZoneInfo) -> timedelta | None:
    return datetime.combine(day, time(), tzinfo=zone).utcoffset()


def _day_windows(spec: CalendarSpec, day: date) -> list[Window]:
    """The business windows of one local date as UTC instants; none on a holiday."""
    if spec.is_holiday(day):
        return []
    windows = []
    for start, end in spec.weekly[day.weekday()]:
        opens = _local_to_utc(day, start, spec.time_zone)
        closes = _local_to_utc(day, end, spec.time_zone)
        if closes > opens:  # an interval wholly inside a spring-forward gap lasts nothing
            windows.append((opens, closes))
    return windows


def _is_plain_week(spec: CalendarSpec, first: date) -> bool:
    """True when the week from ``first`` has no holiday and no clock change.

    Then its business time is exactly :attr:`CalendarSpec.seconds_per_week`, and long spans can
    skip it whole. A clock change shows as different offsets at two consecutive local midnights
    (no zone changes its clocks twice within one day).
    """
    if spec.has_holiday_between(first, first + ONE_WEEK):
        return False
    offset = _offset_at_midnight(first, spec.time_zone)
    return all(_offset_at_midnight(first + timedelta(days=n), spec.time_zone) == offset for n in range(1, 8))


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("business-time arithmetic needs aware datetimes")


def _require_working_time(spec: CalendarSpec) -> None:
    if not spec.is_24x7 and spec.seconds_per_week == 0:
        # Without working hours no target is ever reached; the calendar validation forbids it.
        raise ValueError("the calendar has no working hours")


# --- the public functions ---------------------------------------------------------------------


def is_business_time(spec: CalendarSpec, at: datetime) -> bool:
    """Whether ``at`` falls inside a working interval (start included, end excluded)."""
    _require_aware(at)
    if spec.is_24x7:
        return True
    instant = at.astimezone(UTC)
    day = at.astimezone(spec.time_zone).date()
    return any(opens <= instant < closes for opens, closes in _day_windows(spec, day))


def add_business_minutes(spec: CalendarSpec, start: datetime, minutes: int) -> datetime:
    """The moment at which ``minutes`` of business time have elapsed since ``start``, in UTC.

    A start outside working hours counts from the next opening. A target that lands exactly on
    the end of an interval is that end (the work was due by closing time), not the next opening.
    Zero minutes gives the first business moment at or after ``start``.
    """
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    return add_business_seconds(spec, start, minutes * 60)


def add_business_seconds(spec: CalendarSpec, start: datetime, seconds: int) -> datetime:
    """:func:`add_business_minutes` to the second: what an SLA clock resumed mid-minute needs."""
    _require_aware(start)
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    cursor = start.astimezone(UTC)
    if spec.is_24x7:
        return cursor + timedelta(seconds=seconds)
    _require_working_time(spec)

    remaining = timedelta(seconds=seconds)
    week = timedelta(seconds=spec.seconds_per_week)
    day = start.astimezone(spec.time_zone).date()
    while True:
        found = _consume_day(spec, day, cursor, remaining)
        if isinstance(found, datetime):
            return found
        remaining = found
        day += ONE_DAY
        # From here on days are whole. Skip whole weeks while more than a week's worth remains,
        # so the target lies beyond them; holidays and clock changes are walked day by day.
        while remaining > week and _is_plain_week(spec, day):
            remaining -= week
            day += ONE_WEEK


def _consume_day(spec: CalendarSpec, day: date, cursor: datetime, remaining: timedelta) -> datetime | timedelta:
    """Spend ``remaining`` on ``day``'s windows after ``cursor``: the target moment, or what is left."""
    for opens, closes in _day_windows(spec, day):
        if closes <= cursor:
            continue
        opens = max(opens, cursor)
        available = closes - opens
        if remaining <= available:
            return opens + remaining
        remaining -= available
    return remaining


def business_seconds_between(spec: CalendarSpec, start: datetime, end: datetime) -> int:
    """Whole business seconds in ``[start, end)``; 0 when ``end`` is not after ``start``."""
    _require_aware(start, end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)  # aware arithmetic in one zone is wall-clock
    if end <= start:
        return 0
    if spec.is_24x7:
        return (end - start) // ONE_SECOND

    total = timedelta()
    day = start.astimezone(spec.time_zone).date()
    last_day = end.astimezone(spec.time_zone).date()
    week = timedelta(seconds=spec.seconds_per_week)
    first = True
    while day <= last_day:
        # A whole week after the first day and before the last one counts in one step.
        if not first and day + ONE_WEEK <= last_day and _is_plain_week(spec, day):
            total += week
            day += ONE_WEEK
            continue
        for opens, closes in _day_windows(spec, day):
            overlap = min(closes, end) - max(opens, start)
            if overlap > timedelta():
                total += overlap
        day += ONE_DAY
        first = False
    return total // ONE_SECOND


def subtract_business_seconds(spec: CalendarSpec, end: datetime, seconds: int) -> datetime:
    """The latest moment ``seconds`` of business time before ``end``: when an overdue target fell due.

    Found by search over :func:`business_seconds_between`, which only grows as the start moves
    back; whole seconds, like the clocks.
    """
    _require_aware(end)
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    end = end.astimezone(UTC).replace(microsecond=0)
    if spec.is_24x7 or seconds == 0:
        return end - timedelta(seconds=seconds)
    _require_working_time(spec)
    span = timedelta(seconds=seconds)
    while business_seconds_between(spec, end - span, end) < seconds:
        span *= 2
    low, high = timedelta(0), span  # business time back to end - low is < seconds, to end - high >= seconds
    while high - low > timedelta(seconds=1):
        middle = timedelta(seconds=(low + high).total_seconds() // 2)
        if business_seconds_between(spec, end - middle, end) >= seconds:
            high = middle
        else:
            low = middle
    return end - high
