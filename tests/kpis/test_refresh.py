"""The KPI engine on small hand-made histories: definitions, incremental refresh, commands."""

import datetime as dt
import json
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Team
from kpis import rollups
from kpis.export import export_figures
from kpis.models import Dimension, Period, PeriodFigure, RefreshState, ResolutionFact, StalePeriod
from kpis.rollups import refresh_full, refresh_incremental, refresh_now, refresh_periods
from tickets.event_checks import event_log_problems
from tickets.models import Category, EventKind, Ticket
from tickets.services import (
    ticket_assign,
    ticket_create,
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
)

T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)  # a Monday


def minutes(n):
    return dt.timedelta(minutes=n)


def _at(moment):
    return time_machine.travel(moment, tick=False)


def month_figure(dimension, key, start=dt.date(2026, 10, 1)):
    return PeriodFigure.objects.get(period=Period.MONTH, dimension=dimension, key=key, start=start).values


def _answered_ticket(alice, carol, after_minutes, *, at=T0, subject="VPN"):
    with _at(at):
        ticket = ticket_create(requester=alice, subject=subject, description="down", acting_user=alice)
    with _at(at + minutes(after_minutes)):
        ticket_reply(ticket, "Looking", acting_user=carol)
    return ticket


def test_first_response_times_are_interpolated_percentiles_for_the_author(alice, carol, service_desk):
    for number, waited in enumerate((10, 20, 40)):
        _answered_ticket(alice, carol, waited, at=T0 + dt.timedelta(days=number))

    refresh_full()

    values = month_figure(Dimension.AGENT, carol.pk)
    assert values["frt_count"] == 3
    assert values["frt_median_s"] == 1200
    # percentile_cont(0.9) of 600, 1200, 2400: 1200 + 0.8 × 1200.
    assert values["frt_p90_s"] == pytest.approx(2160)
    assert values["frt_mean_s"] == pytest.approx(1400)
    assert month_figure(Dimension.TEAM, service_desk.pk)["frt_count"] == 3
    assert month_figure(Dimension.DESK, 0)["frt_count"] == 3


def test_incremental_refresh_follows_new_events_and_a_second_run_changes_nothing(alice, carol, service_desk):
    ticket = _answered_ticket(alice, carol, 10)
    with _at(T0 + minutes(60)):
        ticket_resolve(ticket, code="fixed", summary="Restarted", acting_user=carol)
    with _at(T0 + minutes(61)):
        first = refresh_now()
    assert first.tickets == 1
    values = month_figure(Dimension.AGENT, carol.pk)
    assert (values["tickets_resolved"], values["resolutions"], values["fcr_rate"]) == (1, 1, 1.0)
    assert values["resolution_first_median_s"] == 3600

    with _at(T0 + minutes(62)):
        again = refresh_now()
    assert again.tickets == 0 and month_figure(Dimension.AGENT, carol.pk) == values

    with _at(T0 + dt.timedelta(days=2)):
        ticket_reopen(ticket, acting_user=alice)
    with _at(T0 + dt.timedelta(days=2, minutes=30)):
        ticket_resolve(ticket, code="fixed", summary="Replaced the token", acting_user=carol)
    with _at(T0 + dt.timedelta(days=3)):
        refresh_now()

    values = month_figure(Dimension.AGENT, carol.pk)
    # One ticket, two resolutions: the first was reopened within the window.
    assert (values["tickets_resolved"], values["resolutions"], values["reopen_rate"]) == (1, 2, 0.5)
    assert values["fcr_rate"] == 0.0
    assert values["resolution_final_median_s"] == (dt.timedelta(days=2, minutes=30)).total_seconds()
    assert values == pytest.approx(export_figures(dt.date(2026, 10, 1), dt.date(2026, 10, 31), "agent")[carol.pk])


def test_a_reassigned_ticket_is_not_a_first_contact_resolution(alice, bob, carol, erin, service_desk):
    kept = _answered_ticket(alice, carol, 5, subject="Kept")
    moved = _answered_ticket(bob, carol, 5, subject="Moved")
    with _at(T0 + minutes(10)):
        ticket_assign(kept, carol, acting_user=carol)
        ticket_assign(moved, carol, acting_user=carol)
        ticket_assign(moved, erin, acting_user=erin)
    with _at(T0 + minutes(30)):
        ticket_resolve(kept, code="fixed", summary="Done", acting_user=carol)
        ticket_resolve(moved, code="fixed", summary="Done", acting_user=erin)

    refresh_full()

    assert month_figure(Dimension.AGENT, carol.pk)["fcr_rate"] == 1.0
    assert month_figure(Dimension.AGENT, erin.pk)["fcr_rate"] == 0.0
    desk = month_figure(Dimension.DESK, 0)
    assert (desk["tickets_resolved"], desk["fcr_count"], desk["requesters_served"]) == (2, 1, 2)


