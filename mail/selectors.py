"""Reads for the staff pages: an e-mail as it arrived, the held and failed ones, a ticket's e-mails."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from accounts.models import Role, User
from accounts.permissions import may_view
from mail.models import InboundEmail, InboundStatus
from tickets.permissions import staff_team_ids

# A page of held and failed e-mails; older ones wait behind them.
REVIEW_PAGE_SIZE = 100


@dataclass
class AttachmentSummary:
    name: str
    content_type: str
    size: int


@dataclass
class OriginalEmail:
    """What the original-email page shows: decoded headers, the whole text, the files."""

    headers: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    attachments: list[AttachmentSummary] = field(default_factory=list)
    problem: str = ""
    source: str = ""


def may_review(user: User, inbound: InboundEmail) -> bool:
    """Managers (and admins) of the mailbox's team release and reprocess; the services decide
    who may handle a mailbox's messages (mail.services.may_handle), the page is the managers'."""
    from mail.services import may_handle

    if not user.is_authenticated or not user.is_active or not user.has_role(Role.MANAGER):
        return False
    return may_handle(user, inbound.mailbox)


def may_see_original(user: User, inbound: InboundEmail) -> bool:
    """Staff who may see the ticket the e-mail went to; for an e-mail without a ticket, its reviewers."""
    if not user.is_authenticated or not user.works_tickets:
        return False
    if inbound.ticket_id is not None and may_view(user, inbound.ticket):
        return True
    return may_review(user, inbound)


def review_queue(user: User) -> QuerySet[InboundEmail]:
    """Held and failed e-mails the user may release or reprocess, newest first."""
    rows = InboundEmail.objects.filter(status__in=[InboundStatus.HELD, InboundStatus.FAILED])
    if not user.has_role(Role.ADMIN):
        rows = rows.filter(mailbox__team_id__in=staff_team_ids(user))
    # The list never shows the raw bytes: leave them in the database.
    return rows.select_related("mailbox__team").defer("raw").order_by("-received_at", "-id")


def ticket_emails(ticket_id: int) -> list[InboundEmail]:
    """The e-mails that became this ticket or replies in it, oldest first (raw bytes not loaded)."""
    return list(
        InboundEmail.objects.filter(ticket_id=ticket_id)
        .only("id", "sender", "subject", "received_at", "ticket_message_id", "ticket_id", "status")
        .order_by("received_at", "id")
    )


def original_email(inbound: InboundEmail) -> OriginalEmail:
    """The stored raw message read for people: never raises, whatever the bytes are."""
    from mail.parsing import decode_header_value, parse

    raw = bytes(inbound.raw)
    original = OriginalEmail(source=raw.decode("utf-8", errors="replace"))
    try:
        parsed = parse(raw)
    except Exception as exc:  # the page exists to look at messages the import could not read
        original.problem = str(exc) or type(exc).__name__
        return original
    original.headers = [(name, decode_header_value(str(value))) for name, value in parsed.message.raw_items()]
    original.text = parsed.text
    original.attachments = [
        AttachmentSummary(name=attachment.name, content_type=attachment.content_type, size=len(attachment.data))
        for attachment in parsed.attachments
    ]
    return original
