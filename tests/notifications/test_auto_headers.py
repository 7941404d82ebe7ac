"""What outgoing ticket e-mail says about itself: automatic ones carry Auto-Submitted (RFC 3834)
so that autoresponders and other helpdesks never answer them; a person's reply carries none; the
reply goes back to the mailbox of the ticket's team; participants get the public replies."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import override_settings

from mail.models import Mailbox
from notifications.models import OutboxEmail
from notifications.outbox import deliver_due
from notifications.suppression import mark_failing
from tests.factories import UserFactory
from tickets import notifications
from tickets.models import Channel, ResolutionCode
from tickets.services import (
    participants_add,
    ticket_add_note,
    ticket_assign,
    ticket_change_status,
    ticket_create,
    ticket_reply,
    ticket_resolve,
)
from tickets.services.escalation import ticket_escalate

AUTOMATIC = {"X-Auto-Response-Suppress": "All", "Precedence": "bulk"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Printer jams", description="On every page.", acting_user=alice)


def delivered() -> dict[int, object]:
    """Send what is due; the messages as the mail server received them, by outbox row id."""
    mail.outbox.clear()
    deliver_due()
    by_id = {}
    for message in mail.outbox:
        number = re.search(r"<(?:outbox|ticket)-(\d+)@", message.message()["Message-ID"]).group(1)
        by_id[int(number)] = message
    return by_id


def sent_rows(**filters) -> list[tuple[OutboxEmail, object]]:
    """Each outbox row with the message that went out for it (the thread root has the ticket's id)."""
    messages = delivered()
    rows = list(OutboxEmail.objects.filter(**filters).order_by("id"))
    result = []
    for row in rows:
        message = messages.get(row.pk)
        if message is None:  # the thread's first e-mail is sent as <ticket-N@...>
            message = messages.get(row.ticket_id)
        assert row.sent_at is not None or message is not None, row
        result.append((row, message))
    return result


def header(message, name: str) -> str | None:
    return message.message()[name]


# --- Auto-Submitted on everything the helpdesk writes by itself ------------------------------


def test_every_automatic_ticket_email_says_so_and_a_persons_reply_does_not(
    alice, carol, erin, dave, ticket, network_team
):
    ticket_assign(ticket, carol, acting_user=erin)  # assigned (to carol)
    ticket_reply(ticket, "Which tray?", acting_user=carol)  # public_reply: a person's words
    ticket_change_status(ticket, "pending", acting_user=carol)  # status_changed
    ticket_reply(ticket, "Tray 2.", acting_user=alice)  # requester_reply (to carol)
    with transaction.atomic():  # what the SLA scan and the escalation rules send, called as they do
        ticket.refresh_from_db()
        notifications.sla_warning(ticket, "resolution")  # to carol
        notifications.sla_breach(ticket, "resolution")  # to carol and erin
        notifications.rule_fired(ticket, "Overdue", "SLA breach (resolution)")  # to erin
    ticket_escalate(
        ticket, to_team=network_team, symptoms="Jams", tried="Rollers", diagnostics="Error 42", acting_user=carol
    )
    ticket.refresh_from_db()
    ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Cleaned the rollers.", acting_user=carol)

    rows = sent_rows()
    kinds = {row.kind for row, _message in rows}
    assert kinds >= {
        "ticket_created",
        "assigned",
        "public_reply",
        "status_changed",
        "requester_reply",
        "escalated",
        "sla_warning",
        "sla_breach",
        "rule_fired",
        "resolved",
    }
    for row, message in rows:
        assert message is not None, row.kind
        # Every e-mail about a ticket carries its reference in the subject, for threading by subject.
        assert f"[{ticket.reference}]" in message.subject, row.kind
        if row.kind == "public_reply":
            assert header(message, "Auto-Submitted") is None
            assert header(message, "Precedence") is None
            assert header(message, "X-Auto-Response-Suppress") is None
        else:
            assert header(message, "Auto-Submitted") == "auto-generated", row.kind
            for name, value in AUTOMATIC.items():
                assert header(message, name) == value, (row.kind, name)


def test_the_acknowledgement_of_an_email_is_an_auto_reply(alice, service_desk):
    ticket = ticket_create(
        requester=alice,
        subject="VPN down",
        description="Since this morning.",
        acting_user=None,
        channel=Channel.EMAIL,
        team=service_desk,
    )

    ((row, message),) = sent_rows(ticket=ticket)

    assert row.kind == "ticket_created"
    assert header(message, "Auto-Submitted") == "auto-replied"
    assert header(message, "X-Auto-Response-Suppress") == "All"


def test_the_acknowledgement_of_a_web_request_is_auto_generated(ticket):
    ((row, message),) = sent_rows(ticket=ticket)

    assert row.kind == "ticket_created"
    assert header(message, "Auto-Submitted") == "auto-generated"


# --- Reply-To: the mailbox of the ticket's team ----------------------------------------------


@pytest.fixture
def support_mailbox(service_desk):
    return Mailbox.objects.create(
        name="Support", address="support@helpdesk.example", team=service_desk, transport="receiver"
    )


def test_reply_to_is_the_mailbox_of_the_tickets_team(support_mailbox, network_team, alice, service_desk):
    Mailbox.objects.create(name="Network", address="network@helpdesk.example", team=network_team, transport="receiver")
    ticket = ticket_create(requester=alice, subject="Printer", description="Jams.", acting_user=alice)

    ((_row, message),) = sent_rows(ticket=ticket)

    assert ticket.team == service_desk
    assert header(message, "Reply-To") == "support@helpdesk.example"
    # From stays the default unless MAIL_SEND_FROM_MAILBOX says otherwise.
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert header(message, "From") == settings.DEFAULT_FROM_EMAIL


def test_without_a_mailbox_for_the_team_replies_go_to_the_default_address(ticket, network_team):
    Mailbox.objects.create(name="Network", address="network@helpdesk.example", team=network_team, transport="receiver")

    ((_row, message),) = sent_rows(ticket=ticket)

    assert header(message, "Reply-To") is None
    assert header(message, "From") == settings.DEFAULT_FROM_EMAIL


def test_an_inactive_mailbox_is_not_the_reply_address(support_mailbox, alice):
    support_mailbox.active = False
    support_mailbox.save()
    ticket = ticket_create(requester=alice, subject="Printer", description="Jams.", acting_user=alice)

    ((_row, message),) = sent_rows(ticket=ticket)

    assert header(message, "Reply-To") is None


@override_settings(MAIL_SEND_FROM_MAILBOX=True, DEFAULT_FROM_EMAIL="Acme Helpdesk <helpdesk@localhost>")
def test_with_the_setting_ticket_email_is_sent_from_the_mailbox(support_mailbox, alice, carol):
    ticket = ticket_create(requester=alice, subject="Printer", description="Jams.", acting_user=alice)
    ticket_reply(ticket, "On it.", acting_user=carol)

    for _row, message in sent_rows(ticket=ticket):
        assert header(message, "From") == "Acme Helpdesk <support@helpdesk.example>"
        assert message.from_email == "Acme Helpdesk <support@helpdesk.example>"  # the envelope: bounces come back
        assert header(message, "Reply-To") == "support@helpdesk.example"


# --- participants -----------------------------------------------------------------------------


def test_participants_get_public_replies_and_the_resolution_but_never_notes(ticket, carol, alice):
    participants_add(ticket, ["zoe@example.com"], acting_user=None)
    secret = "the admin password is hunter2"

    ticket_add_note(ticket, f"Internal: {secret}", acting_user=carol)
    ticket_reply(ticket, "Please try tray 2.", acting_user=carol)
    ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Cleaned the rollers.", acting_user=carol)

    to_zoe = sent_rows(to="zoe@example.com")
    assert [row.kind for row, _message in to_zoe] == ["participant_reply", "participant_resolved"]
    reply, resolved = (message for _row, message in to_zoe)
    assert "Please try tray 2." in reply.body
    assert secret not in reply.body + resolved.body
    assert header(reply, "Auto-Submitted") is None  # an agent's words
    assert header(resolved, "Auto-Submitted") == "auto-generated"
    assert "Cleaned the rollers." in resolved.body
    for message in (reply, resolved):
        assert f"[{ticket.reference}]" in message.subject
        assert header(message, "In-Reply-To") == f"<ticket-{ticket.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
        # No link into the request: the requester's may be the private tracking link, and the
        # survey is the requester's to answer.
        assert ticket.access_token not in message.body
        assert "/survey/" not in message.body and "/my/tickets/" not in message.body
    assert OutboxEmail.objects.filter(to="zoe@example.com").count() == 2


def test_a_participant_with_an_account_is_written_to_in_their_language(ticket, carol, acme):
    UserFactory(email="mei@acme.example", full_name="Li Mei", organisation=acme, language="zh-hans")
    participants_add(ticket, ["mei@acme.example", "zoe@example.com"], acting_user=None)

    ticket_reply(ticket, "Please try tray 2.", acting_user=carol)

    mei = OutboxEmail.objects.get(to="mei@acme.example")
    zoe = OutboxEmail.objects.get(to="zoe@example.com")
    assert mei.language == "zh-hans" and CJK.search(mei.subject + mei.body)
    assert zoe.language == "en"  # no account: the requester's language


def test_a_participant_whose_address_bounced_gets_nothing(ticket, carol):
    participants_add(ticket, ["zoe@example.com", "max@example.com"], acting_user=None)
    mark_failing("Zoe@Example.com", reason="550 5.1.1 user unknown")

    ticket_reply(ticket, "Please try tray 2.", acting_user=carol)

    assert not OutboxEmail.objects.filter(to="zoe@example.com").exists()
    assert [message.to for _row, message in sent_rows(to="max@example.com")] == [["max@example.com"]]