def test_a_new_ticket_in_the_same_category_marks_the_resolution_as_recurred(alice, carol, service_desk):
    printers = Category.objects.create(name="Printers")
    with _at(T0):
        first = ticket_create(
            requester=alice, subject="Printer", description="jam", acting_user=alice, category=printers
        )
    with _at(T0 + minutes(30)):
        ticket_resolve(first, code="fixed", summary="Cleared", acting_user=carol)
    with _at(T0 + minutes(31)):
        refresh_now()
    assert month_figure(Dimension.CATEGORY, printers.pk)["recurrence_rate"] == 0.0

    with _at(T0 + dt.timedelta(days=10)):
        ticket_create(requester=alice, subject="Printer again", description="jam", acting_user=alice, category=printers)
        refresh_now()

    assert ResolutionFact.objects.get(ticket=first).recurred
    assert month_figure(Dimension.CATEGORY, printers.pk)["recurrence_rate"] == 1.0


def test_periods_follow_the_teams_time_zone(alice, carol, service_desk):
    Team.objects.filter(pk=service_desk.pk).update(time_zone="Asia/Shanghai")
    late = dt.datetime(2026, 10, 31, 20, 0, tzinfo=dt.UTC)  # 1 November, 04:00 in Shanghai
    ticket = _answered_ticket(alice, carol, 5, at=late - minutes(60))
    with _at(late):
        ticket_resolve(ticket, code="fixed", summary="Done", acting_user=carol)

    # Incrementally: the events' days are taken in the team's zone, not the UTC date.
    refresh_now()

    # Created, answered and resolved on 1 November in Shanghai: nothing for the team in October.
    assert service_desk.pk not in export_figures(dt.date(2026, 10, 1), dt.date(2026, 10, 31), "team")
    assert export_figures(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "team")[service_desk.pk]["tickets_resolved"] == 1
    november = month_figure(Dimension.TEAM, service_desk.pk, start=dt.date(2026, 11, 1))
    assert november["tickets_resolved"] == 1
    week = PeriodFigure.objects.get(
        period=Period.WEEK, dimension=Dimension.TEAM, key=service_desk.pk, start="2026-10-26"
    )
    assert week.values["tickets_resolved"] == 1


def test_a_run_that_fails_halfway_leaves_facts_figures_and_cursor_as_they_were(alice, carol, service_desk, monkeypatch):
    ticket = _answered_ticket(alice, carol, 10)
    refresh_incremental()
    before = (
        RefreshState.objects.get().last_seq,
        ResolutionFact.objects.count(),
        sorted(PeriodFigure.objects.values_list("period", "dimension", "key", "start", "values")),
    )
    with _at(T0 + minutes(60)):
        ticket_resolve(ticket, code="fixed", summary="Restarted", acting_user=carol)

    calls = []

    def fails_on_the_second_period(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return original(*args, **kwargs)

    original = rollups.recompute_periods
    monkeypatch.setattr(rollups, "recompute_periods", fails_on_the_second_period)
    with pytest.raises(RuntimeError):
        refresh_incremental()

    after = (
        RefreshState.objects.get().last_seq,
        ResolutionFact.objects.count(),
        sorted(PeriodFigure.objects.values_list("period", "dimension", "key", "start", "values")),
    )
    assert after == before
    monkeypatch.setattr(rollups, "recompute_periods", original)
    assert refresh_incremental().tickets == 1
    assert ResolutionFact.objects.count() == 1


def test_kpi_export_prints_one_row_per_agent_as_csv_and_json(alice, carol, service_desk):
    ticket = _answered_ticket(alice, carol, 10)
    with _at(T0 + minutes(60)):
        ticket_resolve(ticket, code="fixed", summary="Restarted", acting_user=carol)

    out = StringIO()
    call_command(
        "kpi_export", "--from", "2026-10-01", "--to", "2026-10-31", "--by", "agent", "--format", "json", stdout=out
    )
    [row] = json.loads(out.getvalue())
    assert (row["agent"], row["tickets_resolved"], row["frt_median_s"], row["fcr_rate"]) == (carol.email, 1, 600, 1)

    out = StringIO()
    call_command("kpi_export", "--from", "2026-10-01", "--to", "2026-10-31", "--by", "team", stdout=out)
    header, line = out.getvalue().splitlines()
    assert header.startswith("team,id,from,to,tickets_resolved")
    assert line.startswith(f"Service Desk,{service_desk.pk},2026-10-01,2026-10-31,1,")

    with pytest.raises(CommandError):
        call_command("kpi_export", "--from", "2026-10-31", "--to", "2026-10-01", stdout=StringIO())


def test_kpi_verify_is_clean_after_a_refresh_and_reports_a_tampered_figure(alice, carol, service_desk):
    ticket = _answered_ticket(alice, carol, 10)
    with _at(T0 + minutes(60)):
        ticket_resolve(ticket, code="fixed", summary="Restarted", acting_user=carol)
    refresh_full()
    out = StringIO()
    call_command("kpi_verify", stdout=out)
    assert "match" in out.getvalue()

    figure = PeriodFigure.objects.get(period=Period.MONTH, dimension=Dimension.AGENT, key=carol.pk)
    figure.values["tickets_resolved"] = 5
    figure.save()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("kpi_verify", stdout=out)
    assert f"month 2026-10-01 agent {carol.pk} tickets_resolved: stored 5, event log 1" in out.getvalue()


def test_the_beat_schedule_runs_the_refreshes():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"kpis.refresh_incremental", "kpis.refresh_periods", "kpis.refresh_full"} <= tasks


