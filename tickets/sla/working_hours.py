"""Weekly working hours: how an interval is written down and which sets of intervals make sense.

An interval is a weekday (0 = Monday … 6 = Sunday) with a start and an end wall-clock time in
the calendar's time zone. ``TimeField`` cannot hold 24:00, and an interval can never end at the
very start of its own day, so an **end of 00:00 means midnight at the end of the day (24:00)**.
Intervals never run past midnight: 22:00–06:00 is written as 22:00–24:00 on one day and
00:00–06:00 on the next, which keeps every interval inside its own date (holidays remove whole
dates, so a night shift before a holiday loses only its part on the holiday).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

SECONDS_PER_DAY = 24 * 3600


@dataclass(frozen=True)
class Interval:
    weekday: int
    start: time
    end: time  # time(0) is 24:00, see the module docstring

    @property
    def start_second(self) -> int:
        return seconds_of(self.start)

    @property
    def end_second(self) -> int:
        return end_seconds_of(self.end)


def seconds_of(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def end_seconds_of(value: time) -> int:
    """Seconds since midnight of an interval's end, reading 00:00 as 24:00."""
    return seconds_of(value) or SECONDS_PER_DAY


def format_clock(value: time, *, is_end: bool = False) -> str:
    """``09:00``; an end of 00:00 reads ``24:00`` so nobody mistakes it for the morning."""
    if is_end and seconds_of(value) == 0:
        return "24:00"
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def format_interval(interval: Interval) -> str:
    return f"{format_clock(interval.start)}–{format_clock(interval.end, is_end=True)}"


def weekday_name(weekday: int) -> str:
    return str(WEEKDAYS.get(weekday, weekday))


def working_hours_problems(is_24x7: bool, intervals: Iterable[Interval]) -> list[str]:
    """Every reason why these working hours cannot be saved; empty when they are fine.

    Used by the services, the manager pages and the admin, so that all say the same thing.
    Intervals that merely touch (09:00–12:00 and 12:00–17:00) are fine; overlapping ones are
    refused because they usually hide a typing mistake and would count the overlap once anyway.
    """
    intervals = list(intervals)
    problems: list[str] = []
    valid: list[Interval] = []
    for interval in intervals:
        if interval.weekday not in range(7):
            problems.append(
                _("%(weekday)s is not a day of the week (0 = Monday … 6 = Sunday).") % {"weekday": interval.weekday}
            )
            continue
        if interval.start_second >= interval.end_second:
            values = {"day": weekday_name(interval.weekday), "interval": format_interval(interval)}
            if interval.start_second == interval.end_second:
                problems.append(_("%(day)s %(interval)s: the start and the end are the same.") % values)
            else:
                problems.append(
                    _(
                        "%(day)s %(interval)s: the start must be before the end. An interval cannot run past "
                        "midnight: enter two intervals instead, e.g. 22:00–24:00 and 00:00–06:00 on the next day."
                    )
                    % values
                )
            continue
        valid.append(interval)

    for weekday in range(7):
        day = sorted((i for i in valid if i.weekday == weekday), key=lambda i: (i.start_second, i.end_second))
        # Compare with the interval reaching furthest so far, so 09–17 vs 12–13 is caught after 10–11.
        reach: Interval | None = None
        for interval in day:
            if reach is not None and interval.start_second < reach.end_second:
                problems.append(
                    _("%(day)s: %(first)s and %(second)s overlap.")
                    % {
                        "day": weekday_name(weekday),
                        "first": format_interval(reach),
                        "second": format_interval(interval),
                    }
                )
            if reach is None or interval.end_second > reach.end_second:
                reach = interval

    if not is_24x7 and not intervals:
        problems.append(_("A calendar that is not open 24×7 needs at least one working interval."))
    return problems
