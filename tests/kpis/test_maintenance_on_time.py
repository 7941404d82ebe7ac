"""``maintenance_on_time``: maintenance runs resolved by the due time their created event carries."""

import datetime as dt

from kpis.export import export_figures
from kpis.models import Dimension, Period, PeriodFigure, ResolutionFact
from kpis.rollups import refresh_full
from tickets.models import Channel, TicketType
from tickets.services import ticket_create, ticket_resolve

MONDAY = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def _run(requester, team, carol, *, due_in_hours: int | None, resolved_after_hours: int):
    ticket = ticket_create(
        requester=requester,
        subject="Patch test",
        description="Monthly patch test",
        acting_user=None,
        type=TicketType.MAINTENANCE if due_in_hours is not None else TicketType.INCIDENT,
        channel=Channel.SCHEDULED,
        team=team,
        at=MONDAY,
        due_at=MONDAY + dt.timedelta(hours=due_in_hours) if due_in_hours is not None else None,
    )
    ticket_resolve(
        ticket,
        code="fixed",
        summary="Done",
        acting_user=carol,
        at=MONDAY + dt.timedelta(hours=resolved_after_hours),
    )
    return ticket


def test_only_runs_resolved_by_their_due_time_count_as_on_time(alice, carol, service_desk):
    _run(alice, service_desk, carol, due_in_hours=24, resolved_after_hours=23)  # on time
    _run(alice, service_desk, carol, due_in_hours=24, resolved_after_hours=24)  # exactly at the due time: on time
    _run(alice, service_desk, carol, due_in_hours=24, resolved_after_hours=25)  # late
    _run(alice, service_desk, carol, due_in_hours=None, resolved_after_hours=1)  # not maintenance

    agent = export_figures(*OCTOBER, "agent")[carol.pk]
    assert (agent["maintenance_done"], agent["maintenance_on_time"], agent["tickets_resolved"]) == (3, 2, 4)
    assert export_figures(*OCTOBER, "team")[service_desk.pk]["maintenance_on_time"] == 2

    refresh_full()  # the stored facts and figures say the same
    assert ResolutionFact.objects.filter(on_time=True).count() == 2
    assert ResolutionFact.objects.filter(on_time=None).count() == 1
    stored = PeriodFigure.objects.get(
        period=Period.MONTH, start=OCTOBER[0], dimension=Dimension.AGENT, key=carol.pk
    ).values
    assert stored["maintenance_on_time"] == 2
