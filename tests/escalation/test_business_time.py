"""Business-time arithmetic on plain CalendarSpecs: no database, every rule of docs/sla.md.

Calendar dates used (2026): Mon 2 Mar … ; Berlin springs forward on Sun 29 Mar (02:00 → 03:00)
and falls back on Sun 25 Oct (03:00 → 02:00); New York springs forward on Sun 8 Mar and falls
back on Sun 1 Nov (both at 02:00).
"""

from __future__ import annotations

import random
import time as stopwatch
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tickets.sla.business_time import (
    CalendarSpec,
    add_business_minutes,
    business_seconds_between,
    is_business_time,
)
from tickets.sla.working_hours import Interval

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = range(5)
ALL_DAYS = range(7)


def clock(text: str) -> time:
    return time(0) if text == "24:00" else time.fromisoformat(text)


def spec(zone=BERLIN, days=WEEKDAYS, hours=(("09:00", "17:00"),), holidays=(), extra=()) -> CalendarSpec:
    intervals = [Interval(day, clock(start), clock(end)) for day in days for start, end in hours]
    intervals += [Interval(day, clock(start), clock(end)) for day, start, end in extra]
    return CalendarSpec.build(zone, intervals, holidays)


def local(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone)


OFFICE = spec()
LUNCH = spec(hours=(("09:00", "12:00"), ("13:00", "17:00")))
ROUND_THE_CLOCK_WALL = spec(days=ALL_DAYS, hours=(("00:00", "24:00"),))
TWENTY_FOUR_SEVEN = CalendarSpec.build(BERLIN, is_24x7=True)


# --- starting inside and outside working hours ----------------------------------------------


def test_start_inside_hours_counts_from_start():
    due = add_business_minutes(OFFICE, local(BERLIN, 2026, 6, 10, 10, 0), 60)

    assert due == local(BERLIN, 2026, 6, 10, 11, 0)


def test_results_are_in_utc():
    due = add_business_minutes(OFFICE, local(BERLIN, 2026, 6, 10, 10, 0), 60)

    assert due.tzinfo is UTC
    assert due == datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def test_start_before_opening_counts_from_opening():
    assert add_business_minutes(OFFICE, local(BERLIN, 2026, 6, 10, 7, 30), 30) == local(BERLIN, 2026, 6, 10, 9, 30)


def test_start_after_closing_counts_from_next_morning():
    assert add_business_minutes(OFFICE, local(BERLIN, 2026, 6, 10, 18, 0), 30) == local(BERLIN, 2026, 6, 11, 9, 30)


def test_overnight_gap_between_working_days_is_not_counted():
    assert add_business_minutes(OFFICE, local(BERLIN, 2026, 6, 10, 16, 30), 60) == local(BERLIN, 2026, 6, 11, 9, 30)


def test_weekend_is_skipped():
    friday_afternoon = local(BERLIN, 2026, 6, 12, 16, 0)

    assert add_business_minutes(OFFICE, friday_afternoon, 120) == local(BERLIN, 2026, 6, 15, 10, 0)


def test_start_on_a_weekend_counts_from_monday_opening():
    assert add_business_minutes(OFFICE, local(BERLIN, 2026, 6, 13, 11, 0), 15) == local(BERLIN, 2026, 6, 15, 9, 15)


def test_start_given_in_another_zone_is_read_in_the_calendars_zone():
    # 06:30 in New York is 12:30 in Berlin: inside Berlin's hours.
    due = add_business_minutes(OFFICE, local(NEW_YORK, 2026, 6, 10, 6, 30), 60)

    assert due == local(BERLIN, 2026, 6, 10, 13, 30)


# --- boundaries ---------------------------------------------------------------------------------


def test_target_exactly_at_closing_time_is_closing_time_not_next_opening():
    assert add_business_minutes(OFFICE, local(BERLIN, 2026, 6, 10, 16, 0), 60) == local(BERLIN, 2026, 6, 10, 17, 0)


def test_target_exactly_at_lunch_is_the_start_of_lunch():
    assert add_business_minutes(LUNCH, local(BERLIN, 2026, 6, 10, 11, 0), 60) == local(BERLIN, 2026, 6, 10, 12, 0)


