"""A ticket's checklist (maintenance runs): ticking steps, and the guard that keeps it unresolved
until every step is done."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import may_change
from helpdesk.errors import ApplicationError
from tickets.models import ChecklistItem, Status, Ticket
from tickets.services.base import lock, now_or


class ChecklistIncomplete(ApplicationError):
    """``ticket_resolve`` refuses while a step is open (API code ``checklist_incomplete``)."""

    code = "checklist_incomplete"


def open_steps(ticket: Ticket) -> int:
    return ticket.checklist_items.filter(done_at__isnull=True).count()


def check_checklist_done(ticket: Ticket) -> None:
    """Raise :class:`ChecklistIncomplete` while any step of the ticket's checklist is not ticked."""
    remaining = open_steps(ticket)
    if remaining:
        raise ChecklistIncomplete(
            _("Tick every step of the checklist before resolving (%(count)d not done yet).") % {"count": remaining},
            extra={"field": "checklist", "open_steps": remaining},
        )


@transaction.atomic
def checklist_tick(item: ChecklistItem, done: bool, *, acting_user: User, at: datetime | None = None) -> ChecklistItem:
    """Tick (``done=True``) or untick a step; staff who may work the ticket. Idempotent.

    The ticket's version is left alone on purpose: ticking a step is not an edit of the ticket's
    fields, and must not make a colleague's open side form stale.
    """
    ticket = lock(item.ticket)
    if acting_user is None or not may_change(acting_user, ticket):
        raise PermissionDenied
    if ticket.status in {Status.RESOLVED, Status.CLOSED}:
        raise ApplicationError(_("This ticket is resolved or closed; its checklist can no longer change."))
    item = ChecklistItem.objects.select_for_update().get(pk=item.pk, ticket=ticket)
    if done and item.done_at is None:
        item.done_at = now_or(at)
        item.done_by = acting_user
    elif not done and item.done_at is not None:
        item.done_at = None
        item.done_by = None
    else:
        return item
    item.save(update_fields=["done_at", "done_by"])
    return item
