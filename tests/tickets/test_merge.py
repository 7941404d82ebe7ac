"""Merging duplicates: the thread moves to the target, each duplicate is closed as one (never resolved)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from escalation.rebuild import differences
from helpdesk.errors import ApplicationError, ConflictError
from notifications.models import OutboxEmail
from tickets.facts import facts_from_events, mismatches
from tickets.models import (
    Attachment,
    EventKind,
    LinkKind,
    Message,
    ResolutionCode,
    SatisfactionAnswer,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
)
from tickets.services import (
    ticket_add_note,
    ticket_change_status,
    ticket_close,
    ticket_create,
    ticket_merge,
    ticket_reply,
    ticket_resolve,
)
from tickets.sla.models import BusinessCalendar, SlaPolicy

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(1, 100))
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def events(ticket):
    return [(e.kind, e.old_value, e.new_value, e.actor) for e in ticket.events.order_by("created_at", "id")]


def refreshed(ticket):
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def open_for(requester, subject, minutes, **kwargs):
    return ticket_create(
        requester=requester, subject=subject, description="It does not print.", acting_user=requester,
        at=at(minutes), **kwargs,
    )  # fmt: skip


@pytest.fixture
def original(alice, service_desk):
    return open_for(alice, "Printer offline", 0)


@pytest.fixture
def duplicate(alice, service_desk, carol):
    """Alice asks again by another channel; carol has already answered there, and noted something."""
    ticket = open_for(alice, "Printer on floor 2 still offline", 10)
    ticket_reply(ticket, "Is the printer switched on?", acting_user=carol, at=at(20))
    ticket_add_note(ticket, "Same as the other one, I think.", acting_user=carol, at=at(21))
    ticket_reply(
        ticket,
        "Yes, photo attached.",
        acting_user=alice,
        at=at(30),
        attachments=[SimpleUploadedFile("panel.png", PNG, content_type="image/png")],
    )
    return ticket


def test_merge_moves_messages_and_files_into_the_target_keeping_their_times(original, duplicate, carol):
    ticket_reply(original, "We are looking into it.", acting_user=carol, at=at(15))
    moved = list(duplicate.messages.values_list("pk", "created_at"))

    ticket_merge([duplicate], original, acting_user=carol, at=at(40))

    thread = list(
        Message.objects.filter(ticket=original).order_by("created_at", "id").values_list("body", "created_at")
    )
    assert thread == [
        ("We are looking into it.", at(15)),
        ("Is the printer switched on?", at(20)),
        ("Same as the other one, I think.", at(21)),
        ("Yes, photo attached.", at(30)),
    ]
    assert list(Message.objects.filter(pk__in=[pk for pk, _ in moved]).values_list("pk", "created_at")) == moved
    assert not duplicate.messages.exists()
    attachment = Attachment.objects.get()
    assert (attachment.ticket_id, attachment.message.body) == (original.pk, "Yes, photo attached.")


def test_merge_records_merged_linked_and_closed_on_the_duplicate_never_resolved(original, duplicate, carol):
    before = events(duplicate)

    ticket_merge([duplicate], original, acting_user=carol, at=at(40))

    assert events(duplicate)[len(before) :] == [
        (EventKind.MERGED, None, {"into": original.pk}, carol),
        (EventKind.LINKED, None, {"kind": "duplicate_of", "ticket": original.pk}, carol),
        (
            EventKind.CLOSED,
            Status.OPEN,
            {"withdrawn": False, "automatic": False, "duplicate_of": original.pk},
            carol,
        ),
    ]
    assert events(original)[1:] == [(EventKind.MERGED, None, {"from": [duplicate.pk]}, carol)]
    assert not TicketEvent.objects.filter(kind=EventKind.RESOLVED).exists()


def test_merged_duplicate_is_closed_as_duplicate_with_facts_that_match_its_events(original, duplicate, carol):
    ticket_merge([duplicate], original, acting_user=carol, at=at(40))

    duplicate, original = refreshed(duplicate), refreshed(original)
    assert (duplicate.status, duplicate.resolution_code) == (Status.CLOSED, ResolutionCode.DUPLICATE)
    # The target's reference, not its subject (an agent may see the duplicate and not the target).
    assert duplicate.resolution_summary == f"This request is the same as {original.reference}; we carry on there."
    # Closed, not resolved: resolution counts and times leave it out.
    assert (duplicate.first_resolved_at, duplicate.resolved_at, duplicate.closed_at) == (None, None, at(40))
    # Carol's reply on the duplicate stays its first response; it is not the target's.
    assert (duplicate.first_response_at, original.first_response_at) == (at(20), None)
    assert (original.status, original.updated_at) == (Status.NEW, at(40))
    assert mismatches(duplicate) == {}
    assert mismatches(original) == {}
    assert facts_from_events(duplicate.pk)["status"] == Status.CLOSED
    assert list(TicketLink.objects.values_list("source", "target", "kind")) == [
        (duplicate.pk, original.pk, LinkKind.DUPLICATE_OF)
    ]


def test_merged_duplicate_gets_no_survey_nor_resolved_or_status_emails(original, duplicate, carol):
    ticket_merge([duplicate], original, acting_user=carol, at=at(40))

    sent = OutboxEmail.objects.filter(ticket_id=duplicate.pk)
    assert not sent.filter(kind__in=["resolved", "status_changed"]).exists()
    assert not any("survey" in email.body for email in sent)
    assert not SatisfactionAnswer.objects.exists()


def test_merged_duplicate_settles_only_missed_sla_targets_and_its_clocks_match_their_replay(alice, carol, service_desk):
    """Within its resolution target a duplicate did not fail it; a first response already late did."""
    calendar = BusinessCalendar.objects.create(name="24x7", is_24x7=True)
    SlaPolicy.objects.create(
        name="Standard", position=10, calendar=calendar, first_response_minutes=30, resolution_minutes=240
    )
    original = open_for(alice, "Printer offline", 0)
    late = open_for(alice, "Printer offline again", 5)

    ticket_merge([late], original, acting_user=carol, at=at(60))

    settled = late.events.filter(kind__in=[EventKind.SLA_MET, EventKind.SLA_MISSED])
    assert [(e.kind, e.new_value["target"], e.new_value["stopped_by"]) for e in settled] == [
        (EventKind.SLA_MISSED, "first_response", "merged")
    ]
    late = refreshed(late)
    assert late.sla_running_since is None
    assert differences([late]) == []
    assert mismatches(late) == {}


def test_duplicates_requester_gets_one_plain_email_naming_the_target(original, duplicate, carol):
    already = set(OutboxEmail.objects.values_list("pk", flat=True))

    ticket_merge([duplicate], original, acting_user=carol, at=at(40))

    [email] = OutboxEmail.objects.exclude(pk__in=already)
    assert (email.kind, email.to, email.ticket_id) == ("merged", "alice@acme.example", duplicate.pk)
    assert (
        email.subject == f"[{duplicate.reference}] Merged into {original.reference}: Printer on floor 2 still offline"
    )
    assert f"/my/tickets/{original.reference}/" in email.body
    assert "Your request" in email.body and "is now closed" in email.body
    # The duplicate's thread: the e-mail answers it.
    assert email.headers["In-Reply-To"].startswith(f"<ticket-{duplicate.pk}@")


def test_guest_is_sent_the_tracking_link_of_the_target(service_desk, carol):
    from tickets.services import guest_requester

    guest = guest_requester(name="Gus Guest", email="gus@example.net", language="en")
    first, second = open_for(guest, "VPN down", 0), open_for(guest, "VPN still down", 5)

    ticket_merge([second], first, acting_user=carol, at=at(40))

    email = OutboxEmail.objects.get(kind="merged")
    assert f"/t/{first.access_token}/" in email.body


def test_several_duplicates_at_once(original, alice, carol):
    second, third = open_for(alice, "Printer again", 20), open_for(alice, "Printer!!", 30)

    result = ticket_merge([third, second], original, acting_user=carol, at=at(40))

    assert result.pk == original.pk
    assert events(original)[1:] == [(EventKind.MERGED, None, {"from": [second.pk, third.pk]}, carol)]
    assert set(Ticket.objects.filter(status=Status.CLOSED).values_list("pk", flat=True)) == {second.pk, third.pk}
    assert OutboxEmail.objects.filter(kind="merged").count() == 2


def test_colleagues_tickets_shared_with_their_organisation_can_be_merged(acme, original, bob, carol):
    Ticket.objects.filter(pk=original.pk).update(shared_with_organisation=True)
    acme.shares_tickets = True  # Bob's ticket is shared by default
    acme.save()
    bobs = open_for(bob, "Printer offline for me too", 5)

    ticket_merge([bobs], original, acting_user=carol, at=at(40))

    assert refreshed(bobs).status == Status.CLOSED
    email = OutboxEmail.objects.get(kind="merged")
    assert email.to == "bob@acme.example"
    assert f"/my/tickets/{original.reference}/" in email.body


# --- refusals -------------------------------------------------------------------------------


def snapshot(*tickets):
    """After a refusal no event, message, link or e-mail was written."""
    return {
        "events": TicketEvent.objects.count(),
        "messages": list(Message.objects.order_by("pk").values_list("pk", "ticket_id")),
        "links": TicketLink.objects.count(),
        "emails": OutboxEmail.objects.count(),
        "tickets": list(Ticket.objects.order_by("pk").values_list("pk", "status", "version")),
    }


def test_merging_a_ticket_into_itself_is_refused(original, carol):
    with pytest.raises(ApplicationError, match="cannot be merged into itself"):
        ticket_merge([original], original, acting_user=carol)


def test_merging_into_a_closed_ticket_is_refused(original, duplicate, carol):
    ticket_resolve(original, code="fixed", summary="Replaced toner", acting_user=carol)
    ticket_close(original, acting_user=carol)
    state = snapshot()

    with pytest.raises(ConflictError, match=f"{original.reference} is closed"):
        ticket_merge([duplicate], original, acting_user=carol)

    assert snapshot() == state


def test_a_closed_or_resolved_duplicate_is_refused(original, duplicate, alice, carol):
    ticket_resolve(duplicate, code="fixed", summary="Switched on", acting_user=carol)
    with pytest.raises(ConflictError, match=f"{duplicate.reference} is already resolved"):
        ticket_merge([duplicate], original, acting_user=carol)

    ticket_close(duplicate, acting_user=alice)
    state = snapshot()
    with pytest.raises(ConflictError, match=f"{duplicate.reference} is closed"):
        ticket_merge([duplicate], original, acting_user=carol)
    assert snapshot() == state


def test_merging_into_a_resolved_ticket_is_allowed(original, duplicate, carol):
    ticket_resolve(original, code="fixed", summary="Replaced toner", acting_user=carol)

    ticket_merge([duplicate], original, acting_user=carol)

    assert (refreshed(original).status, refreshed(duplicate).status) == (Status.RESOLVED, Status.CLOSED)


def test_requests_of_people_who_cannot_see_each_other_are_not_merged(original, oscar, bob, carol):
    oscars = open_for(oscar, "Printer offline", 5)
    bobs = open_for(bob, "Printer offline", 6)  # Acme does not share tickets
    state = snapshot()

    for other in (oscars, bobs):
        with pytest.raises(ApplicationError, match="different people"):
            ticket_merge([other], original, acting_user=carol)

    assert snapshot() == state


def test_another_teams_agent_and_the_requester_may_not_merge(original, duplicate, alice, dave, network_team):
    state = snapshot()

    for person in (dave, alice):
        with pytest.raises(PermissionDenied):
            ticket_merge([duplicate], original, acting_user=person)

    assert snapshot() == state


def test_permission_is_needed_on_every_ticket(original, alice, carol, dave, network_team):
    """Dave may change a network ticket, but not the service desk's target."""
    network_ticket = open_for(alice, "Printer network port dead", 5, team=network_team)
    state = snapshot()

    with pytest.raises(PermissionDenied):
        ticket_merge([network_ticket], original, acting_user=dave)

    assert snapshot() == state


def test_one_closed_duplicate_refuses_the_whole_merge(original, duplicate, alice, carol):
    closed = open_for(alice, "Printer", 3)
    ticket_change_status(closed, "pending", acting_user=carol)
    ticket_close(closed, acting_user=alice)  # withdrawn
    state = snapshot()

    with pytest.raises(ConflictError):
        ticket_merge([duplicate, closed], original, acting_user=carol)

    assert snapshot() == state


def test_the_moved_replies_are_searchable_in_the_target(original, duplicate, carol):
    search = pytest.importorskip("tickets.search")

    ticket_merge([duplicate], original, acting_user=carol, at=at(40))

    assert [ticket.pk for ticket in search.search_tickets(carol, "switched")] == [original.pk]
