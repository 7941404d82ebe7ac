"""The ticket lifecycle: the transition table, reopening, follow-ups, resolving and closing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from helpdesk.errors import ApplicationError, ConflictError
from tickets.lifecycle import InvalidTransition, Side, check_transition
from tickets.models import EventKind, LinkKind, Message, ResolutionCode, Status, Ticket, TicketLink
from tickets.services import (
    ticket_assign,
    ticket_change_status,
    ticket_close,
    ticket_create,
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
)

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

NEW, OPEN, PENDING, ON_HOLD, RESOLVED, CLOSED = Status
STAFF, REQUESTER, SYSTEM = Side.STAFF, Side.REQUESTER, Side.SYSTEM
ACTIVE = (NEW, OPEN, PENDING, ON_HOLD)

# The table as the spec reads (§3): who may make which move. Anything not listed is refused.
ALLOWED = {
    (NEW, OPEN): {STAFF},
    (NEW, PENDING): {STAFF},
    (NEW, ON_HOLD): {STAFF},
    (OPEN, PENDING): {STAFF},
    (OPEN, ON_HOLD): {STAFF},
    (PENDING, OPEN): {STAFF, REQUESTER},  # the requester's reply re-opens it
    (PENDING, ON_HOLD): {STAFF},
    (ON_HOLD, OPEN): {STAFF},
    (ON_HOLD, PENDING): {STAFF},
    **{(status, RESOLVED): {STAFF, SYSTEM} for status in ACTIVE},  # SYSTEM: monitoring auto-resolve
    (RESOLVED, OPEN): {STAFF, REQUESTER},  # reopening
    (RESOLVED, CLOSED): {STAFF, REQUESTER, SYSTEM},  # confirmed, or auto-closed
    **{(status, CLOSED): {REQUESTER} for status in ACTIVE},  # the requester withdraws
}
EVERY_MOVE = [(frm, to, side) for frm in Status for to in Status for side in Side]


def events(ticket):
    return [(e.kind, e.old_value, e.new_value, e.actor) for e in ticket.events.order_by("created_at", "id")]


def refreshed(ticket):
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def ticket(alice, service_desk, time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return ticket_create(requester=alice, subject="VPN drops", description="Every hour.", acting_user=alice)


@pytest.fixture
def open_ticket(ticket, carol):
    return ticket_assign(ticket, carol, acting_user=carol)


def resolve(ticket, agent, summary="Replaced the router."):
    return ticket_resolve(ticket, code=ResolutionCode.FIXED, summary=summary, acting_user=agent)


# --- the table ------------------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target", "side"), [m for m in EVERY_MOVE if m[2] in ALLOWED.get(m[:2], ())])
def test_allowed_move_passes_the_table(current, target, side):
    check_transition(current, target, side)


@pytest.mark.parametrize(("current", "target", "side"), [m for m in EVERY_MOVE if m[2] not in ALLOWED.get(m[:2], ())])
def test_any_other_move_is_refused_with_a_clear_message(current, target, side):
    with pytest.raises(InvalidTransition) as refused:
        check_transition(current, target, side)

    assert str(Status(current).label) in str(refused.value.message)
    assert str(Status(target).label) in str(refused.value.message)
    assert isinstance(refused.value, ConflictError)


def test_closed_ticket_cannot_go_anywhere():
    for target in Status:
        for side in Side:
            with pytest.raises(InvalidTransition):
                check_transition(CLOSED, target, side)


# --- status changes through the service ----------------------------------------------------


def test_agent_puts_open_ticket_on_hold_and_back(open_ticket, carol):
    before = len(events(open_ticket))

    ticket_change_status(open_ticket, ON_HOLD, acting_user=carol)
    ticket_change_status(open_ticket, OPEN, acting_user=carol)

    assert refreshed(open_ticket).status == OPEN
    assert events(open_ticket)[before:] == [
        (EventKind.STATUS_CHANGED, "open", "on_hold", carol),
        (EventKind.STATUS_CHANGED, "on_hold", "open", carol),
    ]


@pytest.mark.parametrize("target", [PENDING, ON_HOLD, OPEN])
def test_requester_cannot_set_the_status_of_their_own_ticket(ticket, alice, target):
    before = events(ticket)

    with pytest.raises(InvalidTransition):
        ticket_change_status(ticket, target, acting_user=alice)

    assert refreshed(ticket).status == NEW
    assert events(ticket) == before


def test_status_change_refuses_resolve_and_close_which_have_their_own_service(open_ticket, carol):
    for target in (RESOLVED, CLOSED):
        with pytest.raises(ApplicationError):
            ticket_change_status(open_ticket, target, acting_user=carol)

    assert refreshed(open_ticket).status == OPEN


def test_agent_cannot_close_an_unresolved_ticket(open_ticket, carol):
    with pytest.raises(InvalidTransition):
        ticket_close(open_ticket, acting_user=carol)

    assert refreshed(open_ticket).status == OPEN


def test_closed_ticket_is_final_for_staff(open_ticket, carol, alice):
    resolve(open_ticket, carol)
    ticket_close(open_ticket, acting_user=alice)
    before = events(open_ticket)

    with pytest.raises(InvalidTransition):
        ticket_change_status(open_ticket, OPEN, acting_user=carol)
    with pytest.raises(InvalidTransition):
        ticket_reopen(open_ticket, acting_user=carol)

    assert refreshed(open_ticket).status == CLOSED
    assert events(open_ticket) == before


# --- replies that move the ticket -----------------------------------------------------------


def test_requester_reply_reopens_pending_ticket(open_ticket, carol, alice, time_machine):
    ticket_change_status(open_ticket, PENDING, acting_user=carol)
    before = len(events(open_ticket))
    time_machine.move_to(MONDAY + timedelta(hours=2), tick=False)

    result = ticket_reply(open_ticket, "Here is the log you asked for.", acting_user=alice)

    ticket = refreshed(open_ticket)
    assert ticket.status == OPEN
    assert result.follow_up is None
    assert events(ticket)[before:] == [
        (EventKind.REPLIED, None, {"message": result.message.pk, "attachments": 0, "side": "requester"}, alice),
        (EventKind.STATUS_CHANGED, "pending", "open", alice),
    ]


def test_agent_reply_leaves_pending_ticket_pending(open_ticket, carol):
    ticket_change_status(open_ticket, PENDING, acting_user=carol)

    ticket_reply(open_ticket, "Any news?", acting_user=carol)

    assert refreshed(open_ticket).status == PENDING


def test_requester_reply_within_reopen_window_reopens_resolved_ticket(open_ticket, carol, alice, time_machine):
    resolve(open_ticket, carol)
    before = len(events(open_ticket))
    time_machine.move_to(MONDAY + timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS) - timedelta(minutes=1))

    result = ticket_reply(open_ticket, "It drops again.", acting_user=alice)

    ticket = refreshed(open_ticket)
    assert (ticket.status, ticket.reopen_count, ticket.resolved_at) == (OPEN, 1, None)
    assert ticket.first_resolved_at == MONDAY
    assert result.follow_up is None
    assert result.message.ticket_id == ticket.pk
    assert events(ticket)[before:] == [
        (EventKind.REOPENED, "resolved", {"reason": "requester_reply"}, alice),
        (EventKind.REPLIED, None, {"message": result.message.pk, "attachments": 0, "side": "requester"}, alice),
    ]
    assert not TicketLink.objects.exists()


def test_requester_reply_after_reopen_window_opens_linked_follow_up(open_ticket, carol, alice, time_machine):
    resolve(open_ticket, carol)
    original_events = events(open_ticket)
    time_machine.move_to(MONDAY + timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS, minutes=1))

    result = ticket_reply(open_ticket, "It drops again.", acting_user=alice)

    original = refreshed(open_ticket)
    assert (original.status, original.reopen_count) == (RESOLVED, 0)
    assert events(original) == original_events
    assert not original.messages.exists()

    follow_up = result.follow_up
    assert result.ticket == follow_up and result.message is None
    assert follow_up.pk != original.pk
    assert follow_up.subject == "Follow-up: VPN drops"
    assert follow_up.description == "It drops again."
    assert (follow_up.requester, follow_up.status, follow_up.team) == (alice, NEW, original.team)
    assert list(TicketLink.objects.values_list("source", "target", "kind")) == [
        (follow_up.pk, original.pk, LinkKind.FOLLOW_UP_OF)
    ]
    assert [(kind, actor) for kind, _old, _new, actor in events(follow_up)] == [
        (EventKind.CREATED, alice),
        (EventKind.LINKED, alice),
    ]
    assert events(follow_up)[1][2] == {"kind": "follow_up_of", "ticket": original.pk}


def test_requester_reply_to_closed_ticket_opens_follow_up(open_ticket, carol, alice, time_machine):
    resolve(open_ticket, carol)
    ticket_close(open_ticket, acting_user=alice)
    time_machine.move_to(MONDAY + timedelta(minutes=5))

    result = ticket_reply(open_ticket, "Actually, one more thing.", acting_user=alice)

    assert refreshed(open_ticket).status == CLOSED
    assert not open_ticket.messages.exists()
    assert result.follow_up is not None
    assert TicketLink.objects.filter(source=result.follow_up, target=open_ticket, kind=LinkKind.FOLLOW_UP_OF).exists()


def test_colleague_reply_to_shared_closed_ticket_opens_follow_up(open_ticket, carol, alice, bob, acme):
    Ticket.objects.filter(pk=open_ticket.pk).update(shared_with_organisation=True)
    resolve(open_ticket, carol)
    ticket_close(open_ticket, acting_user=alice)

    result = ticket_reply(open_ticket, "Same problem on my laptop.", acting_user=bob)

    assert result.follow_up is not None
    assert TicketLink.objects.filter(source=result.follow_up, target=open_ticket, kind=LinkKind.FOLLOW_UP_OF).exists()


def test_staff_reply_to_closed_ticket_is_refused(open_ticket, carol, alice):
    resolve(open_ticket, carol)
    ticket_close(open_ticket, acting_user=alice)
    before = (events(open_ticket), Message.objects.count(), Ticket.objects.count())

    with pytest.raises(InvalidTransition):
        ticket_reply(open_ticket, "One last thing.", acting_user=carol)

    assert (events(open_ticket), Message.objects.count(), Ticket.objects.count()) == before


def test_requester_cannot_reopen_through_a_status_change_after_the_window(open_ticket, carol, alice, time_machine):
    resolve(open_ticket, carol)
    time_machine.move_to(MONDAY + timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS + 1))

    with pytest.raises(ApplicationError):
        ticket_change_status(open_ticket, OPEN, acting_user=alice)

    assert refreshed(open_ticket).status == RESOLVED


def test_requester_cannot_reopen_after_the_window(open_ticket, carol, alice, time_machine):
    resolve(open_ticket, carol)
    time_machine.move_to(MONDAY + timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS + 1))

    with pytest.raises(ApplicationError):
        ticket_reopen(open_ticket, acting_user=alice)

    assert refreshed(open_ticket).status == RESOLVED


def test_agent_reopens_resolved_ticket_at_any_time(open_ticket, carol, time_machine):
    resolve(open_ticket, carol)
    before = len(events(open_ticket))
    time_machine.move_to(MONDAY + timedelta(days=30))

    ticket_reopen(open_ticket, acting_user=carol)

    ticket = refreshed(open_ticket)
    assert (ticket.status, ticket.reopen_count) == (OPEN, 1)
    assert events(ticket)[before:] == [(EventKind.REOPENED, "resolved", {"reason": "manual"}, carol)]


# --- resolving --------------------------------------------------------------------------------


def test_agent_resolves_with_code_and_summary(open_ticket, carol):
    before = len(events(open_ticket))

    resolve(open_ticket, carol, summary="  Replaced the router.  ")

    ticket = refreshed(open_ticket)
    assert (ticket.status, ticket.resolution_code, ticket.resolution_summary) == (
        RESOLVED,
        "fixed",
        "Replaced the router.",
    )
    assert ticket.resolved_at == ticket.first_resolved_at == MONDAY
    assert events(ticket)[before:] == [
        (EventKind.RESOLVED, "open", {"code": "fixed", "summary": "Replaced the router.", "assignee": carol.pk}, carol)
    ]


@pytest.mark.parametrize(
    ("code", "summary", "field"),
    [("", "Replaced the router.", "code"), ("bogus", "Replaced the router.", "code"), ("fixed", "   ", "summary")],
)
def test_resolve_needs_a_code_and_a_summary(open_ticket, carol, code, summary, field):
    before = events(open_ticket)

    with pytest.raises(ApplicationError) as refused:
        ticket_resolve(open_ticket, code=code, summary=summary, acting_user=carol)

    assert refused.value.extra["field"] == field
    ticket = refreshed(open_ticket)
    assert (ticket.status, ticket.resolved_at, ticket.resolution_code) == (OPEN, None, "")
    assert events(ticket) == before


def test_requester_cannot_resolve_their_own_ticket(open_ticket, alice):
    with pytest.raises(InvalidTransition):
        resolve(open_ticket, alice)

    assert refreshed(open_ticket).status == OPEN


def test_first_resolution_time_is_kept_when_resolved_again(open_ticket, carol, alice, time_machine):
    resolve(open_ticket, carol)
    time_machine.move_to(MONDAY + timedelta(days=1), tick=False)
    ticket_reply(open_ticket, "Still broken.", acting_user=alice)
    time_machine.move_to(MONDAY + timedelta(days=2), tick=False)

    resolve(open_ticket, carol, summary="Replaced the cable too.")

    ticket = refreshed(open_ticket)
    assert ticket.first_resolved_at == MONDAY
    assert ticket.resolved_at == MONDAY + timedelta(days=2)
    assert ticket.reopen_count == 1
    assert ticket.resolution_summary == "Replaced the cable too."


# --- stale forms ----------------------------------------------------------------------------


def test_stale_version_is_refused_and_nothing_changes(open_ticket, carol, erin):
    seen = refreshed(open_ticket).version
    ticket_change_status(open_ticket, PENDING, acting_user=erin, expected_version=seen)
    after_erin = (refreshed(open_ticket).version, events(open_ticket))

    with pytest.raises(ConflictError) as stale:
        ticket_change_status(open_ticket, ON_HOLD, acting_user=carol, expected_version=seen)
    with pytest.raises(ConflictError):
        ticket_resolve(open_ticket, code="fixed", summary="Done", acting_user=carol, expected_version=seen)
    with pytest.raises(ConflictError):
        ticket_assign(open_ticket, None, acting_user=carol, expected_version=seen)

    assert not isinstance(stale.value, InvalidTransition)
    assert stale.value.extra == {"current_version": seen + 1}
    ticket = refreshed(open_ticket)
    assert (ticket.status, ticket.assignee) == (PENDING, carol)
    assert (ticket.version, events(ticket)) == after_erin


def test_every_change_bumps_the_version(ticket, carol):
    versions = [refreshed(ticket).version]
    ticket_assign(ticket, carol, acting_user=carol)
    versions.append(refreshed(ticket).version)
    ticket_change_status(ticket, PENDING, acting_user=carol)
    versions.append(refreshed(ticket).version)

    assert versions == sorted(set(versions))


# --- withdrawing and closing ----------------------------------------------------------------


def test_requester_withdrawing_open_ticket_closes_it(open_ticket, alice, time_machine):
    before = len(events(open_ticket))
    time_machine.move_to(MONDAY + timedelta(hours=1), tick=False)

    ticket_close(open_ticket, acting_user=alice)

    ticket = refreshed(open_ticket)
    assert (ticket.status, ticket.closed_at) == (CLOSED, MONDAY + timedelta(hours=1))
    assert events(ticket)[before:] == [
        (EventKind.CLOSED, "open", {"withdrawn": True, "automatic": False}, alice),
    ]


def test_requester_confirms_resolution_by_closing(open_ticket, carol, alice):
    resolve(open_ticket, carol)
    before = len(events(open_ticket))

    ticket_close(open_ticket, acting_user=alice)

    assert refreshed(open_ticket).status == CLOSED
    assert events(open_ticket)[before:] == [
        (EventKind.CLOSED, "resolved", {"withdrawn": False, "automatic": False}, alice),
    ]


@pytest.mark.parametrize("persona", ["oscar", "dave"])
def test_someone_else_cannot_change_the_status_or_close(request, open_ticket, network_team, persona):
    stranger = request.getfixturevalue(persona)
    before = events(open_ticket)

    with pytest.raises(PermissionDenied):
        ticket_change_status(open_ticket, PENDING, acting_user=stranger)
    with pytest.raises(PermissionDenied):
        ticket_close(open_ticket, acting_user=stranger)
    with pytest.raises(PermissionDenied):
        resolve(open_ticket, stranger)

    assert refreshed(open_ticket).status == OPEN
    assert events(open_ticket) == before
