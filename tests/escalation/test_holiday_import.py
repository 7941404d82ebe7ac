"""Importing holidays from iCalendar files, as governments and calendar apps publish them."""

from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from escalation.services import holiday_add, import_holidays
from helpdesk.errors import ApplicationError
from tickets.sla.business_time import cached_calendar_spec


def ics(*events: str) -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:{n}@example.com\r\n{event.strip()}\r\nEND:VEVENT\r\n" for n, event in enumerate(events)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n".encode()


def all_day(day: str, summary: str, end: str | None = None, extra: str = "") -> str:
    lines = [f"DTSTART;VALUE=DATE:{day}", f"SUMMARY:{summary}"]
    if end:
        lines.append(f"DTEND;VALUE=DATE:{end}")
    if extra:
        lines.append(extra)
    return "\r\n".join(lines)


def holidays_of(calendar) -> list[tuple[date, str]]:
    return list(calendar.holidays.order_by("date").values_list("date", "name"))


def test_all_day_events_become_holidays_with_their_names(berlin_office):
    data = ics(all_day("20261225", "Christmas Day", "20261226"), all_day("20261003", "Tag der Deutschen Einheit"))

    count = import_holidays(berlin_office, BytesIO(data))

    assert count == 2
    assert holidays_of(berlin_office) == [
        (date(2026, 10, 3), "Tag der Deutschen Einheit"),
        (date(2026, 12, 25), "Christmas Day"),
    ]


def test_a_multi_day_event_becomes_one_holiday_per_date(berlin_office):
    # DTEND is exclusive: 24–26 December
    count = import_holidays(berlin_office, ics(all_day("20261224", "Christmas closure", "20261227")))

    assert count == 3
    assert [day for day, _ in holidays_of(berlin_office)] == [
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 26),
    ]


def test_a_duration_gives_the_length_of_an_all_day_event(berlin_office):
    count = import_holidays(berlin_office, ics(all_day("20260601", "Shutdown", extra="DURATION:P2D")))

    assert count == 2


def test_events_with_a_time_of_day_are_not_holidays(berlin_office):
    data = ics(
        "DTSTART:20261224T120000Z\r\nDTEND:20261224T170000Z\r\nSUMMARY:Half day",
        all_day("20261225", "Christmas Day"),
    )

    assert import_holidays(berlin_office, data) == 1
    assert holidays_of(berlin_office) == [(date(2026, 12, 25), "Christmas Day")]


def test_cancelled_events_are_skipped(berlin_office):
    assert import_holidays(berlin_office, ics(all_day("20261225", "Christmas Day", extra="STATUS:CANCELLED"))) == 0


def test_importing_the_same_file_twice_adds_nothing(berlin_office):
    data = ics(all_day("20261225", "Christmas Day"), all_day("20261226", "Boxing Day"))

    assert import_holidays(berlin_office, data) == 2
    assert import_holidays(berlin_office, data) == 0
    assert berlin_office.holidays.count() == 2


def test_dates_already_in_the_calendar_keep_their_name(erin, berlin_office):
    holiday_add(berlin_office, date(2026, 12, 25), "Weihnachten", acting_user=erin)

    count = import_holidays(berlin_office, ics(all_day("20261225", "Christmas Day"), all_day("20261226", "Boxing Day")))

    assert count == 1
    assert holidays_of(berlin_office) == [(date(2026, 12, 25), "Weihnachten"), (date(2026, 12, 26), "Boxing Day")]


def test_the_same_date_twice_in_one_file_is_imported_once(berlin_office):
    data = ics(all_day("20261225", "Christmas Day"), all_day("20261225", "Noël"))

    assert import_holidays(berlin_office, data) == 1
    assert holidays_of(berlin_office) == [(date(2026, 12, 25), "Christmas Day")]


@time_machine.travel("2026-06-01 12:00 +00:00", tick=False)
def test_a_yearly_holiday_repeats_until_three_years_after_this_one(berlin_office):
    data = ics(all_day("20241225", "Christmas Day", extra="RRULE:FREQ=YEARLY\r\nEXDATE;VALUE=DATE:20251225"))

    import_holidays(berlin_office, data)

    assert [day for day, _ in holidays_of(berlin_office)] == [
        date(2024, 12, 25),
        date(2026, 12, 25),
        date(2027, 12, 25),
        date(2028, 12, 25),
        date(2029, 12, 25),
    ]


def test_an_uploaded_file_is_read_like_any_file(berlin_office):
    upload = SimpleUploadedFile("feiertage.ics", ics(all_day("20260101", "Neujahr")), content_type="text/calendar")

    assert import_holidays(berlin_office, upload) == 1


def test_the_import_is_seen_by_the_cached_spec(berlin_office):
    assert cached_calendar_spec(berlin_office).holidays == ()

    import_holidays(berlin_office, ics(all_day("20261225", "Christmas Day")))
    berlin_office.refresh_from_db()

    assert cached_calendar_spec(berlin_office).holidays == (date(2026, 12, 25),)


@pytest.mark.parametrize(
    "content",
    [
        b"Date,Name\n2026-12-25,Christmas Day\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"",
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alice\r\nEND:VCARD\r\n",
    ],
    ids=["csv", "png", "empty", "vcard"],
)
def test_a_file_that_is_not_icalendar_is_refused_clearly(berlin_office, content):
    with pytest.raises(ApplicationError) as refused:
        import_holidays(berlin_office, BytesIO(content))

    assert refused.value.message == "This file is not an iCalendar (.ics) file."
    assert not berlin_office.holidays.exists()


def test_an_unreadable_date_is_refused_with_the_event_named(berlin_office):
    with pytest.raises(ApplicationError) as refused:
        import_holidays(berlin_office, ics("DTSTART;VALUE=DATE:2026XX25\r\nSUMMARY:Christmas Day"))

    assert refused.value.message == "The event “Christmas Day” has a date that cannot be read: 2026XX25."


def test_a_file_too_large_for_a_holiday_list_is_refused(berlin_office):
    with pytest.raises(ApplicationError, match="larger than 1 MB"):
        import_holidays(berlin_office, BytesIO(ics(all_day("20261225", "X" * 2_000_000))))


def test_an_endless_daily_rule_is_refused(berlin_office):
    with pytest.raises(ApplicationError) as refused:
        import_holidays(berlin_office, ics(all_day("20000101", "Every day", extra="RRULE:FREQ=DAILY")))

    assert refused.value.message == "The event “Every day” repeats too often to be a holiday."


def test_an_event_lasting_decades_is_refused(berlin_office):
    with pytest.raises(ApplicationError, match="more than 5000 holiday dates"):
        import_holidays(berlin_office, ics(all_day("20000101", "The 2000s", "20200101")))
    assert not berlin_office.holidays.exists()


def test_agents_may_not_import_holidays(carol, berlin_office):
    with pytest.raises(PermissionDenied):
        import_holidays(berlin_office, ics(all_day("20261225", "Christmas Day")), acting_user=carol)
