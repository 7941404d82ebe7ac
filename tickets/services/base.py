"""What every ticket service shares: locking, the acting side, events and saving facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import may_change
from helpdesk.errors import ConflictError
from tickets.lifecycle import Side
from tickets.models import Ticket
from tickets.permissions import is_requester_side
from tickets.sla.clocks import refresh_clocks


def lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock: concurrent changes queue instead of overwriting.

    With its SLA policy and calendar: most services move the clocks, which read both.
    """
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("organisation", "requester", "sla_policy__calendar")
        .get(pk=ticket.pk)
    )


def side_of(user: User | None, ticket: Ticket) -> Side:
    """Which side of the desk ``user`` acts on for this ticket; refuse anyone else."""
    if user is None:
        return Side.SYSTEM
    if may_change(user, ticket):
        return Side.STAFF
    if user.is_active and is_requester_side(user, ticket):
        return Side.REQUESTER
    raise PermissionDenied


def require_staff(user: User | None, ticket: Ticket) -> None:
    if user is not None and not may_change(user, ticket):
        raise PermissionDenied


def check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != ticket.version:
        raise ConflictError(
            _("Someone else changed this ticket while you were editing it. Reload the page to see their change."),
            extra={"current_version": ticket.version},
        )


def now_or(at: datetime | None) -> datetime:
    return at or timezone.now()


def describe(value: Model | None) -> dict[str, Any] | None:
    """How a related object appears in an event: its id and its name at the time."""
    return None if value is None else {"id": value.pk, "name": str(value)}


# A change to any of these may pause, resume or re-target the SLA clocks.
CLOCK_INPUTS = frozenset({"status", "priority", "type", "category", "team", "first_response_at"})


def save(ticket: Ticket, at: datetime, *fields: str) -> None:
    ticket.updated_at = max(ticket.updated_at, at) if ticket.updated_at else at
    ticket.version += 1
    changed = [*fields, "updated_at", "version"]
    if CLOCK_INPUTS.intersection(fields):
        changed += refresh_clocks(ticket, actor=None, at=at)
    ticket.save(update_fields=changed)
