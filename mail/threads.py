"""Which ticket a message answers, and whether its sender may answer it.

A reply is recognised first by its In-Reply-To / References against the Message-IDs the helpdesk
wrote (``<outbox-N@domain>`` for each e-mail, ``<ticket-N@domain>`` for the thread root,
notifications/outbox.py) and those of e-mails it imported (a Cc'd colleague answering the
requester's first message), then by a reference ("HD-000123") in the subject. Being found is
not enough: only the requester, a participant or staff who work the ticket may add to it; anyone
else's message opens a new ticket, and the ticket they quoted is not touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models.functions import Lower

from accounts.models import User
from accounts.permissions import may_change
from mail.models import InboundEmail
from mail.parsing import ParsedEmail
from notifications.models import OutboxEmail
from tickets.models import Participant, Ticket, parse_reference

SUBJECT_REFERENCE = re.compile(r"\bHD-\d{1,18}\b", re.IGNORECASE)


def _ours(message_id: str) -> tuple[str, int] | None:
    """``("outbox", 12)`` / ``("ticket", 7)`` for a Message-ID this helpdesk wrote, else None."""
    local, _at, domain = message_id.rpartition("@")
    if domain.lower() != settings.EMAIL_MESSAGE_ID_DOMAIN.lower():
        return None
    match = re.fullmatch(r"(outbox|ticket)-(\d{1,18})", local)
    return (match.group(1), int(match.group(2))) if match else None


def referenced_ticket_id(parsed: ParsedEmail) -> int | None:
    """The ticket this message answers, by its headers then its subject; None for a new request.

    The most recent reference wins: In-Reply-To, then References from the last one back.
    Three queries at most, whatever the number of references.
    """
    candidates: list[str] = []
    for message_id in [*parsed.in_reply_to, *reversed(parsed.references)]:
        if message_id not in candidates:
            candidates.append(message_id)
    candidates = candidates[:50]
    ours = {message_id: _ours(message_id) for message_id in candidates}
    outbox_ids = [found[1] for found in ours.values() if found and found[0] == "outbox"]
    outbox_tickets = dict(
        OutboxEmail.objects.filter(pk__in=outbox_ids, ticket__isnull=False).values_list("pk", "ticket_id")
    )
    imported = dict(
        InboundEmail.objects.filter(
            message_id__in=[m for m, found in ours.items() if not found], ticket__isnull=False
        ).values_list("message_id", "ticket_id")
    )
    ticket_ids = [found[1] for found in ours.values() if found and found[0] == "ticket"]
    existing = set(Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", flat=True)) if ticket_ids else set()
    for message_id in candidates:
        found = ours[message_id]
        if found and found[0] == "outbox" and found[1] in outbox_tickets:
            return outbox_tickets[found[1]]
        if found and found[0] == "ticket" and found[1] in existing:
            return found[1]
        if not found and message_id in imported:
            return imported[message_id]
    match = SUBJECT_REFERENCE.search(parsed.subject or "")
    if match:
        number = parse_reference(match.group(0))
        if number is not None and Ticket.objects.filter(pk=number).exists():
            return number
    return None


@dataclass(frozen=True)
class Sender:
    """Who a message's sender is to one ticket."""

    # "requester", "participant", "staff" or "stranger"
    role: str
    user: User | None = None
    participant: Participant | None = None


def sender_on(ticket: Ticket, address: str) -> Sender:
    """The sender's standing on ``ticket``: only the first three may add to it."""
    address = (address or "").strip().lower()
    if not address:
        return Sender("stranger")
    user = User.objects.annotate(address=Lower("email")).filter(address=address).first()
    if ticket.requester.email.lower() == address:
        return Sender("requester", user=ticket.requester)
    if user is not None and user.works_tickets and may_change(user, ticket):
        return Sender("staff", user=user)
    participant = ticket.participants.annotate(address=Lower("email")).filter(address=address).first()
    if participant is not None:
        return Sender("participant", user=user, participant=participant)
    return Sender("stranger", user=user)
