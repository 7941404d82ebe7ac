"""The event log's one writer: every service, the SLA clocks and the scan record through :func:`record`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts.models import User
from tickets.models import EventKind, Message, Ticket, TicketEvent


def record(
    ticket: Ticket,
    kind: EventKind,
    *,
    actor: User | None,
    at: datetime,
    old: Any = None,
    new: Any = None,
    message: Message | None = None,
    due_at: datetime | None = None,
) -> TicketEvent:
    """Write one event; its team, assignee and category are the ticket's once the event has taken effect.

    An SLA outcome counts in the KPI figures when it happened if met, and when the target fell
    due (``due_at``) if missed, which can be long before the miss was settled; a miss with no
    running due time (a paused clock) counts when it happened. The moment is stored as
    ``counts_at`` so a period's outcomes are read through one index.
    """
    team_id, assignee_id, category_id = ticket.team_id, ticket.assignee_id, ticket.category_id
    if kind == EventKind.TEAM_CHANGED:
        team_id = new["id"] if new else None
    elif kind == EventKind.ASSIGNED:
        assignee_id = new["id"] if new else None
    elif kind == EventKind.CATEGORY_CHANGED:
        category_id = new["id"] if new else None
    counts_at = None
    if kind == EventKind.SLA_MET:
        counts_at = at
    elif kind == EventKind.SLA_MISSED:
        counts_at = due_at or at
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        old_value=old,
        new_value=new,
        message=message,
        created_at=at,
        team_id=team_id,
        assignee_id=assignee_id,
        category_id=category_id,
        counts_at=counts_at,
    )