def test_target_exactly_at_friday_closing_stays_on_friday():
    assert add_business_minutes(OFFICE, local(BERLIN, 2026, 6, 12, 9, 0), 480) == local(BERLIN, 2026, 6, 12, 17, 0)


def test_start_exactly_at_closing_counts_from_next_opening():
    assert add_business_minutes(OFFICE, local(BERLIN, 2026, 6, 10, 17, 0), 1) == local(BERLIN, 2026, 6, 11, 9, 1)


def test_zero_minutes_inside_hours_is_the_start_itself():
    start = local(BERLIN, 2026, 6, 10, 10, 17, 42)

    assert add_business_minutes(OFFICE, start, 0) == start


def test_zero_minutes_outside_hours_is_the_next_opening():
    assert add_business_minutes(OFFICE, local(BERLIN, 2026, 6, 10, 17, 0), 0) == local(BERLIN, 2026, 6, 11, 9, 0)
    assert add_business_minutes(LUNCH, local(BERLIN, 2026, 6, 10, 12, 30), 0) == local(BERLIN, 2026, 6, 10, 13, 0)


def test_seconds_of_the_start_are_kept():
    start = local(BERLIN, 2026, 6, 10, 16, 59, 30)

    assert add_business_minutes(OFFICE, start, 1) == local(BERLIN, 2026, 6, 11, 9, 0, 30)


# --- several intervals per day, 24:00 ------------------------------------------------------------


def test_lunch_break_is_not_counted():
    assert add_business_minutes(LUNCH, local(BERLIN, 2026, 6, 10, 11, 30), 60) == local(BERLIN, 2026, 6, 10, 13, 30)
    assert business_seconds_between(LUNCH, local(BERLIN, 2026, 6, 10, 9), local(BERLIN, 2026, 6, 10, 17)) == 7 * 3600


def test_night_shift_written_as_two_intervals_runs_through_midnight():
    nights = spec(hours=(), extra=[(0, "22:00", "24:00"), (1, "00:00", "06:00")])

    monday_late = local(BERLIN, 2026, 6, 8, 23, 0)
    assert add_business_minutes(nights, monday_late, 120) == local(BERLIN, 2026, 6, 9, 1, 0)
    assert add_business_minutes(nights, monday_late, 60) == local(BERLIN, 2026, 6, 9, 0, 0)
    assert is_business_time(nights, local(BERLIN, 2026, 6, 8, 23, 59))
    assert is_business_time(nights, local(BERLIN, 2026, 6, 9, 0, 0))


def test_touching_intervals_count_as_one_stretch():
    split = spec(hours=(("09:00", "12:00"), ("12:00", "17:00")))

    assert split.weekly[0] == ((9 * 3600, 17 * 3600),)
    assert add_business_minutes(split, local(BERLIN, 2026, 6, 10, 11, 0), 120) == local(BERLIN, 2026, 6, 10, 13, 0)


# --- holidays -------------------------------------------------------------------------------------


def test_a_holiday_skips_the_whole_day():
    thursday_off = spec(holidays=[date(2026, 6, 11)])

    due = add_business_minutes(thursday_off, local(BERLIN, 2026, 6, 10, 16, 30), 60)

    assert due == local(BERLIN, 2026, 6, 12, 9, 30)


def test_start_on_a_holiday_counts_from_the_next_working_day():
    thursday_off = spec(holidays=[date(2026, 6, 11)])

    assert add_business_minutes(thursday_off, local(BERLIN, 2026, 6, 11, 10), 10) == local(BERLIN, 2026, 6, 12, 9, 10)
    assert not is_business_time(thursday_off, local(BERLIN, 2026, 6, 11, 10))


