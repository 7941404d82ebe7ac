"""Agent queues: which tickets each view holds, how they sort, and keyset pages over them.

Pages never use OFFSET or count the whole table: a page is "the next 50 after this row" on an
index that matches the sort order (see the partial indexes on active tickets in models.py).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import visible
from tickets.lifecycle import ACTIVE
from tickets.models import Status, Ticket
from tickets.permissions import coordinated_by, staff_team_ids

PAGE_SIZE = 50
COUNTS_SECONDS = 30


class View(StrEnum):
    BREACHING = "breaching"
    MINE = "mine"
    UNASSIGNED = "unassigned"
    TEAMS = "teams"
    PENDING = "pending"
    ESCALATED = "escalated"
    ALL = "all"


VIEW_LABELS = {
    View.BREACHING: _("Breaching soon"),
    View.MINE: _("Mine"),
    View.UNASSIGNED: _("Unassigned in my teams"),
    View.TEAMS: _("My teams"),
    View.PENDING: _("Pending on requester"),
    View.ESCALATED: _("Escalated by me"),
    View.ALL: _("All I may see"),
}
# Views whose sidebar count is worth a query; "all" may be the whole table.
COUNTED = (View.BREACHING, View.MINE, View.UNASSIGNED, View.TEAMS, View.PENDING, View.ESCALATED)
# "Breaching soon": an SLA target falls due within this many hours (or is already overdue).
BREACHING_HOURS = 8


@dataclass(frozen=True)
class Sort:
    label: str
    columns: tuple[str, ...]  # database columns, the last one unique (id)
    descending: bool
    # The first column may be NULL (no running SLA clock); PostgreSQL sorts those last.
    nullable_first: bool = False


SORTS = {
    "priority": Sort(_("Priority, then oldest"), ("priority", "created_at", "id"), descending=False),
    "updated": Sort(_("Recently updated"), ("updated_at", "id"), descending=True),
    "created": Sort(_("Newest"), ("created_at", "id"), descending=True),
    "due": Sort(_("SLA due first"), ("sla_next_due_at", "id"), descending=False, nullable_first=True),
}
DEFAULT_SORT = "priority"


def _work_condition(user: User, view: View) -> Q:
    """What a work view adds to "active tickets I may see" (one definition for lists and counts)."""
    teams = Q(team_id__in=staff_team_ids(user))
    match view:
        case View.BREACHING:
            horizon = timezone.now() + timedelta(hours=BREACHING_HOURS)
            return (teams | Q(assignee=user)) & Q(sla_next_due_at__lte=horizon)
        case View.MINE:
            return Q(assignee=user)
        case View.UNASSIGNED:
            return teams & Q(assignee__isnull=True)
        case View.TEAMS:
            return teams
        case View.PENDING:
            return Q(status=Status.PENDING)
        case View.ESCALATED:
            return Q(coordinated_by(user))
    raise ValueError(view)


def view_queryset(user: User, view: View) -> QuerySet[Ticket]:
    """The tickets of one view, already narrowed to what ``user`` may see."""
    tickets = visible(user, Ticket.objects.all())
    if view == View.ALL:
        return tickets
    return tickets.filter(_work_condition(user, view), status__in=ACTIVE)


def view_counts(user: User) -> dict[str, int]:
    """Sidebar counts in one query, cached briefly per user: cheap at a million tickets."""
    key = f"queue-counts:{user.pk}"
    counts = cache.get(key)
    if counts is None:
        active = visible(user, Ticket.objects.filter(status__in=ACTIVE))
        counts = active.aggregate(**{str(view): Count("id", filter=_work_condition(user, view)) for view in COUNTED})
        cache.set(key, counts, COUNTS_SECONDS)
    return counts


def _encode(ticket: Ticket, sort: Sort) -> str:
    values = []
    for column in sort.columns:
        value = getattr(ticket, column)
        values.append(value.isoformat() if isinstance(value, datetime) else value)
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor: str, sort: Sort) -> list | None:
    """The sort values a cursor carries, or None when it is malformed (then: first page)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != len(sort.columns):
        return None
    decoded = []
    for position, (column, value) in enumerate(zip(sort.columns, values, strict=True)):
        if value is None and position == 0 and sort.nullable_first:
            decoded.append(None)
            continue
        if column.endswith("_at"):
            value = parse_datetime(value) if isinstance(value, str) else None
        elif not isinstance(value, int) or isinstance(value, bool):
            value = None
        if value is None:
            return None
        decoded.append(value)
    return decoded


def _after(queryset: QuerySet[Ticket], sort: Sort, after: list) -> QuerySet[Ticket]:
    table = Ticket._meta.db_table
    columns = [f'"{table}"."{column}"' for column in sort.columns]
    operator = "<" if sort.descending else ">"
    if sort.nullable_first and after[0] is None:
        # Already in the NULL tail: the rest of it, by id.
        return queryset.extra(where=[f"{columns[0]} IS NULL", f"{columns[-1]} {operator} %s"], params=[after[-1]])
    placeholders = ", ".join(["%s"] * len(after))
    # Django has no public tuple comparison; ROW(a, b) < ROW(x, y) is what lets PostgreSQL
    # start the index scan at the cursor instead of filtering every earlier row.
    condition = f"({', '.join(columns)}) {operator} ({placeholders})"
    if sort.nullable_first:
        condition = f"({condition} OR {columns[0]} IS NULL)"
    return queryset.extra(where=[condition], params=after)


@dataclass(frozen=True)
class Page:
    tickets: list[Ticket]
    next_cursor: str | None


def page(queryset: QuerySet[Ticket], *, sort_key: str, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    """One page after ``cursor`` in ``sort_key`` order: a row comparison the index can seek to."""
    sort = SORTS.get(sort_key) or SORTS[DEFAULT_SORT]
    direction = "-" if sort.descending else ""
    queryset = queryset.order_by(*(f"{direction}{column}" for column in sort.columns))
    after = _decode(cursor, sort) if cursor else None
    if after is not None:
        queryset = _after(queryset, sort, after)
    rows = list(
        queryset.select_related("requester", "team", "assignee", "category", "sla_policy__calendar")
        .prefetch_related("tags")
        .defer("description", "description_html", "search_vector", "resolution_summary")[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    return Page(tickets=rows, next_cursor=_encode(rows[-1], sort) if more and rows else None)
