"""The escalation flow and deflection of each period, stored by the rollups (kpis/period_sections.py)."""

import datetime as dt

import time_machine

from knowledge.models import DeflectionEvent, DeflectionOutcome
from knowledge.reports import Period as ReportPeriod
from knowledge.reports import deflection_figures
from kpis.models import Period, PeriodSection
from kpis.period_sections import DEFLECTION, ESCALATION_FLOW, store_period_sections
from kpis.rollups import refresh_full, refresh_now
from tickets.models import Channel
from tickets.services import ticket_create
from tickets.services.escalation import ticket_escalate

OCT_5 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)  # a Monday
OCTOBER = dt.date(2026, 10, 1)


def _escalated(requester, carol, service_desk, network_team, at):
    ticket = ticket_create(
        requester=requester, subject="No link", description="…", acting_user=requester, team=service_desk, at=at
    )
    ticket_escalate(
        ticket,
        to_team=network_team,
        symptoms="No link",
        tried="Restart",
        diagnostics="ping fails",
        acting_user=carol,
        at=at + dt.timedelta(hours=1),
    )
    return ticket


def _section(period, start, key, team=None):
    return PeriodSection.objects.get(period=period, start=start, key=key, team=team).rows


def test_an_escalation_is_stored_for_both_teams_in_their_own_periods(alice, carol, service_desk, network_team):
    network_team.time_zone = "Asia/Shanghai"
    network_team.save()
    # Sunday Oct 11 20:00 UTC: still week Oct 5 in UTC, already Monday Oct 12 in Shanghai.
    _escalated(alice, carol, service_desk, network_team, dt.datetime(2026, 10, 11, 19, 0, tzinfo=dt.UTC))
    refresh_full()

    flow = [{"from_team": service_desk.pk, "to_team": network_team.pk, "vendor": None, "count": 1}]
    assert _section(Period.WEEK, dt.date(2026, 10, 5), ESCALATION_FLOW, service_desk) == flow
    assert _section(Period.WEEK, dt.date(2026, 10, 12), ESCALATION_FLOW, network_team) == flow
    assert not PeriodSection.objects.filter(period=Period.WEEK, start=dt.date(2026, 10, 5), team=network_team).exists()
    assert _section(Period.MONTH, OCTOBER, ESCALATION_FLOW, network_team) == flow


def test_the_incremental_refresh_updates_the_flow_and_drops_nothing_else(alice, carol, service_desk, network_team):
    _escalated(alice, carol, service_desk, network_team, OCT_5)
    refresh_full()
    with time_machine.travel(OCT_5 + dt.timedelta(days=1), tick=False):
        _escalated(alice, carol, service_desk, network_team, OCT_5 + dt.timedelta(days=1))
        refresh_now()
    assert _section(Period.MONTH, OCTOBER, ESCALATION_FLOW, service_desk)[0]["count"] == 2
    assert _section(Period.DAY, OCT_5.date(), ESCALATION_FLOW, service_desk)[0]["count"] == 1
    assert PeriodSection.objects.filter(period=Period.MONTH, start=OCTOBER, key=ESCALATION_FLOW).count() == 2


def test_stored_deflection_equals_the_knowledge_report_for_the_same_month(alice, service_desk, settings):
    settings.TIME_ZONE = "UTC"
    for day in (2, 3):
        ticket_create(
            requester=alice,
            subject="Printer",
            description="Offline",
            acting_user=alice,
            channel=Channel.WEB,
            at=dt.datetime(2026, 10, day, 9, tzinfo=dt.UTC),
        )
    for outcome, day in [
        (DeflectionOutcome.SOLVED, 2),
        (DeflectionOutcome.SOLVED, 20),
        (DeflectionOutcome.SUBMITTED, 3),
    ]:
        event = DeflectionEvent.objects.create(outcome=outcome, query="printer")
        DeflectionEvent.objects.filter(pk=event.pk).update(created_at=dt.datetime(2026, 10, day, 8, tzinfo=dt.UTC))
    # A solved request in November stays out of October.
    event = DeflectionEvent.objects.create(outcome=DeflectionOutcome.SOLVED, query="printer")
    DeflectionEvent.objects.filter(pk=event.pk).update(created_at=dt.datetime(2026, 11, 1, 0, 30, tzinfo=dt.UTC))

    store_period_sections(Period.MONTH, None, OCTOBER, dt.date(2026, 11, 30))

    october = ReportPeriod("2026-10", OCT_5.replace(day=1, hour=0), dt.datetime(2026, 11, 1, tzinfo=dt.UTC), "")
    live = deflection_figures(october)
    stored = _section(Period.MONTH, OCTOBER, DEFLECTION)
    assert stored == {
        "solved": live.solved,
        "web_tickets": live.web_tickets,
        "submitted_anyway": live.submitted_anyway,
        "submitted_anyway_tickets": live.submitted_anyway_tickets,
    }
    assert (stored["solved"], stored["web_tickets"], stored["submitted_anyway"]) == (2, 2, 1)
    assert _section(Period.MONTH, dt.date(2026, 11, 1), DEFLECTION)["solved"] == 1


def test_recomputing_a_period_without_escalations_any_more_removes_its_stored_flow(
    alice, carol, service_desk, network_team
):
    _escalated(alice, carol, service_desk, network_team, OCT_5)
    store_period_sections(Period.MONTH, [OCTOBER], OCTOBER, dt.date(2026, 10, 31))
    assert PeriodSection.objects.filter(key=ESCALATION_FLOW).count() == 2
    store_period_sections(Period.MONTH, [dt.date(2026, 9, 1)], dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert PeriodSection.objects.filter(key=ESCALATION_FLOW).count() == 2  # another month: October kept
    PeriodSection.objects.update(rows=[])
    store_period_sections(Period.MONTH, [OCTOBER], OCTOBER, dt.date(2026, 10, 31))
    assert _section(Period.MONTH, OCTOBER, ESCALATION_FLOW, service_desk)[0]["count"] == 1