def test_christmas_holidays_and_the_weekend_run_together():
    christmas = spec(holidays=[date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 31), date(2027, 1, 1)])

    wednesday = local(BERLIN, 2026, 12, 23, 16, 0)
    # Wed 1 h, then Mon 28 – Wed 30 (3 × 8 h), then Mon 4 Jan
    assert add_business_minutes(christmas, wednesday, 60 + 3 * 480 + 30) == local(BERLIN, 2027, 1, 4, 9, 30)
    assert business_seconds_between(christmas, wednesday, local(BERLIN, 2027, 1, 4, 9, 30)) == (60 + 1440 + 30) * 60


def test_a_holiday_on_a_weekend_changes_nothing():
    saturday_holiday = spec(holidays=[date(2026, 6, 13)])

    start = local(BERLIN, 2026, 6, 12, 16)
    assert add_business_minutes(saturday_holiday, start, 120) == add_business_minutes(OFFICE, start, 120)


def test_a_month_long_shutdown_is_walked_through():
    shutdown = spec(holidays=[date(2026, 8, 1) + timedelta(days=n) for n in range(31)])

    assert add_business_minutes(shutdown, local(BERLIN, 2026, 7, 31, 16, 30), 60) == local(BERLIN, 2026, 9, 1, 9, 30)


# --- DST, Europe/Berlin ---------------------------------------------------------------------------


def test_office_hours_stay_on_the_wall_clock_after_spring_forward_in_berlin():
    friday = local(BERLIN, 2026, 3, 27, 16, 0)  # CET, UTC+1

    due = add_business_minutes(OFFICE, friday, 120)

    assert due == local(BERLIN, 2026, 3, 30, 10, 0)  # CEST, UTC+2
    assert due == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def test_office_hours_stay_on_the_wall_clock_after_fall_back_in_berlin():
    friday = local(BERLIN, 2026, 10, 23, 16, 0)  # CEST

    due = add_business_minutes(OFFICE, friday, 120)

    assert due == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # 10:00 CET


def test_the_spring_forward_day_has_23_hours_in_berlin():
    start, end = local(BERLIN, 2026, 3, 29), local(BERLIN, 2026, 3, 30)

    assert business_seconds_between(ROUND_THE_CLOCK_WALL, start, end) == 23 * 3600
    assert add_business_minutes(ROUND_THE_CLOCK_WALL, start, 23 * 60) == end


def test_the_fall_back_day_has_25_hours_in_berlin():
    start, end = local(BERLIN, 2026, 10, 25), local(BERLIN, 2026, 10, 26)

    assert business_seconds_between(ROUND_THE_CLOCK_WALL, start, end) == 25 * 3600
    assert add_business_minutes(ROUND_THE_CLOCK_WALL, start, 25 * 60) == end


def test_an_interval_spanning_the_spring_jump_is_an_hour_shorter():
    sunday = spec(days=[6], hours=(("01:00", "04:00"),))

    assert business_seconds_between(sunday, local(BERLIN, 2026, 3, 29), local(BERLIN, 2026, 3, 30)) == 2 * 3600
    # 01:30 CET + 60 minutes is 03:30 CEST: the clock jumped over 02:00–03:00
    assert add_business_minutes(sunday, local(BERLIN, 2026, 3, 29, 1, 30), 60) == local(BERLIN, 2026, 3, 29, 3, 30)


def test_an_interval_spanning_the_autumn_repeat_is_an_hour_longer():
    sunday = spec(days=[6], hours=(("01:00", "04:00"),))

    assert business_seconds_between(sunday, local(BERLIN, 2026, 10, 25), local(BERLIN, 2026, 10, 26)) == 4 * 3600
    due = add_business_minutes(sunday, local(BERLIN, 2026, 10, 25, 1, 30), 120)
    assert due == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # the second 02:30, in CET


def test_an_opening_inside_the_spring_gap_opens_when_the_clocks_jump():
    sunday = spec(days=[6], hours=(("02:30", "03:30"),))

    assert business_seconds_between(sunday, local(BERLIN, 2026, 3, 29), local(BERLIN, 2026, 3, 30)) == 30 * 60
    assert add_business_minutes(sunday, local(BERLIN, 2026, 3, 29), 0) == local(BERLIN, 2026, 3, 29, 3, 0)


