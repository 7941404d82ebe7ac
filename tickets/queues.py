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

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db.models import CharField, Count, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.permissions import visible
from escalation.models import Escalation, SlaPolicy
from tickets.lifecycle import ACTIVE
from tickets.models import Status, Tag, Ticket
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


# Views that hold only tickets of my teams or assigned to me: tickets every staff user may see.
OWN_WORK = frozenset({View.BREACHING, View.MINE, View.UNASSIGNED, View.TEAMS})


def view_queryset(user: User, view: View) -> QuerySet[Ticket]:
    """The tickets of one view, already narrowed to what ``user`` may see."""
    if view in OWN_WORK and user.works_tickets:
        # visible() would add "… or an escalation I coordinate", an EXISTS that cannot widen
        # these views: without it the statement is simpler to build and to plan.
        return Ticket.objects.filter(_work_condition(user, view), status__in=ACTIVE)
    tickets = visible(user, Ticket.objects.all())
    if view == View.ALL:
        return tickets
    return tickets.filter(_work_condition(user, view), status__in=ACTIVE)


def view_counts(user: User) -> dict[str, int]:
    """Sidebar counts, cached briefly per user: cheap at a million tickets."""
    key = f"queue-counts:{user.pk}"
    counts = cache.get(key)
    if counts is None:
        counts = _count_views(user)
        cache.set(key, counts, COUNTS_SECONDS)
    return counts


def _count_views(user: User) -> dict[str, int]:
    """The same numbers as ``view_queryset(user, view).count()`` for each counted view.

    Not by counting ``visible()``: its "or an open escalation I coordinate" EXISTS is checked
    against every active ticket and makes PostgreSQL read all their rows (0.3–0.4 s at a million
    tickets), and so does "my teams OR assigned to me" (a bitmap OR of two indexes). Instead: my
    teams' active tickets, then those assigned to me elsewhere, each an index-only scan of
    ``ticket_counts_act_idx`` (team, assignee, status: so nothing but those columns is counted,
    ``COUNT(id)`` would read the rows); the tickets I see only as an escalation's coordinator are
    few and found from the escalation's index. Tested against the views' own querysets in
    tests/tickets/test_queues.py.
    """
    active = Ticket.objects.filter(status__in=ACTIVE)
    teams = staff_team_ids(user)
    pending = Q(status=Status.PENDING)
    # COUNT of a column the rows below never hold NULL in (COUNT(*) takes no FILTER in Django).
    in_teams = active.filter(team_id__in=teams).aggregate(
        mine=Count("team_id", filter=Q(assignee=user)),
        unassigned=Count("team_id", filter=Q(assignee__isnull=True)),
        teams=Count("team_id"),
        pending=Count("team_id", filter=pending),
    )
    elsewhere = (
        active.filter(assignee=user)
        .exclude(team_id__in=teams)
        .aggregate(mine=Count("assignee_id"), pending=Count("assignee_id", filter=pending))
    )
    coordinated = active.filter(pk__in=Escalation.objects.open().filter(escalated_by_id=user.pk).values("ticket_id"))
    if user.has_role(Role.ADMIN):
        # visible() gives an admin every ticket: every pending one is in their "pending" view.
        all_pending = active.filter(pending).count()
    else:
        outside = coordinated.exclude(team_id__in=teams).exclude(assignee=user)
        all_pending = in_teams["pending"] + elsewhere["pending"] + outside.filter(pending).count()
    # The due time is not in that index: my teams' through (team, due), mine elsewhere apart.
    due_soon = Q(sla_next_due_at__lte=timezone.now() + timedelta(hours=BREACHING_HOURS))
    breaching = (
        active.filter(due_soon, team_id__in=teams).count()
        + active.filter(due_soon, assignee=user).exclude(team_id__in=teams).count()
    )
    counts = {
        View.BREACHING: breaching,
        View.MINE: in_teams["mine"] + elsewhere["mine"],
        View.UNASSIGNED: in_teams["unassigned"],
        View.TEAMS: in_teams["teams"],
        View.PENDING: all_pending,
        View.ESCALATED: coordinated.count(),
    }
    return {str(view): count for view, count in counts.items()}


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


# What a queue row shows (templatetags/ticket_badges.py ``queue_rows``), the sort columns, and
# what the SLA badge reads. At a million tickets, building the other columns and a model for
# each requester, team and assignee cost more than the query (a user's time zone alone is parsed
# into a ZoneInfo for every one of them): names come as annotations of the ticket instead.
ROW_FIELDS = (
    "subject",
    "status",
    "priority",
    "created_at",
    "updated_at",
    "sla_next_due_at",
    "first_response_warn_at",
    "resolution_warn_at",
    "sla_policy",
)


def _display_name(person: str) -> Coalesce:
    """``str(user)`` in SQL: the full name, or the e-mail address when it is blank."""
    return Coalesce(NullIf(F(f"{person}__full_name"), Value("")), F(f"{person}__email"), output_field=CharField())


def _row_columns() -> dict:
    return {
        "requester_name": _display_name("requester"),
        "team_name": F("team__name"),
        "assignee_name": _display_name("assignee"),
        # In the same statement: one round trip less than prefetch_related("tags").
        "tag_names": ArraySubquery(Tag.objects.filter(tickets=OuterRef("pk")).order_by("name").values("name")),
    }


def _attach_sla_policies(tickets: list[Ticket]) -> None:
    """Each ticket's SLA policy with its calendar (what the SLA badge reads), one instance each.

    A handful of policies serve every ticket: joined into the page's statement they were two
    more models built for each of the 50 rows.
    """
    ids = {ticket.sla_policy_id for ticket in tickets if ticket.sla_policy_id is not None}
    if not ids:
        return
    policies = SlaPolicy.objects.select_related("calendar").only("calendar__updated_at").in_bulk(ids)
    for ticket in tickets:
        if ticket.sla_policy_id is not None:
            # None if the policy was deleted in between: its tickets then have none (SET_NULL).
            ticket.sla_policy = policies.get(ticket.sla_policy_id)


@dataclass(frozen=True)
class Page:
    tickets: list[Ticket]
    next_cursor: str | None


def page(queryset: QuerySet[Ticket], *, sort_key: str, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    """One page after ``cursor`` in ``sort_key`` order: a row comparison the index can seek to.

    Each ticket carries ``requester_name``, ``team_name``, ``assignee_name`` (None when nobody)
    and ``tag_names``, and its SLA policy with the calendar; its other relations are not loaded.
    One query, and one more for the SLA policies when a ticket on the page has one.
    """
    sort = SORTS.get(sort_key) or SORTS[DEFAULT_SORT]
    direction = "-" if sort.descending else ""
    queryset = queryset.order_by(*(f"{direction}{column}" for column in sort.columns))
    after = _decode(cursor, sort) if cursor else None
    if after is not None:
        queryset = _after(queryset, sort, after)
    rows = list(queryset.only(*ROW_FIELDS).annotate(**_row_columns())[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    _attach_sla_policies(rows)
    return Page(tickets=rows, next_cursor=_encode(rows[-1], sort) if more and rows else None)
