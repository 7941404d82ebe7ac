"""``manage.py mail_receiver`` as a real process: an MTA (smtplib) delivers over LMTP or SMTP."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import psycopg
import pytest
from django.conf import settings

from mail.models import InboundEmail, InboundStatus, Mailbox, Transport
from tests.conftest import _database_url
from tests.mail.receiver_process import ReceiverProcess
from tickets.models import Channel, Ticket

SUPPORT = "support@helpdesk.example"


def an_email(subject: str = "Printer on floor 3 is jammed", body: str = "It jams on every page.", **headers) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("sender", "Alice Smith <alice@acme.example>")
    message["To"] = SUPPORT
    message["Subject"] = subject
    message["Message-ID"] = headers.pop("message_id", f"<{abs(hash((subject, body)))}@mail.acme.example>")
    message["Date"] = "Sun, 06 Dec 2026 09:00:00 +0800"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


@pytest.fixture
def support(transactional_db, service_desk):
    return Mailbox.objects.create(name="Support", address=SUPPORT, team=service_desk, transport=Transport.RECEIVER)


@pytest.fixture
def receiver(transactional_db, tmp_path):
    started: list[ReceiverProcess] = []

    def start(**options) -> ReceiverProcess:
        process = ReceiverProcess(tmp_path / f"receiver{len(started)}.log", **options).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def test_lmtp_delivery_opens_an_email_ticket(receiver, support):
    refused = receiver().send(an_email(), mail_from="alice@acme.example", to=[SUPPORT])

    assert refused == {}
    inbound = InboundEmail.objects.get()
    assert (inbound.mailbox, inbound.status, inbound.sender) == (support, InboundStatus.PROCESSED, "alice@acme.example")
    # The envelope sender, as the final delivery agent records it, then the message as sent.
    assert bytes(inbound.raw).startswith(b"Return-Path: <alice@acme.example>\r\n")
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.channel, ticket.team) == (
        "Printer on floor 3 is jammed",
        Channel.EMAIL,
        support.team,
    )
    assert inbound.ticket == ticket


def test_recipient_case_does_not_matter(receiver, support):
    refused = receiver().send(an_email(), mail_from="alice@acme.example", to=["Support@HelpDesk.Example"])

    assert refused == {}
    assert Ticket.objects.count() == 1


def test_unknown_and_inactive_recipients_are_refused(receiver, support, network_team):
    Mailbox.objects.create(
        name="Old", address="old@helpdesk.example", team=network_team, transport=Transport.RECEIVER, active=False
    )
    Mailbox.objects.create(
        name="Polled", address="polled@helpdesk.example", team=network_team, transport=Transport.IMAP
    )
    process = receiver()

    for address in ("nobody@helpdesk.example", "old@helpdesk.example", "polled@helpdesk.example"):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            process.send(an_email(), mail_from="alice@acme.example", to=[address])
        assert refused.value.recipients[address][0] == 550

    # One good recipient among bad ones: the good one gets it, the bad one is reported.
    refused = process.send(an_email(), mail_from="alice@acme.example", to=["nobody@helpdesk.example", SUPPORT])
    assert refused == {"nobody@helpdesk.example": (550, b"5.1.1 No such mailbox here")}
    assert InboundEmail.objects.filter(mailbox=support).count() == 1
    assert Ticket.objects.count() == 1


def test_oversized_message_is_refused(receiver, support):
    process = receiver(env={"MAIL_MAX_MESSAGE_MB": "1"})
    big = an_email(body="x" * 1024 + "\n" + ("A" * 76 + "\n") * 15_000)  # about 1.2 MB

    with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refused:
        process.send(big, mail_from="alice@acme.example", to=[SUPPORT])

    assert refused.value.smtp_code == 552
    assert InboundEmail.objects.count() == 0
    # A message under the limit still goes through the same receiver.
    assert process.send(an_email(), mail_from="alice@acme.example", to=[SUPPORT]) == {}


def test_smtp_protocol_for_mx_delivery(receiver, support):
    refused = receiver(protocol="smtp").send(an_email(), mail_from="alice@acme.example", to=[SUPPORT])

    assert refused == {}
    assert Ticket.objects.get().channel == Channel.EMAIL


def test_a_database_failure_answers_451_and_the_retry_imports_once(receiver, support):
    """The receiver answers 250 only once the message is committed: a failure leaves it with the MTA."""
    # Statements give up after a second, so a locked table fails the delivery instead of hanging it.
    process = receiver(env={"PGOPTIONS": "-c statement_timeout=1000"})
    raw = an_email(message_id="<retry-1@mail.acme.example>")
    with psycopg.connect(_database_url(), autocommit=False) as blocker:
        blocker.execute(f"LOCK TABLE {InboundEmail._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(smtplib.SMTPDataError) as refused:
            process.send(raw, mail_from="alice@acme.example", to=[SUPPORT])
        blocker.rollback()
    assert refused.value.smtp_code == 451
    assert InboundEmail.objects.count() == 0

    # The MTA retries, twice even (its first retry's answer was lost): one message, one ticket.
    assert process.send(raw, mail_from="alice@acme.example", to=[SUPPORT]) == {}
    assert process.send(raw, mail_from="alice@acme.example", to=[SUPPORT]) == {}
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_a_bounce_opens_no_ticket(receiver, support):
    """MAIL FROM:<> (a bounce) reaches the import as Return-Path: <>: never a ticket, never an answer."""
    raw = an_email(subject="Undelivered Mail Returned to Sender", sender="MAILER-DAEMON@acme.example")

    assert receiver().send(raw, mail_from="", to=[SUPPORT]) == {}

    inbound = InboundEmail.objects.get()
    assert bytes(inbound.raw).startswith(b"Return-Path: <>\r\n")
    assert inbound.status == InboundStatus.IGNORED
    assert Ticket.objects.count() == 0


def test_receiver_settings_default_to_local_lmtp():
    assert (settings.MAIL_RECEIVER_HOST, settings.MAIL_RECEIVER_PORT, settings.MAIL_RECEIVER_PROTOCOL) == (
        "127.0.0.1",
        8024,
        "lmtp",
    )


def test_a_wrong_protocol_setting_stops_the_command_with_a_message(settings):
    from django.core.management import CommandError, call_command

    settings.MAIL_RECEIVER_PROTOCOL = "pop3"

    with pytest.raises(CommandError, match="MAIL_RECEIVER_PROTOCOL must be one of lmtp, smtp, not 'pop3'"):
        call_command("mail_receiver")