def test_the_backlog_at_each_periods_end_is_stored_for_teams_and_the_desk(alice, carol, service_desk):
    with _at(T0):
        done = ticket_create(requester=alice, subject="Done", description="…", acting_user=alice)
        ticket_create(requester=alice, subject="Still open", description="…", acting_user=alice)
    with _at(dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)):
        ticket_resolve(done, code="fixed", summary="Done", acting_user=carol)

    refresh_full()

    # End of October: both open; end of November: one.
    assert month_figure(Dimension.TEAM, service_desk.pk)["backlog_end"] == 2
    assert month_figure(Dimension.TEAM, service_desk.pk, start=dt.date(2026, 11, 1))["backlog_end"] == 1
    assert month_figure(Dimension.DESK, 0, start=dt.date(2026, 11, 1))["backlog_end"] == 1
    assert export_figures(dt.date(2026, 10, 1), dt.date(2026, 10, 31), "team")[service_desk.pk]["backlog_end"] == 2


def _around_the_clock_policy(since: dt.datetime) -> None:
    """An SLA policy in force from ``since``: first response in an hour, resolution in four, 24×7."""
    from escalation.policy_services import policy_create
    from tickets.sla.models import BusinessCalendar

    around_the_clock = BusinessCalendar.objects.create(name="Around the clock", is_24x7=True)
    with _at(since):
        policy_create(
            name="Standard",
            calendar=around_the_clock,
            first_response_minutes=60,
            resolution_minutes=240,
            acting_user=None,
        )