def test_an_interval_wholly_inside_the_spring_gap_does_not_happen():
    sunday = spec(days=[6], hours=(("02:10", "02:50"), ("09:00", "10:00")))

    assert business_seconds_between(sunday, local(BERLIN, 2026, 3, 29), local(BERLIN, 2026, 3, 30)) == 3600
    assert add_business_minutes(sunday, local(BERLIN, 2026, 3, 29), 0) == local(BERLIN, 2026, 3, 29, 9, 0)


def test_a_boundary_inside_the_repeated_hour_means_its_first_occurrence():
    sunday = spec(days=[6], hours=(("02:30", "05:00"),))

    opening = add_business_minutes(sunday, local(BERLIN, 2026, 10, 25), 0)

    assert opening == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, not 02:30 CET
    assert (
        business_seconds_between(sunday, local(BERLIN, 2026, 10, 25), local(BERLIN, 2026, 10, 26)) == 3 * 3600 + 30 * 60
    )


# --- DST, America/New_York ----------------------------------------------------------------------------


NY_OFFICE = spec(zone=NEW_YORK, hours=(("08:00", "18:00"),))
NY_ROUND_THE_CLOCK = spec(zone=NEW_YORK, days=ALL_DAYS, hours=(("00:00", "24:00"),))


def test_office_hours_across_spring_forward_in_new_york():
    friday = local(NEW_YORK, 2026, 3, 6, 17, 0)  # EST, UTC-5

    due = add_business_minutes(NY_OFFICE, friday, 120)

    assert due == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # Mon 09:00 EDT
    assert business_seconds_between(NY_OFFICE, friday, due) == 120 * 60


def test_office_hours_across_fall_back_in_new_york():
    friday = local(NEW_YORK, 2026, 10, 30, 17, 0)  # EDT, UTC-4

    due = add_business_minutes(NY_OFFICE, friday, 120)

    assert due == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # Mon 09:00 EST


def test_new_york_days_of_23_and_25_hours():
    assert (
        business_seconds_between(NY_ROUND_THE_CLOCK, local(NEW_YORK, 2026, 3, 8), local(NEW_YORK, 2026, 3, 9))
        == 23 * 3600
    )
    assert (
        business_seconds_between(NY_ROUND_THE_CLOCK, local(NEW_YORK, 2026, 11, 1), local(NEW_YORK, 2026, 11, 2))
        == 25 * 3600
    )


def test_a_sunday_shift_in_new_york_loses_the_skipped_hour():
    sunday = spec(zone=NEW_YORK, days=[6], hours=(("00:00", "06:00"),))

    due = add_business_minutes(sunday, local(NEW_YORK, 2026, 3, 8, 1, 0), 90)

    assert due == local(NEW_YORK, 2026, 3, 8, 3, 30)  # 01:00–02:00 EST, then 03:00–03:30 EDT


# --- 24×7 ---------------------------------------------------------------------------------------------


def test_twenty_four_seven_is_plain_elapsed_time_across_dst():
    saturday_noon = local(BERLIN, 2026, 3, 28, 12, 0)

    due = add_business_minutes(TWENTY_FOUR_SEVEN, saturday_noon, 24 * 60)

    assert due == datetime(2026, 3, 29, 11, 0, tzinfo=UTC)  # 13:00 CEST: a day of 23 wall hours
    assert (
        business_seconds_between(TWENTY_FOUR_SEVEN, local(BERLIN, 2026, 10, 25), local(BERLIN, 2026, 10, 26))
        == 25 * 3600
    )


def test_twenty_four_seven_ignores_holidays_and_is_always_business_time():
    with_holiday = CalendarSpec.build(BERLIN, holidays=[date(2026, 12, 25)], is_24x7=True)
    christmas = local(BERLIN, 2026, 12, 25, 3, 0)

    assert is_business_time(with_holiday, christmas)
    assert add_business_minutes(with_holiday, christmas, 90) == christmas + timedelta(minutes=90)


def test_twenty_four_seven_with_zero_minutes_is_the_start():
    start = local(BERLIN, 2026, 6, 13, 3, 0)

    assert add_business_minutes(TWENTY_FOUR_SEVEN, start, 0) == start


