"""Calendars as saved data: validation, the services, and the spec the arithmetic reads."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from escalation.services import calendar_create, calendar_update, holiday_add, holiday_remove
from helpdesk.errors import ApplicationError
from tests.escalation.conftest import office_hours
from tickets.sla.business_time import add_business_minutes, cached_calendar_spec, calendar_spec
from tickets.sla.models import BusinessCalendar, Holiday, WorkingInterval
from tickets.sla.working_hours import Interval

# --- validation -------------------------------------------------------------------------------


def test_a_calendar_without_working_hours_is_refused(erin):
    with pytest.raises(ApplicationError) as refused:
        calendar_create("Empty", "Europe/Berlin", intervals=[], acting_user=erin)

    assert str(refused.value.message) == "A calendar that is not open 24×7 needs at least one working interval."
    assert not BusinessCalendar.objects.exists()


def test_a_24x7_calendar_needs_no_working_hours(erin):
    calendar = calendar_create("Operations", "UTC", is_24x7=True, acting_user=erin)

    assert calendar.is_24x7
    assert not calendar.intervals.exists()


def test_overlapping_intervals_on_one_day_are_refused_with_both_named(erin):
    intervals = [Interval(0, time(9), time(13)), Interval(0, time(12), time(17))]

    with pytest.raises(ApplicationError) as refused:
        calendar_create("Overlap", "Europe/Berlin", intervals=intervals, acting_user=erin)

    assert refused.value.message == "Monday: 09:00–13:00 and 12:00–17:00 overlap."
    assert not BusinessCalendar.objects.exists()


def test_an_interval_inside_another_is_an_overlap_even_after_a_harmless_one(erin):
    intervals = [Interval(2, time(9), time(17)), Interval(2, time(10), time(11)), Interval(2, time(12), time(13))]

    with pytest.raises(ApplicationError) as refused:
        calendar_create("Nested", "UTC", intervals=intervals, acting_user=erin)

    assert refused.value.extra["problems"] == [
        "Wednesday: 09:00–17:00 and 10:00–11:00 overlap.",
        "Wednesday: 09:00–17:00 and 12:00–13:00 overlap.",
    ]


def test_the_same_hours_on_different_days_do_not_overlap(erin):
    calendar = calendar_create("Weekdays", "UTC", intervals=office_hours(0, 1), acting_user=erin)

    assert calendar.intervals.count() == 2


def test_touching_intervals_are_allowed(erin):
    intervals = [Interval(0, time(9), time(12)), Interval(0, time(12), time(17))]

    calendar = calendar_create("Touching", "UTC", intervals=intervals, acting_user=erin)

    assert calendar.intervals.count() == 2


def test_an_interval_whose_start_is_not_before_its_end_is_refused(erin):
    with pytest.raises(ApplicationError) as same:
        calendar_create("Same", "UTC", intervals=[Interval(0, time(9), time(9))], acting_user=erin)
    with pytest.raises(ApplicationError) as backwards:
        calendar_create("Night", "UTC", intervals=[Interval(0, time(22), time(6))], acting_user=erin)

    assert same.value.message == "Monday 09:00–09:00: the start and the end are the same."
    assert backwards.value.message == (
        "Monday 22:00–06:00: the start must be before the end. An interval cannot run past midnight: "
        "enter two intervals instead, e.g. 22:00–24:00 and 00:00–06:00 on the next day."
    )


def test_an_interval_may_end_at_midnight_written_as_00_00(erin):
    calendar = calendar_create("Late", "UTC", intervals=[Interval(4, time(18), time(0))], acting_user=erin)

    interval = calendar.intervals.get()
    assert interval.end_time == time(0)
    assert str(interval) == "Friday 18:00–24:00"


def test_the_model_clean_refuses_start_after_end():
    interval = WorkingInterval(weekday=0, start_time=time(17), end_time=time(9))

    with pytest.raises(ValidationError, match="the start must be before the end"):
        interval.clean()


def test_the_database_refuses_start_after_end_too(berlin_office):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingInterval.objects.create(calendar=berlin_office, weekday=0, start_time=time(17), end_time=time(9))


def test_calendar_names_are_unique_regardless_of_case(erin, berlin_office):
    with pytest.raises(ApplicationError, match="already exists"):
        calendar_create("berlin OFFICE", "UTC", is_24x7=True, acting_user=erin)


def test_agents_and_requesters_may_not_create_calendars(carol, alice):
    for person in (carol, alice):
        with pytest.raises(PermissionDenied):
            calendar_create("Mine", "UTC", is_24x7=True, acting_user=person)


# --- updating ------------------------------------------------------------------------------------


def test_updating_replaces_the_whole_set_of_intervals(erin, berlin_office):
    intervals = [Interval(0, time(8), time(12)), Interval(0, time(13), time(16))]

    calendar_update(
        berlin_office,
        name="Berlin office",
        time_zone="Europe/Berlin",
        is_24x7=False,
        intervals=intervals,
        acting_user=erin,
    )

    saved = [i.as_interval() for i in berlin_office.intervals.order_by("weekday", "start_time")]
    assert saved == intervals


def test_updating_to_no_hours_is_refused_and_keeps_the_old_hours(erin, berlin_office):
    with pytest.raises(ApplicationError, match="at least one working interval"):
        calendar_update(
            berlin_office,
            name="Berlin office",
            time_zone="Europe/Berlin",
            is_24x7=False,
            intervals=[],
            acting_user=erin,
        )

    assert berlin_office.intervals.count() == 5


def test_agents_may_not_update_calendars(carol, berlin_office):
    with pytest.raises(PermissionDenied):
        calendar_update(berlin_office, name="X", time_zone="UTC", is_24x7=True, intervals=[], acting_user=carol)


# --- holidays ------------------------------------------------------------------------------------------


def test_a_date_can_be_a_holiday_only_once_per_calendar(erin, berlin_office):
    holiday_add(berlin_office, date(2026, 12, 25), "Christmas Day", acting_user=erin)

    with pytest.raises(ApplicationError) as refused:
        holiday_add(berlin_office, date(2026, 12, 25), "Weihnachten", acting_user=erin)

    assert refused.value.message == "2026-12-25 is already a holiday in this calendar."
    assert list(berlin_office.holidays.values_list("name", flat=True)) == ["Christmas Day"]


def test_two_calendars_may_share_a_holiday_date(erin, berlin_office):
    other = calendar_create("Munich", "Europe/Berlin", intervals=office_hours(), acting_user=erin)

    holiday_add(berlin_office, date(2026, 12, 25), "Christmas Day", acting_user=erin)
    holiday_add(other, date(2026, 12, 25), "Christmas Day", acting_user=erin)

    assert Holiday.objects.filter(date=date(2026, 12, 25)).count() == 2


def test_removing_a_holiday_makes_the_day_count_again(erin, berlin_office):
    holiday = holiday_add(berlin_office, date(2026, 6, 11), "Corpus Christi", acting_user=erin)
    berlin_office.refresh_from_db()
    wednesday = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)  # 17:00 Berlin, closing time
    assert add_business_minutes(calendar_spec(berlin_office), wednesday, 60) == datetime(2026, 6, 12, 8, tzinfo=UTC)

    holiday_remove(holiday, acting_user=erin)

    assert add_business_minutes(calendar_spec(berlin_office), wednesday, 60) == datetime(2026, 6, 11, 8, tzinfo=UTC)


# --- the spec built from the database ------------------------------------------------------------------


def test_the_spec_reads_zone_hours_and_holidays_in_two_queries(erin, berlin_office, django_assert_num_queries):
    holiday_add(berlin_office, date(2026, 12, 25), "Christmas Day", acting_user=erin)

    with django_assert_num_queries(2):
        spec = calendar_spec(berlin_office)

    assert spec.time_zone == ZoneInfo("Europe/Berlin")
    assert spec.weekly[0] == ((9 * 3600, 17 * 3600),)
    assert spec.weekly[5] == ()
    assert spec.holidays == (date(2026, 12, 25),)
    assert not spec.is_24x7


def test_the_spec_of_a_24x7_calendar_needs_no_query(erin, django_assert_num_queries):
    calendar = calendar_create("Operations", "UTC", is_24x7=True, acting_user=erin)

    with django_assert_num_queries(0):
        spec = calendar_spec(calendar)

    assert spec.is_24x7


def test_the_cached_spec_is_rebuilt_after_a_holiday_is_added(erin, berlin_office, django_assert_num_queries):
    first = cached_calendar_spec(berlin_office)
    with django_assert_num_queries(0):
        assert cached_calendar_spec(berlin_office) is first

    holiday_add(berlin_office, date(2026, 12, 24), "Christmas Eve", acting_user=erin)
    berlin_office.refresh_from_db()

    assert cached_calendar_spec(berlin_office).holidays == (date(2026, 12, 24),)
