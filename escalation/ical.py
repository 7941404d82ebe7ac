"""Reading holidays out of an iCalendar (.ics) file, as published by governments and calendar apps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import icalendar
from dateutil.rrule import rrulestr
from django.utils.translation import gettext as _

from helpdesk.errors import ApplicationError

MAX_FILE_BYTES = 1024 * 1024
# A holiday file lists a few dozen days a year; far more means a wrong file (or a daily RRULE).
MAX_DATES = 5000
# Recurring holidays ("every 25 December") are expanded this many years past the current one.
RECURRENCE_YEARS = 3
NAME_MAX_LENGTH = 200


def read_ical_bytes(file) -> bytes:
    """The uploaded file's content, refusing anything too large to be a holiday list."""
    data = file if isinstance(file, bytes) else file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ApplicationError(_("The holiday file is larger than 1 MB; a holiday list is much smaller."))
    return data


def holidays_from_ical(data: bytes, *, today: date) -> dict[date, str]:
    """Each holiday date in the file with its name: all-day events only, each day of a multi-day one.

    Events with a time of day are not holidays (a meeting, a half-day closure) and are skipped.
    ``today`` bounds open-ended recurring events.
    """
    try:
        parsed = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, UnicodeDecodeError) as error:
        raise ApplicationError(_("This file is not an iCalendar (.ics) file.")) from error
    if parsed.name != "VCALENDAR":
        raise ApplicationError(_("This file is not an iCalendar (.ics) file."))

    horizon = date(today.year + RECURRENCE_YEARS, 12, 31)
    found: dict[date, str] = {}
    for event in parsed.walk("VEVENT"):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        name = (str(event.get("SUMMARY", "")).strip() or _("Holiday"))[:NAME_MAX_LENGTH]
        first = _event_date(event, "DTSTART", name)
        if first is None:
            continue
        for day in _event_dates(event, first, name, horizon):
            found.setdefault(day, name)
            if len(found) > MAX_DATES:
                raise ApplicationError(
                    _("The file holds more than %(count)d holiday dates; is it really a holiday calendar?")
                    % {"count": MAX_DATES}
                )
    return found


def _event_date(event, key: str, name: str) -> date | None:
    """The property's date; None when absent or a date-time (not an all-day event)."""
    if key not in event:
        return None
    try:
        value = event[key].dt
    except (AttributeError, ValueError):  # icalendar keeps unreadable values as "broken" properties
        value = None
    if isinstance(value, datetime):
        return None
    if not isinstance(value, date):
        raise ApplicationError(
            _("The event “%(name)s” has a date that cannot be read: %(value)s.") % {"name": name, "value": event[key]}
        )
    return value


def _event_dates(event, first: date, name: str, horizon: date) -> list[date]:
    length = _length_in_days(event, first, name)
    starts = [first]
    if "RRULE" in event:
        try:
            rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=datetime.combine(first, time()))
        except (ValueError, TypeError) as error:
            raise ApplicationError(
                _("The event “%(name)s” repeats by a rule that cannot be read.") % {"name": name}
            ) from error
        excluded = _excluded_dates(event)
        starts = []
        for count, moment in enumerate(rule):  # lazily: a rule may repeat forever
            if moment.date() > horizon:
                break
            if count >= MAX_DATES:
                raise ApplicationError(_("The event “%(name)s” repeats too often to be a holiday.") % {"name": name})
            if moment.date() not in excluded:
                starts.append(moment.date())
    return [start + timedelta(days=offset) for start in starts for offset in range(length)]


def _length_in_days(event, first: date, name: str) -> int:
    """DTEND is exclusive in iCalendar: 24–26 December is DTSTART 24, DTEND 27."""
    last = _event_date(event, "DTEND", name)
    if last is not None:
        return max((last - first).days, 1)
    if "DURATION" in event:
        duration = getattr(event["DURATION"], "dt", None)
        if isinstance(duration, timedelta):
            return max(duration.days, 1)
    return 1


def _excluded_dates(event) -> set[date]:
    values = event.get("EXDATE", [])
    values = values if isinstance(values, list) else [values]
    excluded = set()
    for value in values:
        for item in getattr(value, "dts", []):
            moment = item.dt
            excluded.add(moment.date() if isinstance(moment, datetime) else moment)
    return excluded
