"""The import: one door for every e-mail, whichever way it arrived (IMAP polling, the LMTP receiver).

:func:`receive` stores the raw bytes first, in a transaction of its own, keyed by Message-ID:
a message delivered twice is stored once, and a message whose import fails is kept ("failed",
with the reason) to be reprocessed. The import itself runs in a second transaction that holds
the row's lock, so two deliveries of the same message at once make one ticket, and a worker
that dies half-way leaves the row "received" for the next delivery to finish.

What a message becomes (mail/loops.py, mail/threads.py): noise (auto-replies, bounces, lists)
is ignored and never answered, a bounce marks the failed address; a reply from the requester or
a participant joins its ticket through the same service as a reply on the web (reopen window,
follow-ups), one from staff becomes an internal note (never a public reply); anything else opens
a ticket on the ``email`` channel as a guest request, whose acknowledgement is the usual
ticket-created e-mail. A sender who opens more than MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR tickets
in an hour is held for review.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from helpdesk.errors import ApplicationError
from mail.loops import noise
from mail.models import InboundEmail, InboundStatus, Mailbox
from mail.parsing import ParsedAttachment, ParsedEmail, header_message_id, parse
from mail.threads import Sender, referenced_ticket_id, sender_on
from notifications.suppression import mark_failing
from tickets.attachments import AttachmentRejected, check_upload, clean_file_name
from tickets.models import Attachment, Channel, Impact, Priority, Ticket, Urgency
from tickets.permissions import staff_team_ids
from tickets.services import (
    guest_requester,
    participants_add,
    ticket_add_note,
    ticket_create_by_guest,
    ticket_reply,
)
from tickets.services.creation import BODY_MAX, SUBJECT_MAX
from tickets.services.participants import MAX_PARTICIPANTS

logger = logging.getLogger(__name__)

# A mailbox's default priority as the impact and urgency that give it (tickets/priority.py):
# the ticket's priority stays computed, so an agent's later change of urgency still counts.
PRIORITY_INPUTS = {
    Priority.P1: (Impact.ORGANISATION, Urgency.BLOCKED),
    Priority.P2: (Impact.GROUP, Urgency.BLOCKED),
    Priority.P3: (Impact.GROUP, Urgency.DEGRADED),
    Priority.P4: (Impact.PERSON, Urgency.DEGRADED),
}


class ImportRefused(Exception):
    """The message cannot be imported as it is: the row is marked "failed" with this reason."""


def receive(mailbox: Mailbox, raw: bytes) -> InboundEmail:
    """Store ``raw`` for ``mailbox`` (once per Message-ID), then import it.

    Returns the row; a message seen before returns its existing row and does nothing else
    (unless a crash left it "received": then this delivery finishes the import).
    """
    # durable (here and below): inside a caller's transaction the raw bytes would not be stored
    # first, and a failed import would take them with it.
    raw = bytes(raw)
    message_id = header_message_id(raw) or f"sha256:{hashlib.sha256(raw).hexdigest()}"
    with transaction.atomic(durable=True):
        # A concurrent delivery of the same message waits on the unique index, then finds the row.
        inbound, created = InboundEmail.objects.get_or_create(
            mailbox=mailbox,
            message_id=message_id[:255],
            defaults={"raw": raw, "received_at": timezone.now(), "status": InboundStatus.RECEIVED},
        )
    if not created and inbound.status != InboundStatus.RECEIVED:
        return inbound
    return _process(inbound.pk, from_statuses=(InboundStatus.RECEIVED,), limit_rate=True)


def may_handle(user: User | None, mailbox: Mailbox) -> bool:
    """Staff of the mailbox's team (an admin: any) decide about its held and failed messages."""
    if user is None or not user.works_tickets:
        return False
    return user.has_role(Role.ADMIN) or mailbox.team_id in staff_team_ids(user)


def release(inbound: InboundEmail, *, acting_user: User) -> InboundEmail:
    """Import a held message after all (a person looked at it: the rate limit does not apply)."""
    if not may_handle(acting_user, inbound.mailbox):
        raise PermissionDenied
    if inbound.status != InboundStatus.HELD:
        raise ApplicationError(_("Only a message held for review can be released."))
    return _process(inbound.pk, from_statuses=(InboundStatus.HELD,), limit_rate=False)


def reprocess(inbound: InboundEmail, *, acting_user: User) -> InboundEmail:
    """Try a failed message again (after a fix, or a change to the mailbox or the ticket)."""
    if not may_handle(acting_user, inbound.mailbox):
        raise PermissionDenied
    if inbound.status != InboundStatus.FAILED:
        raise ApplicationError(_("Only a message whose import failed can be imported again."))
    return _process(inbound.pk, from_statuses=(InboundStatus.FAILED,), limit_rate=False)


