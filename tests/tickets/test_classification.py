"""Priority (impact × urgency, or an override with a reason), category, type, complexity and tags."""

import pytest
from django.core.exceptions import PermissionDenied

from helpdesk.errors import ApplicationError
from tickets.models import Category, EventKind, Impact, Priority, Ticket, TicketType, Urgency
from tickets.services import (
    ticket_change_category,
    ticket_change_complexity,
    ticket_change_priority,
    ticket_change_type,
    ticket_create,
    ticket_set_tags,
)


def events(ticket):
    return [(e.kind, e.old_value, e.new_value, e.actor) for e in ticket.events.order_by("created_at", "id")]


def refreshed(ticket):
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def ticket(alice, service_desk):
    # Just me, it slows my work down: P4.
    return ticket_create(requester=alice, subject="Slow Wi-Fi", description="In room 2.", acting_user=alice)


@pytest.fixture
def printers():
    hardware = Category.objects.create(name="Hardware (test)")
    return Category.objects.create(name="Printers", parent=hardware)


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [
        (Impact.ORGANISATION, Urgency.BLOCKED, Priority.P1),
        (Impact.ORGANISATION, Urgency.DEGRADED, Priority.P2),
        (Impact.ORGANISATION, Urgency.CAN_WAIT, Priority.P3),
        (Impact.GROUP, Urgency.BLOCKED, Priority.P2),
        (Impact.GROUP, Urgency.DEGRADED, Priority.P3),
        (Impact.GROUP, Urgency.CAN_WAIT, Priority.P4),
        (Impact.PERSON, Urgency.BLOCKED, Priority.P3),
        (Impact.PERSON, Urgency.DEGRADED, Priority.P4),
        (Impact.PERSON, Urgency.CAN_WAIT, Priority.P4),
    ],
)
def test_new_ticket_priority_follows_the_itil_matrix(alice, service_desk, impact, urgency, priority):
    ticket = ticket_create(
        requester=alice, subject="Mail down", description="No mail.", acting_user=alice, impact=impact, urgency=urgency
    )

    assert (refreshed(ticket).priority, ticket.priority_reason) == (priority, "")


def test_agent_changes_impact_and_priority_follows(ticket, carol):
    ticket_change_priority(ticket, acting_user=carol, impact=Impact.ORGANISATION, urgency=Urgency.BLOCKED)

    ticket = refreshed(ticket)
    assert (ticket.impact, ticket.urgency, ticket.priority, ticket.priority_reason) == (1, 1, 1, "")
    assert events(ticket)[1:] == [
        (
            EventKind.PRIORITY_CHANGED,
            {"impact": 3, "urgency": 2, "priority": 4},
            {"impact": 1, "urgency": 1, "priority": 1, "reason": ""},
            carol,
        )
    ]


def test_agent_overrides_priority_with_a_reason(ticket, carol):
    ticket_change_priority(ticket, acting_user=carol, priority=Priority.P2, reason="  CEO's laptop  ")

    ticket = refreshed(ticket)
    assert (ticket.priority, ticket.priority_reason) == (2, "CEO's laptop")
    assert events(ticket)[1:] == [
        (
            EventKind.PRIORITY_CHANGED,
            {"impact": 3, "urgency": 2, "priority": 4},
            {"impact": 3, "urgency": 2, "priority": 2, "reason": "CEO's laptop"},
            carol,
        )
    ]


@pytest.mark.parametrize("reason", ["", "   "])
def test_override_without_a_reason_is_refused(ticket, carol, reason):
    with pytest.raises(ApplicationError) as refused:
        ticket_change_priority(ticket, acting_user=carol, priority=Priority.P1, reason=reason)

    assert refused.value.extra == {"field": "reason"}
    assert refreshed(ticket).priority == Priority.P4
    assert len(events(ticket)) == 1


def test_override_survives_a_save_without_changes_but_not_a_new_impact(ticket, carol):
    ticket_change_priority(ticket, acting_user=carol, priority=Priority.P2, reason="VIP")

    ticket_change_priority(ticket, acting_user=carol)
    assert (refreshed(ticket).priority, refreshed(ticket).priority_reason) == (2, "VIP")
    assert len(events(ticket)) == 2

    ticket_change_priority(ticket, acting_user=carol, impact=Impact.GROUP)
    assert (refreshed(ticket).priority, refreshed(ticket).priority_reason) == (Priority.P3, "")


