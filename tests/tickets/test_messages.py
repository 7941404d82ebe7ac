"""Opening tickets, public replies and internal notes: who may write, what is stored, which facts move."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from helpdesk.errors import ApplicationError
from notifications.models import OutboxEmail
from tickets.models import Attachment, Channel, EventKind, Message, Status, Ticket, TicketEvent
from tickets.services import ticket_add_note, ticket_create, ticket_reply

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)

HOSTILE = (
    "<script>alert('x')</script> Click [here](javascript:alert(1)) "
    '<img src="x" onerror="alert(2)"> <a href="javascript:alert(3)">me</a> **bold**'
)


def events(ticket):
    return [(e.kind, e.old_value, e.new_value, e.actor) for e in ticket.events.order_by("created_at", "id")]


def refreshed(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def row_counts():
    return {model.__name__: model.objects.count() for model in (Ticket, Message, Attachment, TicketEvent, OutboxEmail)}


def assert_safe_html(html):
    lowered = html.lower()
    assert "<script" not in lowered
    assert "onerror" not in lowered
    assert "javascript:" not in lowered


@pytest.fixture
def ticket(alice, service_desk, time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return ticket_create(requester=alice, subject="Laptop fan is loud", description="Since Monday.", acting_user=alice)


def at(time_machine, offset):
    time_machine.move_to(MONDAY + offset, tick=False)
    return MONDAY + offset


# --- opening a ticket -------------------------------------------------------------------------


def test_requester_opens_a_new_ticket_in_the_service_desk(alice, service_desk, time_machine):
    time_machine.move_to(MONDAY, tick=False)

    ticket = ticket_create(requester=alice, subject="  Laptop   fan  ", description=" Loud. ", acting_user=alice)

    ticket = refreshed(ticket)
    assert (ticket.subject, ticket.description, ticket.status) == ("Laptop fan", "Loud.", Status.NEW)
    assert (ticket.requester, ticket.organisation, ticket.team) == (alice, alice.organisation, service_desk)
    assert ticket.created_at == ticket.last_public_activity_at == MONDAY
    assert ticket.first_response_at is None
    assert ticket.reference == f"HD-{ticket.pk:06d}"
    assert events(ticket) == [
        (
            EventKind.CREATED,
            None,
            {
                "subject": "Laptop fan",
                "status": "new",
                "priority": 4,
                "impact": 3,
                "urgency": 2,
                "type": "incident",
                "channel": "web",
                "category": None,
                "team": {"id": service_desk.pk, "name": "Service Desk"},
                "requester": {"id": alice.pk, "name": "Alice Smith"},
            },
            alice,
        )
    ]


def test_agent_opens_a_ticket_on_behalf_of_a_requester(alice, carol, service_desk):
    ticket = ticket_create(
        requester=alice, subject="Phoned in", description="Monitor flickers.", acting_user=carol, channel=Channel.PHONE
    )

    assert (ticket.requester, ticket.channel) == (alice, "phone")
    assert [(kind, actor) for kind, _old, _new, actor in events(ticket)] == [(EventKind.CREATED, carol)]


def test_requester_cannot_open_a_ticket_for_someone_else(alice, bob, service_desk):
    before = row_counts()

    with pytest.raises(PermissionDenied):
        ticket_create(requester=bob, subject="For Bob", description="Hi", acting_user=alice)

    assert row_counts() == before


@pytest.mark.parametrize(
    ("subject", "description", "field"),
    [
        ("", "Broken.", "subject"),
        ("   \t\n ", "Broken.", "subject"),
        ("x" * 100_000, "Broken.", "subject"),
        ("Printer", "", "description"),
        ("Printer", "  \n\t  \n", "description"),
        ("Printer", "x" * 50_001, "description"),
    ],
    ids=["empty-subject", "blank-subject", "100kB-subject", "empty-description", "blank-description", "huge-body"],
)
def test_bad_submission_is_refused_and_nothing_is_written(alice, service_desk, subject, description, field):
    before = row_counts()

    with pytest.raises(ApplicationError) as refused:
        ticket_create(requester=alice, subject=subject, description=description, acting_user=alice)

    assert refused.value.extra["field"] == field
    assert row_counts() == before


def test_html_in_subject_and_description_is_stored_as_given_and_rendered_safely(alice, service_desk):
    subject = "<script>alert('x')</script> <b onmouseover=alert(1)>Printer</b>"

    ticket = refreshed(ticket_create(requester=alice, subject=subject, description=HOSTILE, acting_user=alice))

    assert ticket.subject == subject
    assert ticket.description == HOSTILE
    assert_safe_html(ticket.description_html)
    assert "<strong>bold</strong>" in ticket.description_html


# --- public replies ---------------------------------------------------------------------------


def test_first_public_agent_reply_sets_first_response_and_opens_the_ticket(ticket, carol, time_machine):
    when = at(time_machine, HOUR)

    result = ticket_reply(ticket, "Please send a photo of the sticker.", acting_user=carol)

    ticket = refreshed(ticket)
    assert (ticket.first_response_at, ticket.last_public_activity_at, ticket.status) == (when, when, Status.OPEN)
    message = result.message
    assert (message.author, message.is_public, message.body, message.created_at) == (
        carol,
        True,
        "Please send a photo of the sticker.",
        when,
    )
    assert events(ticket)[1:] == [
        (EventKind.REPLIED, None, {"message": message.pk, "attachments": 0, "side": "staff"}, carol),
        (EventKind.STATUS_CHANGED, "new", "open", carol),
    ]


def test_later_agent_replies_keep_the_first_response_time(ticket, carol, erin, time_machine):
    first = at(time_machine, HOUR)
    ticket_reply(ticket, "Looking into it.", acting_user=carol)
    later = at(time_machine, 3 * HOUR)

    ticket_reply(ticket, "Found it.", acting_user=erin)

    ticket = refreshed(ticket)
    assert (ticket.first_response_at, ticket.last_public_activity_at) == (first, later)


def test_internal_note_is_not_a_first_response_nor_public_activity(ticket, carol, time_machine):
    at(time_machine, HOUR)

    note = ticket_add_note(ticket, "Probably the known BIOS issue.", acting_user=carol)

    ticket = refreshed(ticket)
    assert ticket.first_response_at is None
    assert ticket.last_public_activity_at == MONDAY
    assert ticket.status == Status.NEW
    assert (note.is_public, note.author) == (False, carol)
    assert events(ticket)[1:] == [
        (EventKind.NOTE_ADDED, None, {"message": note.pk, "attachments": 0, "side": "staff"}, carol)
    ]


def test_requester_reply_is_public_activity_but_not_a_first_response(ticket, alice, time_machine):
    when = at(time_machine, HOUR)

    result = ticket_reply(ticket, "It got louder.", acting_user=alice)

    ticket = refreshed(ticket)
    assert ticket.first_response_at is None
    assert ticket.last_public_activity_at == when
    assert ticket.status == Status.NEW
    assert events(ticket)[1:] == [
        (EventKind.REPLIED, None, {"message": result.message.pk, "attachments": 0, "side": "requester"}, alice)
    ]


def test_first_response_comes_from_the_first_agent_reply_after_notes_and_requester_replies(
    ticket, alice, carol, time_machine
):
    at(time_machine, HOUR)
    ticket_add_note(ticket, "Checking the asset list.", acting_user=carol)
    at(time_machine, 2 * HOUR)
    ticket_reply(ticket, "Hello?", acting_user=alice)
    reply_time = at(time_machine, 3 * HOUR)

    ticket_reply(ticket, "Sorry for the wait.", acting_user=carol)

    assert refreshed(ticket).first_response_at == reply_time


@pytest.mark.parametrize("body", ["", "   ", "\n\t"])
def test_empty_reply_is_refused(ticket, carol, body):
    before = row_counts()

    with pytest.raises(ApplicationError) as refused:
        ticket_reply(ticket, body, acting_user=carol)

    assert refused.value.extra["field"] == "body"
    assert row_counts() == before


def test_html_in_a_reply_is_stored_as_given_and_rendered_safely(ticket, carol, alice):
    agent_reply = ticket_reply(ticket, HOSTILE, acting_user=carol).message
    requester_reply = ticket_reply(ticket, HOSTILE, acting_user=alice).message
    note = ticket_add_note(ticket, HOSTILE, acting_user=carol)

    for message in (agent_reply, requester_reply, note):
        message.refresh_from_db()
        assert message.body == HOSTILE
        assert_safe_html(message.body_html)
        assert "<strong>bold</strong>" in message.body_html


# --- who may write ----------------------------------------------------------------------------


def test_requester_cannot_add_internal_notes(ticket, alice):
    before = row_counts()

    with pytest.raises(PermissionDenied):
        ticket_add_note(ticket, "Note to self", acting_user=alice)

    assert row_counts() == before


@pytest.mark.parametrize("persona", ["oscar", "dave"])
def test_someone_else_cannot_reply_or_add_notes(request, ticket, network_team, persona):
    stranger = request.getfixturevalue(persona)
    before = row_counts()

    with pytest.raises(PermissionDenied):
        ticket_reply(ticket, "Hello from outside", acting_user=stranger)
    with pytest.raises(PermissionDenied):
        ticket_add_note(ticket, "Hello from outside", acting_user=stranger)

    assert row_counts() == before
    assert refreshed(ticket).last_public_activity_at == MONDAY


def test_colleague_cannot_reply_when_organisation_does_not_share_tickets(ticket, bob, acme):
    assert not acme.shares_tickets
    before = row_counts()

    with pytest.raises(PermissionDenied):
        ticket_reply(ticket, "Same here", acting_user=bob)

    assert row_counts() == before


def test_colleague_replies_when_the_ticket_is_shared_with_the_organisation(ticket, bob, acme, time_machine):
    Ticket.objects.filter(pk=ticket.pk).update(shared_with_organisation=True)
    when = at(time_machine, HOUR)

    result = ticket_reply(ticket, "Same here on the 3rd floor.", acting_user=bob)

    assert (result.message.author, result.message.is_public) == (bob, True)
    assert result.follow_up is None
    ticket = refreshed(ticket)
    assert (ticket.last_public_activity_at, ticket.first_response_at) == (when, None)
    assert events(ticket)[1:] == [
        (EventKind.REPLIED, None, {"message": result.message.pk, "attachments": 0, "side": "requester"}, bob)
    ]


def test_colleague_cannot_add_notes_even_when_shared(ticket, bob, acme):
    Ticket.objects.filter(pk=ticket.pk).update(shared_with_organisation=True)

    with pytest.raises(PermissionDenied):
        ticket_add_note(ticket, "psst", acting_user=bob)


def test_inactive_requester_cannot_reply(ticket, alice):
    alice.is_active = False
    alice.save()

    with pytest.raises(PermissionDenied):
        ticket_reply(ticket, "Still there?", acting_user=alice)
