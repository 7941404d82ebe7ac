"""The thread: public replies and internal notes, with their attachments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.markdown import render_markdown
from tickets import notifications, search
from tickets.attachments import CheckedUpload, check_uploads
from tickets.events import record
from tickets.lifecycle import InvalidTransition, Side
from tickets.models import Attachment, EventKind, LinkKind, Message, Status, Ticket, TicketLink
from tickets.services.base import lock, now_or, save, side_of
from tickets.sla.clocks import settle_targets
from tickets.sla.models import SlaTarget


@dataclass(frozen=True)
class ReplyResult:
    ticket: Ticket
    message: Message | None
    # Set when a reply to a finished ticket opened a new one instead.
    follow_up: Ticket | None = None


def store_attachments(
    ticket: Ticket, message: Message | None, checked: list[CheckedUpload], *, uploaded_by: User, at: datetime
) -> list[Attachment]:
    stored = []
    for item in checked:
        attachment = Attachment(
            ticket=ticket,
            message=message,
            original_name=item.name,
            extension=item.extension,
            content_type=item.content_type,
            size=item.size,
            uploaded_by=uploaded_by,
            created_at=at,
        )
        attachment.file.save(item.name, item.upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _attached_bytes(ticket: Ticket, attachments: list | None) -> int:
    """What the ticket already holds, which only a message that brings files can push over the limit."""
    if not attachments:
        return 0
    return ticket.attachments.aggregate(total=Sum("size"))["total"] or 0


def reopen_window_open(ticket: Ticket, at: datetime) -> bool:
    return ticket.resolved_at is not None and at <= ticket.resolved_at + timedelta(
        days=settings.TICKET_REOPEN_WINDOW_DAYS
    )


def _post(
    ticket: Ticket, author: User | None, body: str, *, public: bool, side: Side, checked, at: datetime
) -> Message:
    message = Message.objects.create(
        ticket=ticket, author=author, is_public=public, body=body, body_html=render_markdown(body), created_at=at
    )
    store_attachments(ticket, message, checked, uploaded_by=author, at=at)
    record(
        ticket,
        EventKind.REPLIED if public else EventKind.NOTE_ADDED,
        actor=author,
        at=at,
        # The side decides whether a reply is a first response; recording it keeps that rebuildable.
        new={"message": message.pk, "attachments": len(checked), "side": str(side)},
        message=message,
    )
    search.refresh_search_vector(ticket.pk)
    return message


@transaction.atomic
def ticket_reply(
    ticket: Ticket,
    body: str,
    *,
    acting_user: User,
    attachments: list | None = None,
    at: datetime | None = None,
    requester_side: bool = False,
) -> ReplyResult:
    """A public reply. From the requester it may reopen the ticket or open a follow-up.

    ``requester_side``: the caller has established that ``acting_user`` answers for the
    requester, which the portal's rules cannot tell (the e-mail import: the sender is the
    requester of a guest request, or a participant in Cc).
    """
    from tickets.services.creation import clean_body, open_ticket
    from tickets.services.status import reopen

    if acting_user is None:
        raise ValueError("a reply needs an author")
    ticket = lock(ticket)
    side = Side.REQUESTER if requester_side else side_of(acting_user, ticket)
    body = clean_body(body, field="body")
    checked = check_uploads(attachments or [], already_attached=_attached_bytes(ticket, attachments))
    at = now_or(at)

    if side is Side.REQUESTER and (
        ticket.status == Status.CLOSED or (ticket.status == Status.RESOLVED and not reopen_window_open(ticket, at))
    ):
        # Whoever may reply on the requester side (a colleague, where shared) may start the follow-up.
        follow_up = open_ticket(
            requester=ticket.requester,
            subject=_("Follow-up: %(subject)s") % {"subject": ticket.subject},
            description=body,
            acting_user=acting_user,
            category=ticket.category,
            impact=ticket.impact,
            urgency=ticket.urgency,
            type=ticket.type,
            channel=ticket.channel,
            team=ticket.team,
            attachments=attachments,
            external_reference=None,
            at=at,
            # A follow-up is as private, or as shared, as the request it follows.
            shared_with_organisation=ticket.shared_with_organisation,
        )
        TicketLink.objects.create(source=follow_up, target=ticket, kind=LinkKind.FOLLOW_UP_OF)
        record(follow_up, EventKind.LINKED, actor=acting_user, at=at, new={"kind": "follow_up_of", "ticket": ticket.pk})
        notifications.follow_up_opened(follow_up, ticket)
        return ReplyResult(ticket=follow_up, message=None, follow_up=follow_up)
    if side is Side.STAFF and ticket.status == Status.CLOSED:
        raise InvalidTransition(_("This ticket is closed; closed tickets are final."))

    if side is Side.REQUESTER and ticket.status == Status.RESOLVED:
        reopen(ticket, actor=acting_user, at=at, side=side, reason="requester_reply")
    message = _post(ticket, acting_user, body, public=True, side=side, checked=checked, at=at)
    ticket.last_public_activity_at = at
    changed = ["last_public_activity_at"]
    if side is Side.STAFF:
        if ticket.first_response_at is None:
            settle_targets(
                ticket,
                [SlaTarget.FIRST_RESPONSE],
                stopped_by=EventKind.REPLIED,
                actor=acting_user,
                at=at,
            )
            ticket.first_response_at = at
            changed.append("first_response_at")
        if ticket.status == Status.NEW:
            _set_status(ticket, Status.OPEN, actor=acting_user, at=at)
            changed.append("status")
        save(ticket, at, *changed)
        notifications.public_reply(ticket, message)
    else:
        if ticket.status == Status.PENDING:
            _set_status(ticket, Status.OPEN, actor=acting_user, at=at)
            changed.append("status")
        save(ticket, at, *changed)
        notifications.requester_replied(ticket, message)
    return ReplyResult(ticket=ticket, message=message)


def _set_status(ticket: Ticket, status: Status, *, actor: User | None, at: datetime) -> None:
    record(ticket, EventKind.STATUS_CHANGED, actor=actor, at=at, old=ticket.status, new=str(status))
    ticket.status = status


@transaction.atomic
def ticket_add_note(
    ticket: Ticket,
    body: str,
    *,
    acting_user: User | None,
    attachments: list | None = None,
    at: datetime | None = None,
) -> Message:
    """An internal note: staff only, never shown or sent to the requester.

    ``acting_user=None`` is a note by the system (e.g. monitoring: "the alert fired again").
    """
    from tickets.services.creation import clean_body

    ticket = lock(ticket)
    if side_of(acting_user, ticket) not in (Side.STAFF, Side.SYSTEM):
        raise PermissionDenied
    body = clean_body(body, field="body")
    checked = check_uploads(attachments or [], already_attached=_attached_bytes(ticket, attachments))
    at = now_or(at)
    message = _post(ticket, acting_user, body, public=False, side=Side.STAFF, checked=checked, at=at)
    save(ticket, at)
    return message