def test_choosing_the_computed_priority_drops_the_reason(ticket, carol):
    ticket_change_priority(ticket, acting_user=carol, priority=Priority.P4, reason="just because")

    assert refreshed(ticket).priority_reason == ""
    assert len(events(ticket)) == 1


@pytest.mark.parametrize(
    "change", [{"priority": 0, "reason": "x"}, {"priority": 5, "reason": "x"}, {"impact": 4}, {"urgency": 0}]
)
def test_out_of_range_priority_impact_or_urgency_is_refused(ticket, carol, change):
    with pytest.raises(ApplicationError):
        ticket_change_priority(ticket, acting_user=carol, **change)

    assert len(events(ticket)) == 1


def test_agent_sets_and_clears_the_category(ticket, carol, printers):
    ticket_change_category(ticket, printers, acting_user=carol)
    ticket_change_category(ticket, None, acting_user=carol)

    assert refreshed(ticket).category is None
    shown = {"id": printers.pk, "name": "Hardware (test) › Printers"}
    assert events(ticket)[1:] == [
        (EventKind.CATEGORY_CHANGED, None, shown, carol),
        (EventKind.CATEGORY_CHANGED, shown, None, carol),
    ]


def test_agent_changes_the_type(ticket, carol):
    ticket_change_type(ticket, TicketType.QUESTION, acting_user=carol)

    assert refreshed(ticket).type == "question"
    assert events(ticket)[1:] == [(EventKind.TYPE_CHANGED, "incident", "question", carol)]


def test_unknown_type_is_refused(ticket, carol):
    with pytest.raises(ApplicationError):
        ticket_change_type(ticket, "complaint", acting_user=carol)

    assert refreshed(ticket).type == "incident"


def test_agent_sets_complexity_from_one_to_five(ticket, carol):
    ticket_change_complexity(ticket, 5, acting_user=carol)
    ticket_change_complexity(ticket, None, acting_user=carol)

    assert refreshed(ticket).complexity is None
    assert events(ticket)[1:] == [
        (EventKind.COMPLEXITY_CHANGED, None, 5, carol),
        (EventKind.COMPLEXITY_CHANGED, 5, None, carol),
    ]


@pytest.mark.parametrize("complexity", [0, 6, -1])
def test_complexity_outside_one_to_five_is_refused(ticket, carol, complexity):
    with pytest.raises(ApplicationError):
        ticket_change_complexity(ticket, complexity, acting_user=carol)

    assert refreshed(ticket).complexity is None
    assert len(events(ticket)) == 1


def test_tags_are_normalised_and_recorded(ticket, carol):
    ticket_set_tags(ticket, ["VPN", "Remote Work", "vpn", "  "], acting_user=carol)
    ticket_set_tags(ticket, ["remote-work", "vpn"], acting_user=carol)  # no change, no event

    assert sorted(refreshed(ticket).tags.values_list("name", flat=True)) == ["remote-work", "vpn"]
    assert events(ticket)[1:] == [(EventKind.TAGS_CHANGED, [], ["remote-work", "vpn"], carol)]


@pytest.mark.parametrize("persona", ["alice", "oscar", "dave"])
def test_requesters_and_other_teams_cannot_classify(request, ticket, printers, network_team, persona):
    stranger = request.getfixturevalue(persona)
    changes = [
        lambda: ticket_change_priority(ticket, acting_user=stranger, impact=Impact.ORGANISATION),
        lambda: ticket_change_category(ticket, printers, acting_user=stranger),
        lambda: ticket_change_type(ticket, TicketType.QUESTION, acting_user=stranger),
        lambda: ticket_change_complexity(ticket, 3, acting_user=stranger),
        lambda: ticket_set_tags(ticket, ["urgent"], acting_user=stranger),
    ]

    for change in changes:
        with pytest.raises(PermissionDenied):
            change()

    ticket = refreshed(ticket)
    assert (ticket.priority, ticket.category, ticket.type, ticket.complexity) == (4, None, "incident", None)
    assert len(events(ticket)) == 1
