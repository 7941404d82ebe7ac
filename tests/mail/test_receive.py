"""mail.services.receive / release / reprocess: raw first, once per Message-ID, held senders."""

from __future__ import annotations

import threading
from email.message import EmailMessage

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from helpdesk.errors import ApplicationError
from mail.models import InboundEmail, InboundStatus, Mailbox, Transport
from mail.parsing import parse
from mail.services import receive, release, reprocess
from mail.threads import referenced_ticket_id
from notifications.models import OutboxEmail
from notifications.suppression import is_failing
from tests.mail.mail_fixtures import SUPPORT
from tickets.models import Category, Channel, Priority, Ticket
from tickets.services import ticket_create


def an_email(n: int = 1, *, sender: str = "Priya Patel <priya.patel@initech.example>", **headers) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = f"Request number {n}"
    message["Message-ID"] = f"<request-{n}@initech.example>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(f"Please help with thing {n}.")
    return message.as_bytes()


def test_unreadable_message_is_kept_as_failed_with_its_bytes(mailbox):
    raw = b"this is not an e-mail at all, just a line of text\n"

    inbound = receive(mailbox, raw)

    assert inbound.status == InboundStatus.FAILED
    assert bytes(InboundEmail.objects.get(pk=inbound.pk).raw) == raw
    assert "no headers" in inbound.reason
    assert inbound.message_id.startswith("sha256:")
    assert not Ticket.objects.exists()


def test_import_error_keeps_the_raw_message_and_reprocess_retries_it(mailbox, alice, carol, settings):
    message = EmailMessage()
    message["From"] = "Priya Patel <priya.patel@initech.example>"
    message["To"] = SUPPORT
    message["Subject"] = "Request number 1"
    message["Message-ID"] = "<request-1@initech.example>"
    message.set_content("log line\n" * 400)
    raw = message.as_bytes()
    settings.MAIL_MAX_MESSAGE_BYTES = 2_000

    inbound = receive(mailbox, raw)

    # Too large for the import: it fails and says why; nothing is lost.
    assert inbound.status == InboundStatus.FAILED
    assert "larger than" in inbound.reason
    assert (inbound.sender, inbound.subject) == ("priya.patel@initech.example", "Request number 1")
    assert bytes(inbound.raw) == raw
    assert not Ticket.objects.exists()
    with pytest.raises(PermissionDenied):
        reprocess(inbound, acting_user=alice)
    assert reprocess(inbound, acting_user=carol).status == InboundStatus.FAILED

    settings.MAIL_MAX_MESSAGE_BYTES = 1_000_000  # the admin raises the limit: the same bytes import
    again = reprocess(inbound, acting_user=carol)
    assert again.status == InboundStatus.PROCESSED
    assert Ticket.objects.get().subject == "Request number 1"


def test_a_crash_before_the_import_is_finished_by_the_next_delivery(mailbox):
    raw = an_email(7)
    InboundEmail.objects.create(
        mailbox=mailbox, raw=raw, message_id="request-7@initech.example", received_at="2026-12-06T10:00:00Z"
    )

    inbound = receive(mailbox, raw)

    assert inbound.status == InboundStatus.PROCESSED
    assert Ticket.objects.get().subject == "Request number 7"


def test_sender_over_the_hourly_limit_is_held_then_released(mailbox, carol, dave, settings):
    settings.MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR = 2
    receive(mailbox, an_email(1))
    receive(mailbox, an_email(2))
    queued = OutboxEmail.objects.count()

    held = receive(mailbox, an_email(3))

    assert held.status == InboundStatus.HELD
    assert "held" in held.reason
    assert Ticket.objects.count() == 2
    assert OutboxEmail.objects.count() == queued  # no acknowledgement while held
    with pytest.raises(PermissionDenied):
        release(held, acting_user=dave)  # another team's agent
    released = release(held, acting_user=carol)
    assert released.status == InboundStatus.PROCESSED
    assert released.ticket.subject == "Request number 3"
    with pytest.raises(ApplicationError):
        release(released, acting_user=carol)


def test_replies_do_not_count_towards_the_hourly_limit(mailbox, settings):
    settings.MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR = 1
    first = receive(mailbox, an_email(1))
    reply = receive(mailbox, an_email(2, In_Reply_To="<request-1@initech.example>"))

    assert reply.status == InboundStatus.PROCESSED
    assert reply.ticket == first.ticket and reply.ticket_message is not None


def test_mail_from_our_own_mailbox_is_ignored(mailbox, network_team):
    Mailbox.objects.create(name="Network", address="network@helpdesk.example", team=network_team)

    inbound = receive(mailbox, an_email(1, sender="Network desk <Network@helpdesk.example>"))

    assert inbound.status == InboundStatus.IGNORED
    assert not Ticket.objects.exists()


def test_auto_response_suppress_alone_is_a_person_writing(mailbox):
    inbound = receive(mailbox, an_email(1, X_Auto_Response_Suppress="All"))

    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.ticket.channel == Channel.EMAIL


