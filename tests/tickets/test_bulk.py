"""Bulk actions: each ticket goes through its single-ticket service; refusals do not stop the rest."""

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from helpdesk.errors import ApplicationError
from notifications.models import OutboxEmail
from tests.factories import UserFactory
from tickets.models import EventKind, LinkKind, Status, Ticket, TicketLink
from tickets.services import (
    BulkAction,
    bulk_apply,
    ticket_assign,
    ticket_change_status,
    ticket_change_team,
    ticket_create,
    ticket_resolve,
    ticket_set_tags,
)

BULK_URL = reverse("tickets:agent_bulk")


def changes(ticket):
    """The events after creation, as (kind, old, new, actor)."""
    return [(e.kind, e.old_value, e.new_value, e.actor) for e in ticket.events.order_by("created_at", "id")][1:]


def who(user):
    return None if user is None else {"id": user.pk, "name": user.full_name}


def refreshed(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def emails(ticket):
    return list(OutboxEmail.objects.filter(ticket=ticket).order_by("id").values_list("kind", "to", "subject"))


def open_for(requester, subject, **kwargs):
    return ticket_create(requester=requester, subject=subject, description="Details.", acting_user=requester, **kwargs)


@pytest.fixture
def frank(service_desk):
    """A second Service Desk agent."""
    agent = UserFactory(email="frank@helpdesk.example", full_name="Frank Ode", role=Role.AGENT)
    service_desk.members.add(agent)
    return agent


@pytest.fixture
def queue(alice, bob, service_desk):
    return [open_for(alice, "Printer offline"), open_for(bob, "Outlook slow"), open_for(alice, "VPN drops")]


@pytest.fixture
def single(alice, service_desk):
    """A ticket changed one at a time, to compare with the bulk change."""
    return open_for(alice, "Same change, by hand")


def assert_same_as_single(bulk_tickets, single_ticket):
    for ticket in bulk_tickets:
        assert changes(ticket) == changes(single_ticket)
        assert [kind for kind, _, _ in emails(ticket)] == [kind for kind, _, _ in emails(single_ticket)]


# --- the four changes ---------------------------------------------------------------------------


def test_bulk_assign_records_what_single_assignments_record(queue, single, carol, frank):
    result = bulk_apply(queue, "assign", acting_user=carol, assignee=frank)
    ticket_assign(single, frank, acting_user=carol)

    assert (result.updated, result.unchanged, result.refused) == ([t.reference for t in queue], [], [])
    assert changes(queue[0]) == [
        (EventKind.ASSIGNED, None, who(frank), carol),
        (EventKind.STATUS_CHANGED, "new", "open", carol),
    ]
    assert_same_as_single(queue, single)
    assert [to for _, to, _ in emails(queue[0])] == ["alice@acme.example", "frank@helpdesk.example"]


def test_bulk_assign_to_me_sends_no_assignment_email(queue, carol):
    bulk_apply(queue, "assign", acting_user=carol, assignee="me")

    assert {refreshed(t).assignee for t in queue} == {carol}
    assert not OutboxEmail.objects.filter(kind="assigned").exists()


def test_bulk_status_records_what_single_changes_record(queue, single, carol):
    result = bulk_apply(queue, "status", acting_user=carol, status="pending")
    ticket_change_status(single, "pending", acting_user=carol)

    assert result.updated == [t.reference for t in queue]
    assert changes(queue[1]) == [(EventKind.STATUS_CHANGED, "new", "pending", carol)]
    assert_same_as_single(queue, single)
    assert emails(queue[1])[-1][:2] == ("status_changed", "bob@acme.example")


def test_bulk_team_move_records_what_single_moves_record(queue, single, carol, network_team):
    ticket_assign(queue[0], carol, acting_user=carol)
    ticket_assign(single, carol, acting_user=carol)

    result = bulk_apply(queue, "team", acting_user=carol, team=network_team)
    ticket_change_team(single, network_team, acting_user=carol)

    assert result.updated == [t.reference for t in queue]
    assert changes(queue[0])[2:] == [
        (
            EventKind.TEAM_CHANGED,
            {"id": queue[0].team_id, "name": "Service Desk"},
            {"id": network_team.pk, "name": "Network"},
            carol,
        ),
        (EventKind.ASSIGNED, who(carol), None, carol),  # carol is not in Network
    ]
    assert changes(queue[0]) == changes(single)
    assert {refreshed(t).team for t in queue} == {network_team}


def test_bulk_add_tag_keeps_the_tags_a_ticket_has(queue, single, carol):
    ticket_set_tags(queue[0], ["printer"], acting_user=carol)
    ticket_set_tags(single, ["printer"], acting_user=carol)

    result = bulk_apply(queue, "add_tag", acting_user=carol, tag="Floor 2")
    ticket_set_tags(single, ["printer", "floor-2"], acting_user=carol)

    assert result.updated == [t.reference for t in queue]
    assert changes(queue[0]) == [
        (EventKind.TAGS_CHANGED, [], ["printer"], carol),
        (EventKind.TAGS_CHANGED, ["printer"], ["floor-2", "printer"], carol),
    ]
    assert changes(queue[0]) == changes(single)
    assert changes(queue[1]) == [(EventKind.TAGS_CHANGED, [], ["floor-2"], carol)]


def test_tickets_already_so_are_reported_unchanged_without_events(queue, carol):
    ticket_assign(queue[0], carol, acting_user=carol)

    result = bulk_apply(queue, "assign", acting_user=carol, assignee=carol)

    assert result.unchanged == [queue[0].reference]
    assert result.updated == [queue[1].reference, queue[2].reference]
    assert [kind for kind, *_ in changes(queue[0])] == [EventKind.ASSIGNED, EventKind.STATUS_CHANGED]


def test_bulk_merge_into_the_first_selected(queue, alice, carol):
    first, _, third = queue  # queue[1] is bob's: Acme does not share tickets

    result = bulk_apply(queue, "merge", acting_user=carol)

    assert result.target == first.reference
    assert result.updated == [third.reference]
    assert result.refused == [
        (
            queue[1].reference,
            f"{queue[1].reference} and {first.reference} were raised by different people who cannot see each "
            "other's requests; merging would show one of them the other's conversation. Link them as related "
            "instead.",
        )
    ]
    assert refreshed(third).status == Status.CLOSED
    assert TicketLink.objects.filter(source=third, target=first, kind=LinkKind.DUPLICATE_OF).exists()
    assert changes(first) == [(EventKind.MERGED, None, {"from": [third.pk]}, carol)]


def test_bulk_merge_into_a_chosen_ticket(queue, carol):
    first, _, third = queue

    result = bulk_apply([first], "merge", acting_user=carol, into=third)

    assert (result.target, result.updated) == (third.reference, [first.reference])
    assert refreshed(first).status == Status.CLOSED


# --- refusals -------------------------------------------------------------------------------


def test_dave_changes_his_teams_tickets_and_the_others_are_refused(alice, queue, dave, network_team):
    network_ticket = open_for(alice, "Switch port dead", team=network_team)
    before = [changes(t) for t in queue]

    result = bulk_apply([queue[0], network_ticket, queue[1]], "status", acting_user=dave, status="on_hold")

    assert result.updated == [network_ticket.reference]
    assert result.refused == [
        (queue[0].reference, "You may not change this ticket."),
        (queue[1].reference, "You may not change this ticket."),
    ]
    assert refreshed(network_ticket).status == Status.ON_HOLD
    assert [changes(t) for t in queue] == before


def test_an_invalid_move_on_one_ticket_leaves_the_others_to_go_through(queue, carol):
    ticket_resolve(queue[1], code="fixed", summary="Restarted", acting_user=carol)

    result = bulk_apply(queue, "status", acting_user=carol, status="pending")

    assert result.updated == [queue[0].reference, queue[2].reference]
    assert result.refused == [
        (queue[1].reference, "A ticket that is “Resolved” cannot be set to “Pending (waiting on requester)”.")
    ]
    assert refreshed(queue[1]).status == Status.RESOLVED


@pytest.mark.parametrize(
    ("action", "params", "message"),
    [
        ("close", {}, "Unknown bulk action."),
        ("status", {"status": "resolved"}, "Choose open, pending or on hold."),
        ("assign", {}, "Choose who gets the tickets."),
        ("assign", {"assignee": "alice"}, "Tickets can only be assigned to active agents."),
        ("team", {"team": None}, "Choose a team."),
        ("add_tag", {"tag": "  !!"}, "Give a tag (letters, digits or dashes)."),
    ],
)
def test_wrong_parameters_refuse_the_whole_request(queue, carol, action, params, message):
    with pytest.raises(ApplicationError) as refused:
        bulk_apply(queue, action, acting_user=carol, **params)

    assert str(refused.value.message) == message
    assert all(changes(t) == [] for t in queue)


def test_a_requester_cannot_be_an_assignee(queue, carol, alice):
    with pytest.raises(ApplicationError, match="active agents"):
        bulk_apply(queue, BulkAction.ASSIGN, acting_user=carol, assignee=alice)


# --- the view -----------------------------------------------------------------------------------


def post(client, tickets, action, follow_next="/agent/?view=team", **params):
    return client.post(
        BULK_URL, {"tickets": [t.pk if isinstance(t, Ticket) else t for t in tickets], "action": action,
                   "next": follow_next, **params},
    )  # fmt: skip


def flash(response):
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def test_agent_bulk_assigns_and_goes_back_to_the_queue(client, queue, carol, frank):
    client.force_login(carol)

    response = post(client, queue, "assign", assignee=str(frank.pk))

    assert (response.status_code, response["Location"]) == (302, "/agent/?view=team")
    assert flash(response) == [("success", "3 tickets updated")]
    assert {refreshed(t).assignee for t in queue} == {frank}
    # The queue page it goes back to shows the message once (a fresh hole in a page drawn once).
    page = client.get(response["Location"]).content.decode()
    assert page.count("3 tickets updated") == 1
    assert "3 tickets updated" not in client.get(response["Location"]).content.decode()


def test_agent_bulk_reports_each_refusal_by_reference(client, queue, carol):
    ticket_resolve(queue[2], code="fixed", summary="Restarted", acting_user=carol)
    client.force_login(carol)

    response = post(client, queue, "status", status="on_hold")

    reference = queue[2].reference
    assert flash(response) == [
        (
            "warning",
            f"2 tickets updated, 1 refused: {reference}: A ticket that is “Resolved” cannot be set to "
            "“On hold (waiting on a third party)”.",
        )
    ]


def test_tickets_of_another_team_posted_by_id_are_not_touched_nor_named(client, alice, queue, dave, network_team):
    network_ticket = open_for(alice, "Switch port dead", team=network_team)
    client.force_login(dave)

    response = post(client, [queue[0], network_ticket, 999_999], "add_tag", tag="outage")

    assert flash(response) == [("warning", "1 ticket updated, 2 not found")]
    assert changes(queue[0]) == []
    assert list(refreshed(network_ticket).tags.values_list("name", flat=True)) == ["outage"]


def test_agent_bulk_merges_into_a_chosen_reference(client, queue, carol):
    client.force_login(carol)

    response = post(client, [queue[0]], "merge", into=queue[2].reference)

    assert flash(response) == [("success", f"1 ticket merged into {queue[2].reference}")]
    assert refreshed(queue[0]).status == Status.CLOSED


def test_a_merge_target_the_agent_cannot_see_is_not_found(client, alice, queue, dave, network_team):
    network_ticket = open_for(alice, "Switch port dead", team=network_team)
    client.force_login(dave)

    response = post(client, [network_ticket], "merge", into=queue[0].reference)

    assert flash(response) == [("error", f"There is no ticket {queue[0].reference} that you can see.")]
    assert refreshed(network_ticket).status == Status.NEW


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "status", "status": "pending"}, "Select at least one ticket."),
        ({"tickets": ["abc"], "action": "status", "status": "pending"}, "The selection was not understood"),
        ({"tickets": ["HD-²"], "action": "status", "status": "pending"}, "The selection was not understood"),
        ({"tickets": ["1"], "action": "merge", "into": "HD-²"}, "There is no ticket HD-² that you can see."),
        ({"tickets": ["1"], "action": "status"}, "Choose the status to set."),
        ({"tickets": ["1"], "action": "explode"}, "Select a valid choice."),
        ({"tickets": ["1"], "action": "assign", "assignee": "12345678"}, "Choose an active agent"),
        ({"tickets": [str(n) for n in range(1, 102)], "action": "add_tag", "tag": "x"}, "at most 100 tickets"),
    ],
)
def test_an_invalid_form_changes_nothing_and_says_why(client, queue, carol, data, message):
    client.force_login(carol)

    response = client.post(BULK_URL, {"next": "/agent/", **data})

    assert response.status_code == 302
    [(level, text)] = flash(response)
    assert level == "error" and message in text
    assert all(changes(t) == [] for t in queue)


