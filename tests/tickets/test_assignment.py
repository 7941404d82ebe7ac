"""Who works a ticket: assigning, reassigning (counted) and moving between teams."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from helpdesk.errors import ApplicationError
from notifications.models import OutboxEmail
from tests.factories import TeamFactory, UserFactory
from tickets.models import EventKind, ResolutionCode, Status, Ticket
from tickets.services import ticket_assign, ticket_change_team, ticket_close, ticket_create, ticket_resolve


def events(ticket):
    return [(e.kind, e.old_value, e.new_value, e.actor) for e in ticket.events.order_by("created_at", "id")]


def refreshed(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def who(user):
    return None if user is None else {"id": user.pk, "name": user.full_name}


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Cannot print", description="Queue is stuck.", acting_user=alice)


@pytest.fixture
def frank(service_desk):
    """A second Service Desk agent."""
    agent = UserFactory(email="frank@helpdesk.example", full_name="Frank Ode", role=Role.AGENT)
    service_desk.members.add(agent)
    return agent


def test_first_assignment_opens_the_ticket_and_is_not_a_reassignment(ticket, carol, erin):
    ticket_assign(ticket, carol, acting_user=erin)

    ticket = refreshed(ticket)
    assert (ticket.assignee, ticket.status, ticket.reassignment_count) == (carol, Status.OPEN, 0)
    assert events(ticket)[1:] == [
        (EventKind.ASSIGNED, None, who(carol), erin),
        (EventKind.STATUS_CHANGED, "new", "open", erin),
    ]


def test_moving_from_one_agent_to_another_counts_a_reassignment(ticket, carol, frank, erin):
    ticket_assign(ticket, carol, acting_user=erin)

    ticket_assign(ticket, frank, acting_user=erin)

    ticket = refreshed(ticket)
    assert (ticket.assignee, ticket.reassignment_count) == (frank, 1)
    assert events(ticket)[3:] == [(EventKind.ASSIGNED, who(carol), who(frank), erin)]


def test_unassigning_then_assigning_someone_else_counts_a_reassignment(ticket, carol, frank, erin):
    ticket_assign(ticket, carol, acting_user=erin)
    ticket_assign(ticket, None, acting_user=erin)
    assert refreshed(ticket).reassignment_count == 0

    ticket_assign(ticket, frank, acting_user=erin)

    ticket = refreshed(ticket)
    assert (ticket.assignee, ticket.reassignment_count) == (frank, 1)
    assert events(ticket)[3:] == [
        (EventKind.ASSIGNED, who(carol), None, erin),
        (EventKind.ASSIGNED, None, who(frank), erin),
    ]


def test_unassigning_then_giving_it_back_to_the_same_agent_is_not_a_reassignment(ticket, carol, erin):
    ticket_assign(ticket, carol, acting_user=erin)
    ticket_assign(ticket, None, acting_user=erin)

    ticket_assign(ticket, carol, acting_user=erin)

    ticket = refreshed(ticket)
    assert (ticket.assignee, ticket.reassignment_count, ticket.status) == (carol, 0, Status.OPEN)
    assert events(ticket)[3:] == [
        (EventKind.ASSIGNED, who(carol), None, erin),
        (EventKind.ASSIGNED, None, who(carol), erin),
    ]


def test_back_and_forth_counts_each_move(ticket, carol, frank, erin):
    for agent in (carol, frank, carol):
        ticket_assign(ticket, agent, acting_user=erin)

    assert refreshed(ticket).reassignment_count == 2


def test_assigning_the_same_agent_again_records_nothing(ticket, carol):
    ticket_assign(ticket, carol, acting_user=carol)
    before = (events(ticket), refreshed(ticket).version)

    ticket_assign(ticket, carol, acting_user=carol)

    assert (events(ticket), refreshed(ticket).version) == before


def test_assigning_someone_else_emails_the_assignee_but_taking_it_yourself_does_not(ticket, carol, frank):
    ticket_assign(ticket, carol, acting_user=carol)
    assert not OutboxEmail.objects.filter(kind="assigned").exists()

    ticket_assign(ticket, frank, acting_user=carol)

    assert list(OutboxEmail.objects.filter(kind="assigned").values_list("to", flat=True)) == [frank.email]


def test_only_active_agents_can_be_assigned(ticket, alice, carol, erin):
    carol.is_active = False
    carol.save()
    before = events(ticket)

    for person in (alice, carol):
        with pytest.raises(ApplicationError) as refused:
            ticket_assign(ticket, person, acting_user=erin)
        assert refused.value.extra == {"field": "assignee"}

    assert refreshed(ticket).assignee is None
    assert events(ticket) == before


def test_closed_ticket_cannot_be_reassigned(ticket, alice, carol, frank):
    ticket_assign(ticket, carol, acting_user=carol)
    ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Cleared the queue.", acting_user=carol)
    ticket_close(ticket, acting_user=alice)

    with pytest.raises(ApplicationError):
        ticket_assign(ticket, frank, acting_user=carol)

    assert refreshed(ticket).assignee == carol


@pytest.mark.parametrize("persona", ["alice", "bob", "oscar", "dave"])
def test_requesters_and_other_teams_cannot_assign(request, acme, ticket, carol, network_team, persona):
    acme.shares_tickets = True  # even a colleague who sees the ticket may not assign it
    acme.save()
    stranger = request.getfixturevalue(persona)
    before = events(ticket)

    with pytest.raises(PermissionDenied):
        ticket_assign(ticket, carol, acting_user=stranger)

    assert refreshed(ticket).assignee is None
    assert events(ticket) == before


def test_moving_to_another_team_unassigns_an_agent_who_is_not_in_it(ticket, carol, erin, service_desk, network_team):
    ticket_assign(ticket, carol, acting_user=carol)
    before = len(events(ticket))

    ticket_change_team(ticket, network_team, acting_user=erin)

    ticket = refreshed(ticket)
    assert (ticket.team, ticket.assignee) == (network_team, None)
    assert events(ticket)[before:] == [
        (
            EventKind.TEAM_CHANGED,
            {"id": service_desk.pk, "name": "Service Desk"},
            {"id": network_team.pk, "name": "Network"},
            erin,
        ),
        (EventKind.ASSIGNED, who(carol), None, erin),
    ]


def test_moving_to_another_team_keeps_an_agent_who_is_in_it(ticket, carol, erin):
    tier2 = TeamFactory(name="Desktop", tier=2, members=[carol])
    ticket_assign(ticket, carol, acting_user=carol)

    ticket_change_team(ticket, tier2, acting_user=erin)

    ticket = refreshed(ticket)
    assert (ticket.team, ticket.assignee) == (tier2, carol)
    assert [kind for kind, *_ in events(ticket)][-1] == EventKind.TEAM_CHANGED


def test_agent_of_another_team_cannot_move_the_ticket(ticket, dave, network_team):
    with pytest.raises(PermissionDenied):
        ticket_change_team(ticket, network_team, acting_user=dave)

    assert refreshed(ticket).team.name == "Service Desk"