def test_mailbox_default_priority_and_category(mailbox):
    mailbox.default_priority = Priority.P2
    mailbox.default_category = Category.objects.create(name="Network")
    mailbox.save()

    ticket = receive(mailbox, an_email(1)).ticket

    assert (ticket.priority, ticket.category) == (Priority.P2, mailbox.default_category)


def test_imap_password_is_stored_encrypted(mailbox):
    mailbox.set_imap_password("s3cret-imap")
    mailbox.save()

    stored = Mailbox.objects.get(pk=mailbox.pk)
    assert "s3cret" not in stored.imap_password_encrypted
    assert stored.imap_password == "s3cret-imap"


def test_admin_never_shows_the_imap_password(client, ada, mailbox):
    mailbox.set_imap_password("s3cret-imap")
    mailbox.save()
    client.force_login(ada)

    page = client.get(f"/admin/mail/mailbox/{mailbox.pk}/change/")

    assert page.status_code == 200
    assert b"s3cret-imap" not in page.content
    assert mailbox.imap_password_encrypted.encode() not in page.content


@pytest.mark.django_db(transaction=True)
def test_the_same_message_received_twice_at_once_makes_one_ticket(service_desk):
    mailbox = Mailbox.objects.create(name="Support", address=SUPPORT, team=service_desk, transport=Transport.RECEIVER)
    raw = an_email(42)
    barrier = threading.Barrier(4)
    results: list[int] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait()
            results.append(receive(mailbox, raw).pk)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(results)) == 1
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert OutboxEmail.objects.filter(kind="ticket_created").count() == 1


def test_threading_reads_a_fixed_number_of_queries_whatever_the_references(mailbox, django_assert_max_num_queries):
    references = " ".join(f"<older-{n}@initech.example>" for n in range(40))
    parsed = parse(an_email(1, References=references, In_Reply_To="<older-39@initech.example>"))

    with django_assert_max_num_queries(3):
        assert referenced_ticket_id(parsed) is None


def test_reference_in_the_subject_threads_a_message_without_headers(mailbox, alice):
    ticket = ticket_create(requester=alice, subject="Calendar", description="Broken.", acting_user=alice)
    raw = an_email(5, sender="Alice Smith <ALICE@acme.example>").replace(
        b"Subject: Request number 5", f"Subject: More about {ticket.reference.lower()}".encode()
    )

    inbound = receive(mailbox, raw)

    assert inbound.ticket == ticket
    assert ticket.messages.get().body == "Please help with thing 5."


def test_a_message_sent_to_two_of_our_mailboxes_makes_one_ticket(mailbox, network_team):
    network = Mailbox.objects.create(name="Network", address="network@helpdesk.example", team=network_team)
    raw = an_email(8, Cc="network@helpdesk.example")

    first = receive(mailbox, raw)
    second = receive(network, raw)

    assert first.status == InboundStatus.PROCESSED
    assert second.status == InboundStatus.IGNORED and "support@helpdesk.example" in second.reason
    assert Ticket.objects.count() == 1
    # Neither mailbox address became a participant.
    assert not first.ticket.participants.exists()


@pytest.mark.parametrize(
    ("headers", "ignored"),
    [
        ({"Auto_Submitted": "auto-generated"}, True),
        ({"Auto_Submitted": "no"}, False),
        ({"Precedence": "bulk"}, True),
        ({"Precedence": "junk"}, True),
        ({"X_Autorespond": "yes"}, True),
        ({"List_Unsubscribe": "<mailto:leave@lists.initech.example>"}, True),
        ({"List_Id": "<it-news.initech.example>"}, True),
        ({"Return_Path": "<>"}, True),
        ({"Return_Path": "<priya.patel@initech.example>"}, False),
    ],
)
def test_machine_headers_are_never_answered(mailbox, headers, ignored):
    inbound = receive(mailbox, an_email(1, **headers))

    assert (inbound.status == InboundStatus.IGNORED) is ignored
    assert Ticket.objects.exists() is not ignored
    assert OutboxEmail.objects.exists() is not ignored


def test_message_from_the_mailer_daemon_is_a_bounce(mailbox):
    raw = an_email(1, sender="MAILER-DAEMON@mx.initech.example", X_Failed_Recipients="gone@initech.example")

    inbound = receive(mailbox, raw)

    assert inbound.status == InboundStatus.IGNORED
    assert is_failing("gone@initech.example")


def test_oversized_message_is_kept_as_failed(mailbox, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 100
    raw = an_email(1)

    inbound = receive(mailbox, raw)

    assert inbound.status == InboundStatus.FAILED
    assert "larger than 100 bytes" in inbound.reason
    assert bytes(inbound.raw) == raw
    assert not Ticket.objects.exists()


def test_cc_skips_the_sender_and_addresses_that_are_not_addresses(mailbox):
    raw = an_email(1, Cc="priya.patel@initech.example, not-an-address, Tom <TOM.Baker@initech.example>")

    ticket = receive(mailbox, raw).ticket

    assert list(ticket.participants.values_list("email", flat=True)) == ["tom.baker@initech.example"]
