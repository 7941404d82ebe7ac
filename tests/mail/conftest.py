"""Fixtures shared by the e-mail channel's tests: the support mailbox and the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from mail.models import Mailbox, Transport

CORPUS = Path(__file__).resolve().parent.parent / "data" / "mail"
SUPPORT = "support@helpdesk.example"


@pytest.fixture
def mailbox(db, service_desk):
    """support@helpdesk.example, routed to the Service Desk (carol's team, erin manages it)."""
    return Mailbox.objects.create(name="Support", address=SUPPORT, team=service_desk, transport=Transport.RECEIVER)


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