# --- business_seconds_between and is_business_time ---------------------------------------------------


def test_no_business_time_when_end_is_not_after_start():
    moment = local(BERLIN, 2026, 6, 10, 10)

    assert business_seconds_between(OFFICE, moment, moment) == 0
    assert business_seconds_between(OFFICE, moment, moment - timedelta(hours=2)) == 0
    assert business_seconds_between(TWENTY_FOUR_SEVEN, moment, moment - timedelta(hours=2)) == 0


def test_business_seconds_across_a_weekend():
    friday, monday = local(BERLIN, 2026, 6, 12, 16, 0), local(BERLIN, 2026, 6, 15, 10, 0)

    assert business_seconds_between(OFFICE, friday, monday) == 2 * 3600


def test_business_seconds_outside_hours_are_zero():
    assert business_seconds_between(OFFICE, local(BERLIN, 2026, 6, 12, 17), local(BERLIN, 2026, 6, 15, 9)) == 0


def test_business_seconds_are_whole_seconds_rounded_down():
    start = local(BERLIN, 2026, 6, 10, 10, 0, 0)

    assert business_seconds_between(OFFICE, start, start + timedelta(seconds=1, microseconds=999_999)) == 1


def test_business_seconds_with_mixed_zones():
    start = datetime(2026, 6, 10, 7, 0, tzinfo=UTC)  # 09:00 Berlin
    end = local(NEW_YORK, 2026, 6, 10, 5, 0)  # 11:00 Berlin

    assert business_seconds_between(OFFICE, start, end) == 2 * 3600


def test_is_business_time_includes_the_opening_and_excludes_the_closing():
    assert is_business_time(OFFICE, local(BERLIN, 2026, 6, 10, 9, 0))
    assert is_business_time(OFFICE, local(BERLIN, 2026, 6, 10, 16, 59, 59))
    assert not is_business_time(OFFICE, local(BERLIN, 2026, 6, 10, 17, 0))
    assert not is_business_time(OFFICE, local(BERLIN, 2026, 6, 13, 12, 0))
    assert not is_business_time(LUNCH, local(BERLIN, 2026, 6, 10, 12, 30))


# --- long spans ----------------------------------------------------------------------------------------


def test_ten_thousand_business_minutes_skip_whole_weeks():
    monday = local(BERLIN, 2026, 1, 5, 9, 0)

    due = add_business_minutes(OFFICE, monday, 10_000)

    # 10 000 = 4 weeks × 2 400 + 400: four weeks later, 6 h 40 into Monday
    assert due == local(BERLIN, 2026, 2, 2, 15, 40)
    assert business_seconds_between(OFFICE, monday, due) == 10_000 * 60


def test_long_spans_across_holidays_and_both_clock_changes_stay_consistent():
    calendar = spec(holidays=[date(2026, 4, 3), date(2026, 4, 6), date(2026, 12, 25)])
    start = local(BERLIN, 2026, 1, 7, 11, 15)

    for minutes in (10_000, 50_000, 123_457):
        due = add_business_minutes(calendar, start, minutes)
        assert business_seconds_between(calendar, start, due) == minutes * 60
        assert business_seconds_between(calendar, start, due - timedelta(seconds=1)) == minutes * 60 - 1


def test_very_long_spans_are_fast():
    began = stopwatch.perf_counter()
    due = add_business_minutes(LUNCH, local(BERLIN, 2026, 1, 5, 9), 1_000_000)  # about eight years
    elapsed = business_seconds_between(LUNCH, local(BERLIN, 2026, 1, 5, 9), due)
    took = stopwatch.perf_counter() - began

    assert elapsed == 1_000_000 * 60
    assert took < 1.0  # counting minute by minute would take far longer


def test_a_calendar_with_one_short_day_a_week_still_reaches_far_targets():
    sundays = spec(days=[6], hours=(("10:00", "11:00"),))

    due = add_business_minutes(sundays, local(BERLIN, 2026, 1, 1), 600)

    assert due == local(BERLIN, 2026, 3, 8, 11, 0)  # the tenth Sunday of 2026


