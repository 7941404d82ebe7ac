"""Run times read in the team's time zone, across daylight saving time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from maintenance.schedule import latest_occurrence, next_runs

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(moments, zone):
    return [moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M") for moment in moments]


@pytest.fixture
def berlin_desk(service_desk):
    service_desk.time_zone = "Europe/Berlin"
    service_desk.save()
    return service_desk


@pytest.mark.django_db
def test_weekly_plan_stays_at_nine_local_across_the_spring_change(make_plan, berlin_desk):
    plan = make_plan(team=berlin_desk, weekday=0, at_time=dt.time(9, 0), starts_on=dt.date(2026, 3, 1))
    runs = next_runs(plan, dt.datetime(2026, 3, 20, tzinfo=UTC), 3)

    # 29 March 2026: Berlin moves from UTC+1 to UTC+2. 09:00 local stays 09:00.
    assert local(runs, BERLIN) == ["Mon 2026-03-23 09:00", "Mon 2026-03-30 09:00", "Mon 2026-04-06 09:00"]
    assert [run.strftime("%H:%M") for run in runs] == ["08:00", "07:00", "07:00"]


@pytest.mark.django_db
def test_every_two_weeks_counts_from_the_week_of_the_first_day(make_plan, berlin_desk):
    # Starts on Wednesday 4 March: the first Monday in its week (2 March) is before it, so the
    # first run is Monday 16 March, then every other Monday.
    plan = make_plan(team=berlin_desk, every_weeks=2, weekday=0, starts_on=dt.date(2026, 3, 4))
    runs = next_runs(plan, dt.datetime(2026, 3, 1, tzinfo=UTC), 3)

    assert local(runs, BERLIN) == ["Mon 2026-03-16 09:00", "Mon 2026-03-30 09:00", "Mon 2026-04-13 09:00"]


@pytest.mark.django_db
def test_cron_plan_follows_local_time_across_the_autumn_change(make_plan, berlin_desk):
    plan = make_plan(team=berlin_desk, schedule_kind="cron", cron="30 6 * * *", starts_on=dt.date(2026, 10, 1))
    runs = next_runs(plan, dt.datetime(2026, 10, 23, 12, tzinfo=UTC), 4)

    # 25 October 2026: back from UTC+2 to UTC+1.
    assert local(runs, BERLIN) == [
        "Sat 2026-10-24 06:30",
        "Sun 2026-10-25 06:30",
        "Mon 2026-10-26 06:30",
        "Tue 2026-10-27 06:30",
    ]
    assert [run.strftime("%H:%M") for run in runs] == ["04:30", "05:30", "05:30", "05:30"]


@pytest.mark.django_db
def test_shanghai_plan_runs_at_local_time_without_dst(make_plan, service_desk):
    service_desk.time_zone = "Asia/Shanghai"
    service_desk.save()
    weekly = make_plan(title="Access review", weekday=4, at_time=dt.time(17, 0), starts_on=dt.date(2026, 3, 1))
    cron = make_plan(title="Certificates", schedule_kind="cron", cron="0 8 1 * *", starts_on=dt.date(2026, 3, 1))

    assert local(next_runs(weekly, dt.datetime(2026, 3, 25, tzinfo=UTC), 2), SHANGHAI) == [
        "Fri 2026-03-27 17:00",
        "Fri 2026-04-03 17:00",
    ]
    assert [run.strftime("%m-%d %H:%M") for run in next_runs(cron, dt.datetime(2026, 3, 25, tzinfo=UTC), 2)] == [
        "04-01 00:00",
        "05-01 00:00",
    ]


@pytest.mark.django_db
def test_latest_occurrence_is_the_last_run_time_not_after_now(make_plan, berlin_desk):
    weekly = make_plan(team=berlin_desk, starts_on=dt.date(2026, 3, 1))
    cron = make_plan(team=berlin_desk, schedule_kind="cron", cron="0 9 * * 1", starts_on=dt.date(2026, 3, 1))
    exactly = dt.datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # Monday 09:00 in Berlin (summer time)

    for plan in (weekly, cron):
        assert latest_occurrence(plan, exactly) == exactly
        assert latest_occurrence(plan, exactly + dt.timedelta(days=3)) == exactly
        assert latest_occurrence(plan, exactly - dt.timedelta(seconds=1)) == dt.datetime(2026, 3, 23, 8, tzinfo=UTC)


@pytest.mark.django_db
def test_no_run_before_the_plan_existed(make_plan):
    plan = make_plan(starts_on=dt.date(2026, 1, 1), created_at=None)  # created now, long after 1 January

    assert latest_occurrence(plan, plan.created_at - dt.timedelta(minutes=1)) is None
    assert next_runs(plan, dt.datetime(2026, 1, 1, tzinfo=UTC), 1)[0] > plan.created_at
