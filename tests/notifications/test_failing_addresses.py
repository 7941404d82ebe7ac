"""Addresses that bounced: the e-mail import marks them, the outbox then sends them nothing (no SMTP
attempt) until an agent clears the mark in the admin."""

import smtplib
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.urls import reverse

from notifications.models import FailingAddress, OutboxEmail
from notifications.outbox import deliver_due
from notifications.suppression import ADDRESS_FAILING, clear, failing_among, is_failing, mark_failing
from tickets.services import ticket_create, ticket_reply

BOUNCE = "550 5.1.1 <alice@acme.example>: Recipient address rejected: User unknown"


class ExplodingBackend(BaseEmailBackend):
    """A mail server that must not be contacted at all."""

    def open(self):
        raise AssertionError("the outbox opened an SMTP connection")

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("contacted")


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Printer jams", description="On every page.", acting_user=alice)


# --- the mark -------------------------------------------------------------------------------


def test_a_bounce_marks_the_address_and_more_bounces_count_up(db):
    first = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    later = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)

    mark_failing("Alice@Acme.example", reason="mailbox full", at=first)
    mark_failing("<alice@acme.example>", reason=BOUNCE, at=later)

    row = FailingAddress.objects.get()
    assert (row.address, row.failures, row.first_failed_at, row.last_failed_at, row.reason) == (
        "alice@acme.example",
        2,
        first,
        later,
        BOUNCE,
    )
    assert is_failing("ALICE@acme.example") and not is_failing("bob@acme.example")
    assert failing_among(["Alice@acme.example", "bob@acme.example"]) == {"alice@acme.example"}


def test_an_empty_address_is_never_marked(db):
    mark_failing("", reason="no address in the DSN")
    mark_failing("  <> ", reason="no address in the DSN")

    assert not FailingAddress.objects.exists()
    assert not is_failing("")


def test_clearing_forgets_the_mark(db):
    mark_failing("alice@acme.example", reason=BOUNCE)

    assert clear("Alice@acme.example") is True
    assert not is_failing("alice@acme.example")
    assert clear("alice@acme.example") is False


# --- the outbox -----------------------------------------------------------------------------


@override_settings(EMAIL_BACKEND="tests.notifications.test_failing_addresses.ExplodingBackend")
def test_the_outbox_fails_mail_to_a_failing_address_without_contacting_the_server(ticket):
    mark_failing("alice@acme.example", reason=BOUNCE)

    assert deliver_due() == 0

    email = OutboxEmail.objects.get(ticket=ticket)
    assert email.failed_at is not None and email.sent_at is None
    assert email.last_error == ADDRESS_FAILING == "address failing"
    assert email.attempts == 0  # no SMTP attempt was made
    assert deliver_due() == 0  # and it is not tried again


def test_other_recipients_in_the_same_batch_still_get_their_mail(ticket, carol, alice):
    ticket_reply(ticket, "Which tray?", acting_user=carol)
    ticket_reply(ticket, "Tray 2.", acting_user=alice)  # to carol
    mark_failing("alice@acme.example", reason=BOUNCE)
    mail.outbox.clear()

    assert deliver_due() == 1

    assert [message.to for message in mail.outbox] == [[carol.email]]
    assert set(OutboxEmail.objects.filter(to=alice.email).values_list("last_error", flat=True)) == {ADDRESS_FAILING}
    assert OutboxEmail.objects.get(to=carol.email).sent_at is not None


def test_a_mark_made_after_the_email_was_queued_still_stops_it(ticket, alice):
    assert OutboxEmail.objects.get(ticket=ticket).sent_at is None  # queued, not yet sent
    mark_failing(alice.email, reason=BOUNCE)
    mail.outbox.clear()

    deliver_due()

    assert mail.outbox == []


# --- the admin ------------------------------------------------------------------------------


def test_an_admin_sees_failing_addresses_and_clears_a_mark_so_mail_flows_again(client, ada, alice, service_desk):
    mark_failing(alice.email, reason=BOUNCE)
    mark_failing("zoe@example.com", reason=BOUNCE)
    client.force_login(ada)
    changelist = reverse("admin:notifications_failingaddress_changelist")

    page = client.get(changelist).content.decode()
    assert alice.email in page and "zoe@example.com" in page

    response = client.post(
        changelist,
        {"action": "clear_marks", "_selected_action": [FailingAddress.objects.get(address=alice.email).pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 address cleared." in response.content.decode()
    assert list(FailingAddress.objects.values_list("address", flat=True)) == ["zoe@example.com"]
    ticket_create(requester=alice, subject="Printer jams", description="On every page.", acting_user=alice)
    mail.outbox.clear()
    assert deliver_due() == 1
    assert [message.to for message in mail.outbox] == [[alice.email]]


def test_a_requester_cannot_open_the_failing_addresses_admin(client, alice):
    client.force_login(alice)

    response = client.get(reverse("admin:notifications_failingaddress_changelist"))

    assert response.status_code == 302 and "login" in response["Location"]
