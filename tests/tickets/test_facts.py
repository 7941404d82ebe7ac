"""Fact columns rebuilt from the event log equal what the services stored, scenario by scenario."""

from datetime import UTC, datetime, timedelta

import pytest

from tickets.facts import FACT_FIELDS, facts_from_events, mismatches, tickets_with_mismatches
from tickets.models import ResolutionCode, Status, Ticket
from tickets.services import (
    auto_close_resolved,
    ticket_add_note,
    ticket_assign,
    ticket_change_status,
    ticket_change_team,
    ticket_close,
    ticket_create,
    ticket_reply,
    ticket_resolve,
)
from tickets.services.escalation import escalation_send_back, ticket_escalate

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday morning


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


NOTHING_YET = {
    "status": Status.NEW,
    "first_response_at": None,
    "first_resolved_at": None,
    "resolved_at": None,
    "closed_at": None,
    "reopen_count": 0,
    "reassignment_count": 0,
    "escalation_count": 0,
    "last_public_activity_at": T0,
}


def assert_facts(ticket: Ticket, **expected) -> None:
    """The stored columns, the replayed events and the scenario's expectation all agree."""
    stored = Ticket.objects.get(pk=ticket.pk)
    wanted = {**NOTHING_YET, **expected}
    assert {field: getattr(stored, field) for field in FACT_FIELDS} == wanted
    assert facts_from_events(ticket.pk) == wanted
    assert mismatches(stored) == {}


def resolve(ticket: Ticket, agent, minutes: float) -> Ticket:
    return ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Fixed.", acting_user=agent, at=at(minutes))


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="VPN drops", description="Every hour.", acting_user=alice, at=T0)


def test_a_new_ticket_has_only_its_creation(ticket):
    assert_facts(ticket)


def test_staff_reply_on_new_is_the_first_response_and_opens_the_ticket(ticket, carol):
    ticket_reply(ticket, "Looking into it.", acting_user=carol, at=at(12))
    ticket_reply(ticket, "Still looking.", acting_user=carol, at=at(30))

    assert_facts(ticket, status=Status.OPEN, first_response_at=at(12), last_public_activity_at=at(30))


def test_notes_and_requester_replies_are_no_first_response(ticket, alice, carol):
    ticket_add_note(ticket, "Checked the gateway.", acting_user=carol, at=at(5))
    ticket_reply(ticket, "Any news?", acting_user=alice, at=at(20))

    assert_facts(ticket, status=Status.NEW, last_public_activity_at=at(20))


def test_assignment_on_new_opens_and_only_a_move_between_agents_counts(ticket, carol, erin):
    ticket_assign(ticket, carol, acting_user=carol, at=at(1))
    ticket_assign(ticket, None, acting_user=erin, at=at(2))
    ticket_assign(ticket, carol, acting_user=erin, at=at(3))  # back to the same agent: no move
    ticket_assign(ticket, erin, acting_user=erin, at=at(4))  # carol → erin: a move

    assert_facts(ticket, status=Status.OPEN, reassignment_count=1)


def test_team_change_unassigns_and_the_next_agent_counts_as_a_move(ticket, carol, dave, network_team):
    ticket_assign(ticket, carol, acting_user=carol, at=at(1))
    ticket_change_team(ticket, network_team, acting_user=carol, at=at(10))
    ticket_assign(ticket, dave, acting_user=dave, at=at(40))

    assert_facts(ticket, status=Status.OPEN, reassignment_count=1)


def test_requester_reply_reopens_a_pending_ticket(ticket, alice, carol):
    ticket_reply(ticket, "Which client version?", acting_user=carol, at=at(10))
    ticket_change_status(ticket, Status.PENDING, acting_user=carol, at=at(10))
    ticket_reply(ticket, "Version 5.2.", acting_user=alice, at=at(300))

    assert_facts(ticket, status=Status.OPEN, first_response_at=at(10), last_public_activity_at=at(300))


def test_on_hold_and_back(ticket, carol):
    ticket_assign(ticket, carol, acting_user=carol, at=at(1))
    ticket_change_status(ticket, Status.ON_HOLD, acting_user=carol, at=at(2))

    assert_facts(ticket, status=Status.ON_HOLD)

    ticket_change_status(ticket, Status.OPEN, acting_user=carol, at=at(3000))

    assert_facts(ticket, status=Status.OPEN)