def test_a_late_miss_is_added_only_to_the_sla_figures_of_the_period_it_fell_due(
    alice, carol, service_desk, monkeypatch
):
    from kpis.verify import differences

    _around_the_clock_policy(since=dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    august = dt.datetime(2026, 8, 3, 9, 0, tzinfo=dt.UTC)
    earlier = _answered_ticket(alice, carol, 10, at=august)  # also left open
    september = _answered_ticket(alice, carol, 10, at=dt.datetime(2026, 9, 7, 9, 0, tzinfo=dt.UTC))
    with _at(dt.datetime(2026, 9, 7, 10, 0, tzinfo=dt.UTC)):
        ticket_resolve(september, code="fixed", summary="In time", acting_user=carol)
    late = _answered_ticket(alice, carol, 10)  # answered in time on 5 October, due resolved by 13:00
    with _at(T0 + minutes(30)):
        refresh_now()
    september_figures = list(
        PeriodFigure.objects.filter(start__month=9).order_by("pk").values_list("pk", "values", "computed_at")
    )
    before = month_figure(Dimension.AGENT, carol.pk)
    assert (before["sla_response_met"], before["sla_response_due"], before["sla_resolution_due"]) == (1, 1, 0)

    full, sla_only = [], []
    monkeypatch.setattr(rollups, "recompute_periods", _spy(rollups.recompute_periods, full))
    monkeypatch.setattr(rollups, "add_late_outcomes", _spy(rollups.add_late_outcomes, sla_only))
    november = T0 + dt.timedelta(days=40)
    with _at(november):
        ticket_resolve(late, code="fixed", summary="At last", acting_user=carol)
        ticket_resolve(earlier, code="fixed", summary="At last", acting_user=carol)
    with _at(november + minutes(5)):
        refresh_now()

    miss = late.events.get(kind=EventKind.SLA_MISSED)
    assert (miss.created_at, miss.counts_at) == (november, T0 + minutes(240))
    assert event_log_problems(Ticket.objects.all()) == []
    # The miss counts on 5 October, when it fell due: that day, week and month get it added to
    # their SLA counts; the quarter also holds the resolution itself and is recomputed whole.
    # The miss of August too: each kind of period in one statement for all its late periods.
    assert set(sla_only) == {
        (Period.DAY, (dt.date(2026, 8, 3), dt.date(2026, 10, 5))),
        (Period.WEEK, (dt.date(2026, 8, 3), dt.date(2026, 10, 5))),
        (Period.MONTH, (dt.date(2026, 8, 1), dt.date(2026, 10, 1))),
        (Period.QUARTER, (dt.date(2026, 7, 1),)),
    }
    # September lies between them and is left alone.
    assert list(
        PeriodFigure.objects.filter(start__month=9).order_by("pk").values_list("pk", "values", "computed_at")
    ) == (september_figures)
    assert (Period.QUARTER, (dt.date(2026, 10, 1),)) in full
    assert (Period.MONTH, (dt.date(2026, 10, 1),)) not in full
    after = month_figure(Dimension.AGENT, carol.pk)
    assert (after["sla_resolution_met"], after["sla_resolution_due"], after["sla_resolution_rate"]) == (0, 1, 0.0)
    assert {key: value for key, value in after.items() if not key.startswith("sla_resolution")} == {
        key: value for key, value in before.items() if not key.startswith("sla_resolution")
    }
    with _at(november + minutes(6)):
        assert differences(periods=Period.values) == []

    # A second late miss on the same day adds to the first (the ticket's own events counted first).
    second = _answered_ticket(alice, carol, 10, at=T0 + minutes(60), subject="Printer")
    with _at(november + minutes(8)):
        refresh_now()
    sla_only.clear()
    with _at(november + minutes(10)):
        ticket_resolve(second, code="fixed", summary="At last", acting_user=carol)
    with _at(november + minutes(15)):
        refresh_now()
        assert differences(periods=Period.values) == []
    assert (Period.MONTH, (dt.date(2026, 10, 1),)) in sla_only
    again = month_figure(Dimension.AGENT, carol.pk)
    assert [again[f"sla_{key}"] for key in ("resolution_met", "resolution_due", "response_met", "response_due")] == [
        0,
        2,
        2,
        2,
    ]
    assert again["sla_resolution_rate"] == 0.0


def _spy(function, calls: list):
    def spied(period, starts, *args, **kwargs):
        calls.append((period, tuple(starts)))
        return function(period, starts, *args, **kwargs)

    return spied


def test_a_miss_committed_past_the_cursor_is_counted_once(alice, carol, service_desk, monkeypatch):
    """An outcome recorded while a run reads (visible, but past the cursor it moves to) is left
    to the next run, which adds it to a period it does not recount: counted once, not twice."""
    from kpis.verify import differences

    _around_the_clock_policy(since=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    late = _answered_ticket(alice, carol, 10)  # due resolved by 13:00 on 5 October
    with _at(T0 + minutes(30)):
        refresh_now()
    _answered_ticket(alice, carol, 10, at=T0 + dt.timedelta(days=1), subject="Printer")  # October again
    november = T0 + dt.timedelta(days=40)
    with _at(november):
        ticket_resolve(late, code="fixed", summary="At last", acting_user=carol)
    miss = late.events.get(kind=EventKind.SLA_MISSED)

    # The first run moves its cursor to just before the miss, as if the miss had been drawn
    # after committed_seq() and committed before the October month was recomputed.
    monkeypatch.setattr(rollups, "committed_seq", lambda: miss.seq - 1)
    with _at(november + minutes(5)):
        refresh_now()
    assert RefreshState.objects.get().last_seq == miss.seq - 1
    assert month_figure(Dimension.DESK, 0)["sla_resolution_due"] == 0
    monkeypatch.undo()
    with _at(november + minutes(10)):
        refresh_now()
        assert differences(periods=Period.values) == []

    october = month_figure(Dimension.DESK, 0)
    assert (october["sla_resolution_due"], october["sla_resolution_met"], october["sla_response_due"]) == (1, 0, 2)


def test_the_incremental_run_keeps_days_current_and_leaves_longer_periods_to_the_periods_run(
    alice, carol, service_desk
):
    ticket = _answered_ticket(alice, carol, 10)
    with _at(T0 + minutes(60)):
        ticket_resolve(ticket, code="fixed", summary="Restarted", acting_user=carol)
    with _at(T0 + minutes(61)):
        refresh_incremental()

    day = PeriodFigure.objects.get(period=Period.DAY, dimension=Dimension.AGENT, key=carol.pk, start=T0.date())
    assert day.values["tickets_resolved"] == 1
    assert not PeriodFigure.objects.filter(period__in=[Period.WEEK, Period.MONTH, Period.QUARTER]).exists()
    assert set(StalePeriod.objects.values_list("period", "start")) == {
        (Period.WEEK, dt.date(2026, 10, 5)),
        (Period.MONTH, dt.date(2026, 10, 1)),
        (Period.QUARTER, dt.date(2026, 10, 1)),
    }

    with _at(T0 + minutes(75)):
        assert refresh_periods().buckets == 3
    values = month_figure(Dimension.AGENT, carol.pk)
    assert (values["tickets_resolved"], values["resolution_first_median_s"]) == (1, 3600)
    assert values == pytest.approx(export_figures(dt.date(2026, 10, 1), dt.date(2026, 10, 31), "agent")[carol.pk])
    assert not StalePeriod.objects.exists()
    assert RefreshState.objects.get().periods_refreshed_at == T0 + minutes(75)
    with _at(T0 + minutes(90)):
        assert refresh_periods().buckets == 0


def test_a_late_miss_in_a_stale_period_waits_for_its_recount(alice, carol, service_desk, monkeypatch):
    """The incremental run adds a late miss to the SLA counts of a period it does not recount,
    unless that period is stale: its stored row may lack outcomes the recount will count."""
    from kpis.verify import differences

    _around_the_clock_policy(since=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    late = _answered_ticket(alice, carol, 10)  # due resolved by 13:00 on 5 October
    with _at(T0 + minutes(30)):
        refresh_now()
    _answered_ticket(alice, carol, 10, at=T0 + dt.timedelta(days=1), subject="Printer")
    with _at(T0 + dt.timedelta(days=1, minutes=30)):
        refresh_incremental()  # October's week, month and quarter now wait for their recount
    november = T0 + dt.timedelta(days=40)
    with _at(november):
        ticket_resolve(late, code="fixed", summary="At last", acting_user=carol)

    added = []
    monkeypatch.setattr(rollups, "add_late_outcomes", _spy(rollups.add_late_outcomes, added))
    with _at(november + minutes(5)):
        refresh_incremental()
    # The day the miss fell due is current and gets it; October's week and month are stale.
    assert set(added) == {(Period.DAY, (dt.date(2026, 10, 5),))}
    day = PeriodFigure.objects.get(period=Period.DAY, dimension=Dimension.DESK, key=0, start=dt.date(2026, 10, 5))
    assert day.values["sla_resolution_due"] == 1
    assert month_figure(Dimension.DESK, 0)["sla_resolution_due"] == 0

    with _at(november + minutes(15)):
        refresh_periods()
        assert differences(periods=Period.values) == []
    october = month_figure(Dimension.DESK, 0)
    assert (october["sla_resolution_due"], october["sla_resolution_met"], october["sla_response_due"]) == (1, 0, 2)


def test_kpi_verify_leaves_out_the_periods_waiting_for_their_recount(alice, carol, service_desk):
    first = _answered_ticket(alice, carol, 10)
    with _at(T0 + minutes(30)):
        refresh_now()
        ticket_resolve(first, code="fixed", summary="Restarted", acting_user=carol)
    with _at(T0 + minutes(31)):
        refresh_incremental()
    assert month_figure(Dimension.AGENT, carol.pk)["tickets_resolved"] == 0  # as of the last recount

    out = StringIO()
    with _at(T0 + minutes(32)):
        call_command("kpi_verify", stdout=out)
    assert "1 period(s) not compared" in out.getvalue()
    assert "KPI figures match the event log." in out.getvalue()

    with _at(T0 + minutes(45)):
        refresh_periods()
        out = StringIO()
        call_command("kpi_verify", stdout=out)
    assert "not compared" not in out.getvalue()
    assert month_figure(Dimension.AGENT, carol.pk)["tickets_resolved"] == 1