def _process(inbound_id: int, *, from_statuses: tuple[str, ...], limit_rate: bool) -> InboundEmail:
    try:
        with transaction.atomic(durable=True):
            # The lock makes a concurrent import of the same row wait, then see it done.
            inbound = (
                InboundEmail.objects.select_for_update(of=("self",))
                .select_related("mailbox", "mailbox__team", "mailbox__default_category")
                .get(pk=inbound_id)
            )
            if inbound.status not in from_statuses:
                return inbound
            _import(inbound, limit_rate=limit_rate)
            inbound.processed_at = timezone.now()
            inbound.save()
            return inbound
    except Exception as exc:
        if isinstance(exc, ApplicationError):
            reason = str(exc.message)
        elif isinstance(exc, ImportRefused):
            reason = str(exc)
        else:
            logger.exception("mail: importing inbound e-mail %s failed", inbound_id)
            reason = f"{type(exc).__name__}: {exc}"
        with transaction.atomic(durable=True):
            InboundEmail.objects.filter(pk=inbound_id, status__in=from_statuses).update(
                status=InboundStatus.FAILED, reason=reason[:2000], processed_at=timezone.now(), **_summary(inbound_id)
            )
        return InboundEmail.objects.get(pk=inbound_id)


def _summary(inbound_id: int) -> dict[str, str]:
    """Sender and subject of a message whose import failed, for the people who review it."""
    try:
        parsed = parse(bytes(InboundEmail.objects.values_list("raw", flat=True).get(pk=inbound_id)))
    except Exception:
        return {}
    return {"sender": parsed.sender[:254] if _valid(parsed.sender) else "", "subject": parsed.subject[:300]}


def _import(inbound: InboundEmail, *, limit_rate: bool) -> None:
    raw = bytes(inbound.raw)
    if len(raw) > settings.MAIL_MAX_MESSAGE_BYTES:
        raise ImportRefused(f"the message is larger than {settings.MAIL_MAX_MESSAGE_BYTES} bytes")
    parsed = parse(raw)
    inbound.sender = parsed.sender[:254]
    inbound.subject = parsed.subject[:300]
    if not parsed.sender or not _valid(parsed.sender):
        _ignore(inbound, "no sender address")
        return
    if parsed.sender in _our_addresses():
        _ignore(inbound, "sent from one of the helpdesk's own mailboxes (a loop)")
        return
    found = noise(parsed)
    if found is not None:
        for address in found.failed_recipients:
            mark_failing(address, reason=f"bounce {inbound.message_id}"[:2000])
        _ignore(inbound, found.reason)
        return
    twin = (
        InboundEmail.objects.filter(
            message_id=inbound.message_id, status__in=[InboundStatus.PROCESSED, InboundStatus.HELD]
        )
        .exclude(pk=inbound.pk)
        .select_related("mailbox")
        .first()
    )
    if twin is not None:
        # Sent to two of our addresses at once (To one, Cc the other): one ticket, not two.
        _ignore(inbound, f"already received at {twin.mailbox.address}")
        return
    ticket_id = referenced_ticket_id(parsed)
    if ticket_id is not None:
        ticket = Ticket.objects.select_related("requester").get(pk=ticket_id)
        sender = sender_on(ticket, parsed.sender)
        if sender.role != "stranger":
            _add_reply(inbound, parsed, ticket, sender)
            return
    if limit_rate and _new_tickets_last_hour(parsed.sender) >= settings.MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR:
        inbound.status = InboundStatus.HELD
        inbound.reason = (
            f"{parsed.sender} opened {settings.MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR} or more tickets "
            "in the last hour: held for review"
        )
        return
    _open_ticket(inbound, parsed)


def _ignore(inbound: InboundEmail, reason: str) -> None:
    inbound.status = InboundStatus.IGNORED
    inbound.reason = reason