def test_resolved_reopened_by_reply_resolved_again_and_closed(ticket, alice, carol):
    ticket_reply(ticket, "Update your client.", acting_user=carol, at=at(10))
    resolve(ticket, carol, 60)
    ticket_reply(ticket, "It is back.", acting_user=alice, at=at(2000))  # within the reopen window
    ticket_reply(ticket, "Sorry, looking again.", acting_user=carol, at=at(2010))
    resolve(ticket, carol, 2500)
    ticket_close(ticket, acting_user=alice, at=at(2600))

    assert_facts(
        ticket,
        status=Status.CLOSED,
        first_response_at=at(10),
        first_resolved_at=at(60),
        resolved_at=at(2500),
        closed_at=at(2600),
        reopen_count=1,
        last_public_activity_at=at(2010),
    )


def test_withdrawn_after_a_reopen_has_no_resolution(ticket, alice, carol):
    resolve(ticket, carol, 60)
    ticket_reply(ticket, "Not fixed.", acting_user=alice, at=at(120))
    ticket_close(ticket, acting_user=alice, at=at(180))

    assert_facts(
        ticket,
        status=Status.CLOSED,
        first_resolved_at=at(60),
        resolved_at=None,
        closed_at=at(180),
        reopen_count=1,
        last_public_activity_at=at(120),
    )


def test_auto_close_keeps_the_resolution_time(ticket, carol):
    resolve(ticket, carol, 60)
    closed_at = at(60) + timedelta(days=30)

    assert auto_close_resolved(now=closed_at) == 1
    assert_facts(ticket, status=Status.CLOSED, first_resolved_at=at(60), resolved_at=at(60), closed_at=closed_at)


def test_first_response_survives_the_agent_leaving(ticket, carol):
    ticket_reply(ticket, "On it.", acting_user=carol, at=at(5))
    carol.is_active = False
    carol.save(update_fields=["is_active"])

    assert_facts(ticket, status=Status.OPEN, first_response_at=at(5), last_public_activity_at=at(5))


def test_a_column_written_around_the_services_is_reported(ticket, carol):
    ticket_reply(ticket, "On it.", acting_user=carol, at=at(5))
    Ticket.objects.filter(pk=ticket.pk).update(reopen_count=2, first_response_at=None)

    expected = {"reopen_count": (2, 0), "first_response_at": (None, at(5))}
    assert mismatches(Ticket.objects.get(pk=ticket.pk)) == expected
    [(found, diff)] = tickets_with_mismatches(Ticket.objects.all())
    assert (found.pk, diff) == (ticket.pk, expected)


def test_checking_many_tickets_takes_two_queries_per_batch(alice, carol, service_desk, django_assert_num_queries):
    for n in range(5):
        created = ticket_create(requester=alice, subject=f"Printer {n}", description="Offline.", acting_user=alice)
        ticket_reply(created, "Restarted the spooler.", acting_user=carol)

    with django_assert_num_queries(2):
        assert tickets_with_mismatches(Ticket.objects.all()) == []


def test_escalations_count_and_a_send_back_does_not_undo_one(alice, carol, dave, service_desk, network_team):
    ticket = ticket_create(requester=alice, subject="VPN drops", description="Every few minutes.", acting_user=alice)
    ticket = ticket_assign(ticket, carol, acting_user=carol)
    handover = {"symptoms": "Drops hourly.", "tried": "Reinstalled the client.", "diagnostics": "Logs attached."}
    escalation = ticket_escalate(ticket, acting_user=carol, to_team=network_team, **handover)
    assert facts_from_events(ticket.pk)["escalation_count"] == 1
    escalation_send_back(escalation, reason="Client issue, not the network.", acting_user=dave)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert facts_from_events(ticket.pk)["escalation_count"] == ticket.escalation_count == 1
    ticket_escalate(ticket, acting_user=carol, to_team=network_team, **handover)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert facts_from_events(ticket.pk)["escalation_count"] == ticket.escalation_count == 2
    assert mismatches(ticket) == {}
