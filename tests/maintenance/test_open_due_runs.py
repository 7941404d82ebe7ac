"""Each run of a plan opens exactly one maintenance ticket, with its checklist and due time."""

import datetime as dt
import threading

import pytest
from django.db import connections

from maintenance.models import MaintenanceRun
from maintenance.services import open_due_runs
from notifications.models import OutboxEmail
from tickets.models import Channel, EventKind, Status, Ticket, TicketType

UTC = dt.UTC
MONDAY_0900 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the team works in UTC


@pytest.mark.django_db
def test_due_run_opens_a_maintenance_ticket_with_checklist(make_plan, carol, service_desk):
    plan = make_plan(assignee=carol, priority=2)

    opened = open_due_runs(MONDAY_0900 + dt.timedelta(minutes=1))

    assert len(opened) == 1
    run = MaintenanceRun.objects.get()
    assert run.plan == plan
    assert run.scheduled_for == MONDAY_0900
    assert run.due_at == MONDAY_0900 + dt.timedelta(hours=48)
    ticket = run.ticket
    assert (ticket.type, ticket.channel, ticket.team, ticket.assignee) == (
        TicketType.MAINTENANCE,
        Channel.SCHEDULED,
        service_desk,
        carol,
    )
    assert ticket.priority == 2
    assert ticket.status == Status.OPEN
    assert ticket.requester.email == "maintenance-plans@helpdesk.invalid"
    assert not ticket.requester.is_active
    assert list(ticket.checklist_items.values_list("position", "text", "done_at")) == [
        (1, "Restore the backup", None),
        (2, "Compare row counts", None),
        (3, "Write down the time taken", None),
    ]
    created = ticket.events.get(kind=EventKind.CREATED)
    assert created.actor is None
    assert created.new_value["due_at"] == "2026-03-04T09:00:00+00:00"
    assert list(ticket.events.order_by("seq").values_list("kind", flat=True))[:2] == [
        EventKind.CREATED,
        EventKind.ASSIGNED,
    ]
    # Nobody is e-mailed as the requester; the assignee is told like for any assignment.
    assert set(OutboxEmail.objects.values_list("to", flat=True)) <= {carol.email}


@pytest.mark.django_db
def test_second_call_opens_nothing(make_plan):
    make_plan()
    now = MONDAY_0900 + dt.timedelta(minutes=1)

    assert len(open_due_runs(now)) == 1
    assert open_due_runs(now) == []
    assert open_due_runs(now + dt.timedelta(hours=5)) == []
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_long_outage_opens_only_the_latest_missed_run(make_plan):
    make_plan(starts_on=dt.date(2026, 1, 1))

    # Beat was down from January to mid-March: ten Mondays missed, one ticket.
    opened = open_due_runs(dt.datetime(2026, 3, 18, 12, tzinfo=UTC))

    assert [run.scheduled_for for run in opened] == [dt.datetime(2026, 3, 16, 9, tzinfo=UTC)]
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_inactive_plan_and_plan_not_due_open_nothing(make_plan):
    make_plan(active=False)
    make_plan(title="Future", starts_on=dt.date(2026, 4, 1))

    assert open_due_runs(MONDAY_0900 + dt.timedelta(minutes=1)) == []
    assert MaintenanceRun.objects.count() == 0


@pytest.mark.django_db
def test_run_that_cannot_open_is_kept_as_failed(make_plan, service_desk):
    make_plan(description="", title="x" * 200)  # the subject fits; make the description fail instead
    # No description and a title made of blanks would be refused by the form; here the ticket
    # service refuses a description beyond its limit.
    from maintenance.models import MaintenancePlan

    MaintenancePlan.objects.update(description="y" * 60_000)

    opened = open_due_runs(MONDAY_0900 + dt.timedelta(minutes=1))

    assert len(opened) == 1
    run = MaintenanceRun.objects.get()
    assert run.ticket is None
    assert "50000" in run.failure or "50,000" in run.failure
    assert Ticket.objects.count() == 0
    assert open_due_runs(MONDAY_0900 + dt.timedelta(minutes=2)) == []  # not retried behind anyone's back


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_calls_open_one_ticket(erin, carol):
    from accounts.models import Team
    from maintenance.services import PlanValues, plan_create

    team = Team.objects.create(name="Operations")
    team.managers.add(erin)
    team.members.add(carol)
    plan = plan_create(
        PlanValues(title="Patch test", team=team, starts_on=dt.date(2026, 1, 1), checklist="Patch\nReboot"),
        acting_user=erin,
    )
    from maintenance.models import MaintenancePlan

    MaintenancePlan.objects.filter(pk=plan.pk).update(created_at=dt.datetime(2026, 1, 1, tzinfo=UTC))
    start = threading.Barrier(2)
    results = []

    def tick():
        try:
            start.wait()
            results.append(len(open_due_runs(MONDAY_0900 + dt.timedelta(seconds=30))))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 1]
    assert MaintenanceRun.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().checklist_items.count() == 2