# --- input checks --------------------------------------------------------------------------------------


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_minutes(OFFICE, datetime(2026, 6, 10, 10), 10)
    with pytest.raises(ValueError, match="aware"):
        business_seconds_between(OFFICE, datetime(2026, 6, 10, 10), local(BERLIN, 2026, 6, 10, 11))


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError):
        add_business_minutes(OFFICE, local(BERLIN, 2026, 6, 10, 10), -1)


def test_a_spec_without_working_hours_cannot_be_built():
    with pytest.raises(ValueError, match="at least one working interval"):
        CalendarSpec.build(BERLIN, [])


def test_a_spec_with_overlapping_intervals_cannot_be_built():
    with pytest.raises(ValueError, match="overlap"):
        spec(hours=(("09:00", "13:00"), ("12:00", "17:00")))


# --- against a minute-by-minute reference ----------------------------------------------------------------


def _reference_is_business(calendar: CalendarSpec, moment: datetime) -> bool:
    wall = moment.astimezone(calendar.time_zone)
    if wall.date() in calendar.holidays:
        return False
    second = wall.hour * 3600 + wall.minute * 60
    return any(start <= second < end for start, end in calendar.weekly[wall.weekday()])


def _reference_add(calendar: CalendarSpec, start: datetime, minutes: int) -> datetime:
    moment, counted = start.astimezone(UTC), 0
    while True:
        if _reference_is_business(calendar, moment):
            if counted == minutes:
                return moment
            counted += 1
            if counted == minutes:
                return moment + timedelta(minutes=1)
        moment += timedelta(minutes=1)


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK], ids=["berlin", "new-york"])
def test_arithmetic_matches_a_minute_by_minute_count_around_clock_changes(zone):
    """Random starts and targets around both clock changes, with lunch, a Saturday, a late Sunday shift
    ending at 24:00 and holidays; boundaries stay clear of the repeated hour, where a wall clock
    reading is ambiguous and the reference cannot tell the two occurrences apart."""
    calendar = spec(
        zone=zone,
        hours=(("08:00", "12:00"), ("13:00", "17:30")),
        holidays=[date(2026, 3, 10), date(2026, 3, 27), date(2026, 10, 27), date(2026, 11, 3)],
        extra=[(5, "10:00", "14:00"), (6, "20:00", "24:00")],
    )
    rng = random.Random(20260329)
    for around in (datetime(2026, 3, 8), datetime(2026, 3, 29), datetime(2026, 10, 25), datetime(2026, 11, 1)):
        for _ in range(12):
            start = (around + timedelta(minutes=rng.randrange(-6 * 24 * 60, 2 * 24 * 60))).replace(tzinfo=zone)
            minutes = rng.choice([0, 1, rng.randrange(2, 600), rng.randrange(600, 3000)])

            due = add_business_minutes(calendar, start, minutes)

            assert due == _reference_add(calendar, start, minutes), (start, minutes)
            assert business_seconds_between(calendar, start, due) == minutes * 60


# --- the worked example of docs/sla.md ---------------------------------------------------------------


EASTER_OFFICE = spec(hours=(("09:00", "12:00"), ("13:00", "17:00")), holidays=[date(2026, 4, 3), date(2026, 4, 6)])


def test_the_worked_example_in_the_docs():
    created = local(BERLIN, 2026, 4, 2, 16, 10)

    assert add_business_minutes(EASTER_OFFICE, created, 480) == local(BERLIN, 2026, 4, 8, 9, 10)
    assert add_business_minutes(EASTER_OFFICE, created, 470) == local(BERLIN, 2026, 4, 7, 17, 0)
    assert business_seconds_between(EASTER_OFFICE, created, local(BERLIN, 2026, 4, 7, 12, 30)) == 13_800


def test_the_clock_change_example_in_the_docs():
    due = add_business_minutes(EASTER_OFFICE, local(BERLIN, 2026, 3, 27, 15, 30), 240)

    assert due == datetime(2026, 3, 30, 9, 30, tzinfo=UTC)