def test_an_unsafe_next_goes_home_instead(client, queue, carol):
    client.force_login(carol)

    response = post(client, queue, "add_tag", follow_next="https://evil.example/", tag="x")

    assert response["Location"] == reverse("home")


def test_requesters_are_refused_and_anonymous_visitors_sent_to_sign_in(client, queue, alice):
    client.force_login(alice)
    assert post(client, queue, "status", status="pending").status_code == 403

    client.logout()
    response = post(client, queue, "status", status="pending")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    assert all(changes(t) == [] for t in queue)


def test_get_is_not_allowed(client, carol):
    client.force_login(carol)
    assert client.get(BULK_URL).status_code == 405


# --- cost -----------------------------------------------------------------------------------


def test_bulk_costs_what_single_changes_cost_plus_one_lock_per_ticket(alice, service_desk, carol):
    tickets = [open_for(alice, f"Ticket {n}") for n in range(6)]
    with CaptureQueriesContext(connection) as single:
        ticket_change_status(tickets[0], "pending", acting_user=carol)

    with CaptureQueriesContext(connection) as bulk:
        bulk_apply(tickets[1:], "status", acting_user=carol, status="pending")

    # Per ticket: the service's own queries, plus its savepoint pair and the lock that reads its
    # version (less the user's teams, which the first call looked up once).
    assert len(bulk) <= 5 * (len(single) + 2)


def test_the_view_adds_a_constant_to_the_bulk_cost(client, alice, service_desk, carol):
    def cost(count):
        tickets = [open_for(alice, f"Ticket {n}") for n in range(count)]
        # Both requests from cold caches (the session, the agent's teams), so only the tickets differ.
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            post(client, tickets, "status", status="pending")
        return len(queries)

    client.force_login(carol)
    two, six = cost(2), cost(6)

    per_ticket = (six - two) / 4
    assert per_ticket == int(per_ticket)
    assert two - 2 * per_ticket <= 5  # session, user, their teams, one query for the whole selection


def test_tickets_already_so_are_counted_apart(client, queue, carol):
    ticket_assign(queue[1], carol, acting_user=carol)
    client.force_login(carol)

    response = post(client, queue, "assign", assignee="me")

    assert flash(response) == [("success", "2 tickets updated, 1 unchanged")]
