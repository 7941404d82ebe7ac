"""Fixtures shared by the e-mail channel's tests and its API's: the mailboxes, the corpus, held
e-mails. Registered for every test in tests/conftest.py (``pytest_plugins``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from mail.models import InboundEmail, Mailbox, Transport
from mail.services import receive

CORPUS = Path(__file__).resolve().parent.parent / "data" / "mail"
SUPPORT = "support@helpdesk.example"


@pytest.fixture
def mailbox(db, service_desk):
    """support@helpdesk.example, routed to the Service Desk (carol's team, erin manages it)."""
    return Mailbox.objects.create(name="Support", address=SUPPORT, team=service_desk, transport=Transport.RECEIVER)


@pytest.fixture
def network_mailbox(db, network_team):
    return Mailbox.objects.create(
        name="Network", address="network@helpdesk.example", team=network_team, transport=Transport.RECEIVER
    )


@pytest.fixture
def with_files(mailbox):
    """Sam's e-mail with a PDF, a log and a forbidden .exe: a ticket in the Service Desk."""
    return receive(mailbox, corpus_message("multipart_attachments_apple.eml"))


def held(mailbox, number: int) -> InboundEmail:
    """An e-mail from a new sender, held when ``MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR`` is 0."""
    raw = (
        f"From: Spammy {number} <spammy@example.org>\r\nTo: {mailbox.address}\r\nSubject: Offer {number}\r\n"
        f"Message-ID: <offer-{number}-{mailbox.pk}@example.org>\r\n\r\nBuy now.\r\n"
    ).encode()
    return receive(mailbox, raw)


def corpus_message(name: str, ticket=None, outbox_id: int | None = None) -> bytes:
    """A corpus file's bytes, its placeholders filled for ``ticket`` (tests/data/mail/make_corpus.py)."""
    raw = (CORPUS / name).read_bytes()
    raw = raw.replace(b"@@DOMAIN@@", settings.EMAIL_MESSAGE_ID_DOMAIN.encode())
    if ticket is not None:
        raw = raw.replace(b"@@TICKET_ID@@", str(ticket.pk).encode())
        raw = raw.replace(b"@@REFERENCE@@", ticket.reference.encode())
    if outbox_id is not None:
        raw = raw.replace(b"@@OUTBOX_ID@@", str(outbox_id).encode())
    return raw


@pytest.fixture
def corpus():
    return corpus_message