def _valid(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _our_addresses() -> set[str]:
    return set(Mailbox.objects.annotate(lower=Lower("address")).values_list("lower", flat=True))


def _new_tickets_last_hour(sender: str) -> int:
    """Tickets this sender's e-mails opened in the last hour (replies do not count)."""
    return (
        InboundEmail.objects.annotate(lower=Lower("sender"))
        .filter(
            lower=sender,
            received_at__gte=timezone.now() - timedelta(hours=1),
            status=InboundStatus.PROCESSED,
            ticket__isnull=False,
            ticket_message__isnull=True,
        )
        .count()
    )


def _text(parsed: ParsedEmail) -> str:
    """What the ticket shows: the new part of the message, within the length a message may have."""
    body = (parsed.reply_text or parsed.text).strip()
    if not body:
        return _("(The e-mail had no text.)")
    if len(body) > BODY_MAX:
        cut = _("(The e-mail was cut here; the whole message is kept with the ticket.)")
        body = body[: BODY_MAX - len(cut) - 2] + "\n\n" + cut
    return body


def _subject(parsed: ParsedEmail) -> str:
    subject = parsed.subject.strip() or _("(no subject)")
    return subject[:SUBJECT_MAX]


def _check_attachments(items: list[ParsedAttachment], *, already_attached: int) -> tuple[list[UploadedFile], list[str]]:
    """The files that pass the upload checks (tickets/attachments.py), and why the others do not.

    One bad file does not refuse the message as it refuses a web form: the sender is not there
    to fix it, so the rest is imported and the ticket says what was left out.
    """
    accepted: list[UploadedFile] = []
    dropped: list[str] = []
    total = already_attached
    for item in items:
        name = clean_file_name(item.name)  # a sender's name may hold NUL, newlines or a path
        upload = SimpleUploadedFile(name, item.data, content_type=item.content_type)
        try:
            checked = check_upload(upload)
        except AttachmentRejected as exc:
            dropped.append(f"{name}: {exc.message}")
            continue
        if len(accepted) >= settings.ATTACHMENT_MAX_FILES_PER_MESSAGE:
            dropped.append(
                _("%(name)s: more than %(count)d files in one message.")
                % {"name": name, "count": settings.ATTACHMENT_MAX_FILES_PER_MESSAGE}
            )
            continue
        if total + checked.size > settings.ATTACHMENT_MAX_TICKET_BYTES:
            dropped.append(_("%(name)s: the ticket's attachments would be too large.") % {"name": name})
            continue
        total += checked.size
        accepted.append(upload)
    return accepted, dropped


def _note_dropped(ticket: Ticket, dropped: list[str]) -> None:
    if dropped:
        lines = "\n".join(f"- {line}" for line in dropped)
        ticket_add_note(ticket, _("Not imported from the e-mail:") + "\n\n" + lines, acting_user=None)


def _open_ticket(inbound: InboundEmail, parsed: ParsedEmail) -> None:
    mailbox = inbound.mailbox
    uploads, dropped = _check_attachments(parsed.attachments, already_attached=0)
    impact, urgency = PRIORITY_INPUTS.get(mailbox.default_priority, (Impact.PERSON, Urgency.DEGRADED))
    ticket = ticket_create_by_guest(
        name=_name(parsed),
        email=parsed.sender,
        language=parsed.language,
        subject=_subject(parsed),
        description=_text(parsed),
        category=mailbox.default_category,
        impact=impact,
        urgency=urgency,
        attachments=uploads,
        channel=Channel.EMAIL,
        team=mailbox.team,
    )
    ours = _our_addresses()
    copied = [
        address
        for address in dict.fromkeys(parsed.cc)
        if address not in ours and address != parsed.sender and _valid(address)
    ]
    if copied:
        participants_add(ticket, copied[:MAX_PARTICIPANTS], acting_user=None)
    _note_dropped(ticket, dropped)
    inbound.status = InboundStatus.PROCESSED
    inbound.reason = ""
    inbound.ticket = ticket


def _name(parsed: ParsedEmail) -> str:
    return parsed.sender_name or parsed.sender.split("@", 1)[0]


def _add_reply(inbound: InboundEmail, parsed: ParsedEmail, ticket: Ticket, sender: Sender) -> None:
    already = Attachment.objects.filter(ticket=ticket).aggregate(total=Sum("size"))["total"] or 0
    uploads, dropped = _check_attachments(parsed.attachments, already_attached=already)
    if sender.role == "staff":
        # Staff by e-mail write an internal note, never a public reply: a From header proves
        # nothing (a forged agent address must not speak to a requester in the desk's name), and
        # what staff answer by e-mail are their notifications (SLA warnings, assignments), not
        # meant for the requester. Agents answer requesters on the ticket page.
        message = ticket_add_note(ticket, _text(parsed), acting_user=sender.user, attachments=uploads)
        _note_dropped(ticket, dropped)
        inbound.status = InboundStatus.PROCESSED
        inbound.reason = "internal note from staff"
        inbound.ticket = ticket
        inbound.ticket_message = message
        return
    if sender.role == "requester":
        author, requester_side = ticket.requester, True
    else:
        # A participant writes as themselves: their account, or the record a guest gets.
        author = sender.user or guest_requester(name=_name(parsed), email=parsed.sender, language=parsed.language)
        requester_side = True
    result = ticket_reply(ticket, _text(parsed), acting_user=author, attachments=uploads, requester_side=requester_side)
    _note_dropped(result.ticket, dropped)
    inbound.status = InboundStatus.PROCESSED
    inbound.reason = "" if result.follow_up is None else f"follow-up of {ticket.reference}"
    inbound.ticket = result.ticket
    inbound.ticket_message = result.message
