"""/api/v1/tickets/{reference}/checklist/: a maintenance ticket's steps, ticked over the API as on
the agent's page; resolving with open steps is refused with code ``checklist_incomplete``."""

import datetime as dt

import pytest
from django.urls import reverse

from maintenance.services import open_due_runs
from tests.maintenance import conftest as maintenance_fixtures
from tickets.models import EventKind, Status
from tickets.services import ticket_create

UTC = dt.UTC
# The maintenance tests' plan factory (erin's plans for the Service Desk).
make_plan = maintenance_fixtures.make_plan


@pytest.fixture
def ticket(make_plan, carol):
    make_plan(assignee=carol, checklist="Restore the backup\nCompare row counts")
    (run,) = open_due_runs(dt.datetime(2026, 3, 2, 9, 1, tzinfo=UTC))
    return run.ticket


def url(ticket) -> str:
    return reverse("tickets_api:ticket-checklist", args=[ticket.reference])


def tick_url(ticket, item) -> str:
    return reverse("tickets_api:ticket-checklist-item", args=[ticket.reference, item.pk])


def resolve(client, ticket):
    return client.post(
        reverse("tickets_api:ticket-resolve", args=[ticket.reference]),
        {"code": "fixed", "summary": "Restored and compared."},
        format="json",
    )


def test_staff_of_the_ticket_read_its_steps_in_order(as_user, carol, ticket):
    response = as_user(carol).get(url(ticket))

    assert response.status_code == 200, response.content
    rows = response.json()
    assert [(row["position"], row["text"], row["done"]) for row in rows] == [
        (1, "Restore the backup", False),
        (2, "Compare row counts", False),
    ]
    assert rows[0]["done_at"] is None and rows[0]["done_by"] is None


def test_ticking_records_who_and_when_and_unticking_clears_it(as_user, carol, ticket):
    item = ticket.checklist_items.first()
    version = ticket.version
    client = as_user(carol)

    ticked = client.post(tick_url(ticket, item), {"done": True}, format="json")
    again = client.post(tick_url(ticket, item), {"done": True}, format="json")

    assert ticked.status_code == 200, ticked.content
    assert ticked.json()["done"] is True and ticked.json()["done_by"] == carol.pk
    assert again.json()["done_at"] == ticked.json()["done_at"]  # idempotent
    item.refresh_from_db()
    assert item.done_by == carol and item.done_at is not None
    ticket.refresh_from_db()
    assert ticket.version == version  # as on the page: a tick is not an edit of the ticket

    unticked = client.post(tick_url(ticket, item), {"done": False}, format="json")
    assert unticked.json()["done"] is False
    item.refresh_from_db()
    assert item.done_at is None and item.done_by is None


def test_resolving_with_open_steps_is_refused_with_checklist_incomplete(as_user, carol, ticket):
    client = as_user(carol)
    first, second = ticket.checklist_items.all()
    client.post(tick_url(ticket, first), {"done": True}, format="json")

    refused = resolve(client, ticket)

    assert refused.status_code in (400, 409), refused.content
    assert refused.json()["code"] == "checklist_incomplete"
    assert refused.json()["extra"]["open_steps"] == 1
    ticket.refresh_from_db()
    assert ticket.status != Status.RESOLVED
    assert not ticket.events.filter(kind=EventKind.RESOLVED).exists()

    client.post(tick_url(ticket, second), {"done": True}, format="json")
    resolved = resolve(client, ticket)
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["status"] == "resolved"
    assert ticket.events.filter(kind=EventKind.RESOLVED).count() == 1


def test_a_resolved_tickets_checklist_no_longer_changes(as_user, carol, ticket):
    client = as_user(carol)
    for item in ticket.checklist_items.all():
        client.post(tick_url(ticket, item), {"done": True}, format="json")
    resolve(client, ticket)
    item = ticket.checklist_items.first()

    response = client.post(tick_url(ticket, item), {"done": False}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    item.refresh_from_db()
    assert item.done_at is not None


@pytest.mark.parametrize("body", [{}, {"done": "maybe"}, {"done": None}, {"done": [True]}])
def test_bad_input_is_a_400_and_ticks_nothing(as_user, carol, ticket, body):
    item = ticket.checklist_items.first()

    response = as_user(carol).post(tick_url(ticket, item), body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and "done" in response.json()["fields"]
    item.refresh_from_db()
    assert item.done_at is None


def test_a_step_of_another_ticket_is_a_404(as_user, carol, alice, ticket, service_desk):
    other = ticket_create(requester=alice, subject="Other", description="x", acting_user=alice)
    item = ticket.checklist_items.first()

    response = as_user(carol).post(tick_url(other, item), {"done": True}, format="json")

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.done_at is None


@pytest.mark.parametrize(("caller", "status"), [("dave", 404), ("oscar", 404), ("alice", 404)])
def test_who_may_not_see_the_ticket_gets_404(request, as_user, ticket, caller, status):
    # A maintenance ticket is requested by the system account: no requester side to see it.
    item = ticket.checklist_items.first()
    client = as_user(request.getfixturevalue(caller))

    assert client.get(url(ticket)).status_code == status
    assert client.post(tick_url(ticket, item), {"done": True}, format="json").status_code == status
    item.refresh_from_db()
    assert item.done_at is None


def test_the_requester_side_gets_403(as_user, alice, carol, service_desk):
    ticket = ticket_create(requester=alice, subject="Printer", description="x", acting_user=alice)

    response = as_user(alice).get(url(ticket))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert as_user(carol).get(url(ticket)).json() == []


@pytest.mark.parametrize("caller", ["erin", "ada"])
def test_the_teams_manager_and_an_admin_tick_too(request, as_user, ticket, caller):
    item = ticket.checklist_items.first()

    response = as_user(request.getfixturevalue(caller)).post(tick_url(ticket, item), {"done": True}, format="json")

    assert response.status_code == 200, response.content


def test_the_list_reads_in_a_constant_number_of_queries(
    as_user, carol, ticket, make_plan, django_assert_max_num_queries
):
    client = as_user(carol)
    client.get(url(ticket))
    with django_assert_max_num_queries(20) as few:
        client.get(url(ticket))
    make_plan(title="Long one", checklist="\n".join(f"Step {number}" for number in range(40)), weekday=1)
    long_ticket = next(run.ticket for run in open_due_runs(dt.datetime(2026, 3, 3, 9, 1, tzinfo=UTC)))

    with django_assert_max_num_queries(len(few)) as many:
        response = client.get(url(long_ticket))

    assert len(response.json()) == 40
    assert len(many) == len(few)
