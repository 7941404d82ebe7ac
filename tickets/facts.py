"""Rebuild a ticket's fact columns from its event log, to check what the services stored.

The services write ``first_response_at`` ... ``last_public_activity_at`` next to the event that
justifies them (see ``tickets/models.py``); spec §3 promises that every metric is derivable from
the events. This module replays the events with the same rules as the services, so a difference
between the stored columns and the replay is a bug in a service (or a row written around them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from accounts.models import ROLE_RANK, Role
from tickets.models import EventKind, Status, Ticket, TicketEvent

FACT_FIELDS = (
    "status",
    "first_response_at",
    "first_resolved_at",
    "resolved_at",
    "closed_at",
    "reopen_count",
    "reassignment_count",
    "escalation_count",
    "last_public_activity_at",
)

# Tickets checked per round trip by tickets_with_mismatches: bounded memory, few queries.
BATCH_SIZE = 500


def _events() -> QuerySet[TicketEvent]:
    """Events with just what the replay reads: the message flags and the actor's role, no bodies."""
    return (
        TicketEvent.objects.order_by("created_at", "id")
        .only("id", "ticket_id", "kind", "actor_id", "message_id", "new_value", "created_at")
        .annotate(
            actor_role=F("actor__role"),
            message_public=F("message__is_public"),
            message_automatic=F("message__is_automatic"),
        )
    )


def _works_tickets(role: str | None) -> bool:
    # By role, not ``User.works_tickets``: that also needs ``is_active``, and an agent who has
    # since left still wrote the first response. The service accepted the reply as staff because
    # the agent was active then.
    return role is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[Role.AGENT]


def _replay(events: Iterable[TicketEvent]) -> dict[str, Any]:
    """Apply the services' rules to events in (created_at, id) order."""
    facts: dict[str, Any] = {
        "status": None,
        "first_response_at": None,
        "first_resolved_at": None,
        "resolved_at": None,
        "closed_at": None,
        "reopen_count": 0,
        "reassignment_count": 0,
        "escalation_count": 0,
        "last_public_activity_at": None,
    }
    # ticket_assign compares with the last agent ever assigned; unassigning does not forget them.
    last_assignee_id: int | None = None
    for event in events:
        at: datetime = event.created_at
        kind = event.kind
        if kind == EventKind.CREATED:
            facts["status"] = (event.new_value or {}).get("status", Status.NEW)
            facts["last_public_activity_at"] = at
        elif kind == EventKind.REPLIED:
            facts["last_public_activity_at"] = at
            # The reply records which side of the desk wrote it; older events fall back on the role.
            side = (event.new_value or {}).get("side")
            by_staff = side == "staff" if side else _works_tickets(event.actor_role)
            is_first_response = (
                facts["first_response_at"] is None and by_staff and event.message_public and not event.message_automatic
            )
            if is_first_response:
                facts["first_response_at"] = at
        elif kind == EventKind.STATUS_CHANGED:
            # Also the implicit moves (staff reply or assignment on NEW, requester reply on
            # PENDING): the services record a STATUS_CHANGED event for those too.
            facts["status"] = event.new_value
        elif kind == EventKind.RESOLVED:
            facts["status"] = Status.RESOLVED
            facts["resolved_at"] = at
            facts["first_resolved_at"] = facts["first_resolved_at"] or at
        elif kind == EventKind.REOPENED:
            facts["status"] = Status.OPEN
            facts["resolved_at"] = None
            facts["reopen_count"] += 1
        elif kind == EventKind.CLOSED:
            # Closing keeps resolved_at: a ticket closed after resolution still counts as resolved.
            facts["status"] = Status.CLOSED
            facts["closed_at"] = at
        elif kind == EventKind.ASSIGNED and event.new_value:
            assignee_id = event.new_value["id"]
            if last_assignee_id is not None and last_assignee_id != assignee_id:
                facts["reassignment_count"] += 1
            last_assignee_id = assignee_id
        elif kind == EventKind.ESCALATED and not (event.new_value or {}).get("sent_back"):
            # By a person or a rule. A send-back (``escalation_returned``) does not undo the
            # escalation it ends; before it had its own kind it was an ``escalated`` event with
            # ``sent_back``, which older logs still hold.
            facts["escalation_count"] += 1
    if facts["status"] is not None:
        facts["status"] = str(facts["status"])
    return facts


def facts_from_events(ticket_id: int) -> dict[str, Any]:
    """The fact columns of ticket ``ticket_id`` as its events say they should be."""
    return _replay(_events().filter(ticket_id=ticket_id))


def _compare(ticket: Ticket, rebuilt: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {
        field: (getattr(ticket, field), rebuilt[field])
        for field in FACT_FIELDS
        if getattr(ticket, field) != rebuilt[field]
    }


def mismatches(ticket: Ticket) -> dict[str, tuple[Any, Any]]:
    """``{field: (stored, rebuilt)}`` for every fact column that disagrees with the events."""
    return _compare(ticket, facts_from_events(ticket.pk))


def tickets_with_mismatches(queryset: QuerySet[Ticket]) -> list[tuple[Ticket, dict[str, tuple[Any, Any]]]]:
    """``[(ticket, mismatches)]`` for the tickets in ``queryset`` whose facts disagree with their events.

    Events are prefetched one batch of tickets at a time: two queries per batch, whatever the size.
    """
    found = []
    tickets = queryset.order_by("pk").prefetch_related(Prefetch("events", queryset=_events(), to_attr="replayed"))
    for ticket in tickets.iterator(chunk_size=BATCH_SIZE):
        diff = _compare(ticket, _replay(ticket.replayed))
        if diff:
            found.append((ticket, diff))
    return found
