"""Moving a ticket through its lifecycle (see tickets/lifecycle.py for the table)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.errors import ApplicationError
from tickets import notifications
from tickets.events import record
from tickets.lifecycle import Side, check_transition
from tickets.models import EventKind, ResolutionCode, Status, Ticket
from tickets.services.base import check_version, lock, now_or, save, side_of
from tickets.services.checklists import check_checklist_done
from tickets.sla.clocks import settle_targets
from tickets.sla.models import SlaTarget

# Moves that have their own service, because they carry more than a status.
SPECIAL_TARGETS = {Status.RESOLVED: "ticket_resolve", Status.CLOSED: "ticket_close"}


@transaction.atomic
def ticket_change_status(
    ticket: Ticket,
    status: str,
    *,
    acting_user: User,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Open / pending / on hold. Resolving, reopening and closing have their own services."""
    ticket = lock(ticket)
    side = side_of(acting_user, ticket)
    check_version(ticket, expected_version)
    if status in SPECIAL_TARGETS:
        raise ApplicationError(_("Use “resolve” or “close” for that."))
    if ticket.status == Status.RESOLVED and status == Status.OPEN:
        return _manual_reopen(ticket, acting_user, side, now_or(at))
    check_transition(ticket.status, status, side)
    at = now_or(at)
    old = ticket.status
    record(ticket, EventKind.STATUS_CHANGED, actor=acting_user, at=at, old=old, new=status)
    ticket.status = status
    save(ticket, at, "status")
    if status in {Status.PENDING, Status.ON_HOLD} or old in {Status.PENDING, Status.ON_HOLD}:
        notifications.status_changed(ticket, old, status)
    return ticket


@transaction.atomic
def ticket_resolve(
    ticket: Ticket,
    *,
    code: str,
    summary: str,
    acting_user: User | None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Staff, or the system (``acting_user=None``: a monitoring source that auto-resolves)."""
    ticket = lock(ticket)
    side = side_of(acting_user, ticket)
    check_version(ticket, expected_version)
    if code not in ResolutionCode.values:
        raise ApplicationError(_("Choose a resolution code."), extra={"field": "code"})
    summary = (summary or "").strip()
    if not summary:
        raise ApplicationError(_("Please summarise the resolution for the requester."), extra={"field": "summary"})
    check_transition(ticket.status, Status.RESOLVED, side)
    check_checklist_done(ticket)  # maintenance runs: every step ticked first
    at = now_or(at)
    event = record(
        ticket,
        EventKind.RESOLVED,
        actor=acting_user,
        at=at,
        old=ticket.status,
        new={"code": code, "summary": summary, "assignee": ticket.assignee_id},
    )
    settle_targets(ticket, SlaTarget.values, stopped_by=EventKind.RESOLVED, actor=acting_user, at=at)
    ticket.status = Status.RESOLVED
    ticket.resolution_code = code
    ticket.resolution_summary = summary
    ticket.resolved_at = at
    ticket.first_resolved_at = ticket.first_resolved_at or at
    save(ticket, at, "status", "resolution_code", "resolution_summary", "resolved_at", "first_resolved_at")
    notifications.resolved(ticket, event)
    return ticket


def reopen(ticket: Ticket, *, actor: User | None, at: datetime, side: Side, reason: str) -> Ticket:
    """Resolved → open, counted. The caller holds the ticket's lock."""
    check_transition(ticket.status, Status.OPEN, side)
    record(ticket, EventKind.REOPENED, actor=actor, at=at, old=ticket.status, new={"reason": reason})
    ticket.status = Status.OPEN
    ticket.resolved_at = None
    ticket.reopen_count += 1
    save(ticket, at, "status", "resolved_at", "reopen_count")
    notifications.status_changed(ticket, Status.RESOLVED, Status.OPEN)
    return ticket


@transaction.atomic
def ticket_reopen(ticket: Ticket, *, acting_user: User, at: datetime | None = None) -> Ticket:
    ticket = lock(ticket)
    return _manual_reopen(ticket, acting_user, side_of(acting_user, ticket), now_or(at))


def _manual_reopen(ticket: Ticket, acting_user: User, side: Side, at: datetime) -> Ticket:
    """Staff may reopen any time; a requester only within the reopen window."""
    from tickets.services.messages import reopen_window_open

    if side is Side.REQUESTER and not reopen_window_open(ticket, at):
        raise ApplicationError(_("The reopen window has passed; reply to open a follow-up instead."))
    return reopen(ticket, actor=acting_user, at=at, side=side, reason="manual")


@transaction.atomic
def ticket_close(
    ticket: Ticket, *, acting_user: User | None, expected_version: int | None = None, at: datetime | None = None
) -> Ticket:
    """Close a resolved ticket (staff, requester, or the system); a requester may also withdraw."""
    ticket = lock(ticket)
    side = side_of(acting_user, ticket)
    if side is Side.REQUESTER and acting_user.pk != ticket.requester_id:
        # A colleague on a shared request may reply; closing it is the requester's own call.
        raise ApplicationError(_("Only the person who made this request can close it."))
    check_version(ticket, expected_version)
    check_transition(ticket.status, Status.CLOSED, side)
    at = now_or(at)
    old = ticket.status
    record(
        ticket,
        EventKind.CLOSED,
        actor=acting_user,
        at=at,
        old=old,
        new={"withdrawn": old != Status.RESOLVED, "automatic": acting_user is None},
    )
    settle_targets(ticket, SlaTarget.values, stopped_by=EventKind.CLOSED, actor=acting_user, at=at, missed_only=True)
    ticket.status = Status.CLOSED
    ticket.closed_at = at
    save(ticket, at, "status", "closed_at")
    if side is not Side.REQUESTER:
        notifications.status_changed(ticket, old, Status.CLOSED)
    return ticket


def auto_close_resolved(now: datetime | None = None, batch: int = 500) -> int:
    """Close tickets resolved more than TICKET_AUTO_CLOSE_DAYS ago; each in its own transaction."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TICKET_AUTO_CLOSE_DAYS)
    due = list(
        Ticket.objects.filter(status=Status.RESOLVED, resolved_at__lte=cutoff)
        .order_by("resolved_at")
        .values_list("pk", flat=True)[:batch]
    )
    closed = 0
    for pk in due:
        with transaction.atomic():
            ticket = lock(Ticket(pk=pk))
            if ticket.status != Status.RESOLVED or ticket.resolved_at > cutoff:
                continue  # reopened or re-resolved since we looked
            ticket_close(ticket, acting_user=None, at=now)
            closed += 1
    return closed
