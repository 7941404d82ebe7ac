"""Checks that the event log can stand alone: snapshots and ``seq`` agree with a replay.

``tickets/facts.py`` proves the fact columns on the ticket; this module proves what the KPI
engine reads from the events themselves: each event's ``team``, ``assignee`` and ``category`` equal the state
a replay of the ticket's earlier events gives, each SLA outcome's ``counts_at`` is the moment
its own value says it counts, and ``seq`` orders a ticket's events exactly as ``(created_at, id)``
does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from django.db.models import Prefetch, QuerySet

from tickets.models import EventKind, Ticket, TicketEvent

BATCH_SIZE = 500


@dataclass(frozen=True)
class EventProblem:
    ticket_id: int
    event_id: int
    what: str  # "team", "assignee", "category", "counts_at" or "seq"
    stored: object
    replayed: object


def _id(value) -> int | None:
    return value["id"] if value else None


def snapshot_problems(ticket_id: int, events: Iterable[TicketEvent]) -> list[EventProblem]:
    """Compare each event's team/assignee/category with the replay of the events before it (and itself)."""
    problems = []
    team_id = assignee_id = category_id = None
    for event in events:
        if event.kind == EventKind.CREATED:
            team_id = _id((event.new_value or {}).get("team"))
            category_id = _id((event.new_value or {}).get("category"))
        elif event.kind == EventKind.CATEGORY_CHANGED:
            category_id = _id(event.new_value)
        elif event.kind == EventKind.TEAM_CHANGED:
            team_id = _id(event.new_value)
        elif event.kind == EventKind.ASSIGNED:
            assignee_id = _id(event.new_value)
        expected_team_id = team_id
        if event.kind == EventKind.ESCALATED and "team" in (event.old_value or {}):
            # The escalating team (older rule escalations recorded their move first).
            expected_team_id = _id(event.old_value["team"])
        if event.team_id != expected_team_id:
            problems.append(EventProblem(ticket_id, event.pk, "team", event.team_id, expected_team_id))
        if event.assignee_id != assignee_id:
            problems.append(EventProblem(ticket_id, event.pk, "assignee", event.assignee_id, assignee_id))
        if event.category_id != category_id:
            problems.append(EventProblem(ticket_id, event.pk, "category", event.category_id, category_id))
        if event.counts_at != (counts_at := _counts_at(event)):
            problems.append(EventProblem(ticket_id, event.pk, "counts_at", event.counts_at, counts_at))
    return problems


def _counts_at(event: TicketEvent) -> datetime | None:
    """When an SLA outcome counts (``tickets/events.py``): met when recorded, missed when due."""
    if event.kind == EventKind.SLA_MET:
        return event.created_at
    if event.kind == EventKind.SLA_MISSED:
        due_at = (event.new_value or {}).get("due_at")
        return datetime.fromisoformat(due_at) if due_at else event.created_at
    return None


def seq_problems(ticket_id: int, events: list[TicketEvent]) -> list[EventProblem]:
    """``events`` in (created_at, id) order: their seq must rise with them."""
    problems = []
    for before, after in pairwise(events):
        if after.seq <= before.seq:
            problems.append(EventProblem(ticket_id, after.pk, "seq", after.seq, f"> {before.seq}"))
    return problems


def event_log_problems(queryset: QuerySet[Ticket]) -> list[EventProblem]:
    """Every snapshot or ordering problem of the tickets in ``queryset``; two queries per batch."""
    events = TicketEvent.objects.order_by("created_at", "id").only(
        "id",
        "ticket_id",
        "kind",
        "old_value",
        "new_value",
        "team_id",
        "assignee_id",
        "category_id",
        "counts_at",
        "seq",
        "created_at",
    )
    tickets = queryset.order_by("pk").only("pk").prefetch_related(Prefetch("events", events, to_attr="log"))
    problems = []
    for ticket in tickets.iterator(chunk_size=BATCH_SIZE):
        problems += seq_problems(ticket.pk, ticket.log)
        problems += snapshot_problems(ticket.pk, ticket.log)
    return problems
