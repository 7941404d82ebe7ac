"""Agent queues: which tickets each view holds, how they sort, and keyset pages over them.

Pages never use OFFSET or count the whole table: a page is "the next 50 after this row" on an
index that matches the sort order (see the partial indexes on active tickets in models.py).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Team, User
from accounts.permissions import visible
from helpdesk.db import prepared_cursor
from helpdesk.names import chinese_active
from tickets.lifecycle import ACTIVE
from tickets.models import Escalation, Status, Tag, Ticket, format_reference
from tickets.permissions import coordinated_by, staff_team_ids
from tickets.sla.models import SlaPolicy

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
# "Breaching soon" is worked in the order the targets fall due: the overdue ones first.
VIEW_SORTS = {View.BREACHING: "due"}


def default_sort(view: View) -> str:
    return VIEW_SORTS.get(view, DEFAULT_SORT)


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


@dataclass(frozen=True)
class Condition:
    """A view's WHERE clause on ``tickets_ticket``, written out: what ``page`` runs without the ORM.

    ``sql`` is None when the view is empty whatever the tickets (no teams): then no query runs,
    as when the ORM meets ``team_id IN ()``.
    """

    sql: str | None
    params: tuple = ()


_T = '"tickets_ticket"'
# Literals, not parameters: the partial indexes are defined on them (see helpdesk/db.py).
if not all(str(status).replace("_", "").isalpha() for status in ACTIVE):
    raise ValueError("a status must be letters and underscores to be written into SQL")
_ACTIVE_LITERALS = ", ".join(f"'{status}'" for status in ACTIVE)
_ACTIVE_SQL = f'{_T}."status" IN ({_ACTIVE_LITERALS})'


def view_condition(user: User, view: View) -> Condition | None:
    """``view_queryset(user, view)``'s WHERE as SQL for the views an agent works all day, else None.

    The same rows as the queryset (tests/tickets/test_queues.py compares the two for every view
    and persona); building and compiling the ORM statement cost more than running it.
    """
    if view not in OWN_WORK or not user.works_tickets:
        return None
    team_ids = sorted(staff_team_ids(user))
    teams = f'{_T}."team_id" IN ({", ".join(["%s"] * len(team_ids))})' if team_ids else None
    match view:
        case View.MINE:
            sql, params = f'{_T}."assignee_id" = %s', [user.pk]
        case View.TEAMS | View.UNASSIGNED if teams is None:
            return Condition(None)
        case View.TEAMS:
            sql, params = teams, team_ids
        case View.UNASSIGNED:
            sql, params = f'{teams} AND {_T}."assignee_id" IS NULL', team_ids
        case View.BREACHING:
            horizon = timezone.now() + timedelta(hours=BREACHING_HOURS)
            mine = f'{_T}."assignee_id" = %s'
            either = f"({teams} OR {mine})" if teams else mine
            sql, params = f'{either} AND {_T}."sla_next_due_at" <= %s', [*team_ids, user.pk, horizon]
        case _:
            raise ValueError(view)
    return Condition(f"{_ACTIVE_SQL} AND {sql}", tuple(params))


def counts_cache_key(user: User) -> str:
    """Where the sidebar counts of ``user`` are cached.

    The role and the teams (read from PostgreSQL) are part of the key: counts cached before a
    change of either are never read after it. So is the last event the user acted in (also read
    from PostgreSQL, one step down the ``event_actor_id_idx`` index): after an agent takes,
    assigns, resolves or creates a ticket, their next page counts afresh instead of showing the
    numbers from before their own change for up to ``COUNTS_SECONDS``. A colleague's change
    still shows within ``COUNTS_SECONDS``. Nothing has to reach Redis to invalidate anything.
    """
    teams = ",".join(str(pk) for pk in sorted(staff_team_ids(user)))
    # Written out and prepared like the page's SELECT: on every page, and the ORM spent as long
    # building it as PostgreSQL did answering it.
    with prepared_cursor() as cursor:
        cursor.execute("SELECT max(id) FROM tickets_ticketevent WHERE actor_id = %s", [user.pk])
        (last_acted,) = cursor.fetchone()
    return f"queue-counts:{user.pk}:{user.role}:{teams}:{last_acted or 0}"


def view_counts(user: User) -> dict[str, int]:
    """Sidebar counts, cached briefly per user, role, teams and own last action: cheap at a million tickets."""
    key = counts_cache_key(user)
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


def _encode(ticket: QueueRow, sort: Sort) -> str:
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
            try:
                value = parse_datetime(value) if isinstance(value, str) else None
            except ValueError:  # well formed but not a date (month 13)
                value = None
        elif not isinstance(value, int) or isinstance(value, bool):
            value = None
        if value is None:
            return None
        decoded.append(value)
    return decoded


def _after_sql(sort: Sort, after: list) -> tuple[list[str], list]:
    """WHERE conditions (and their parameters) for the rows after ``after`` in ``sort`` order."""
    columns = [f'{_T}."{column}"' for column in sort.columns]
    operator = "<" if sort.descending else ">"
    if sort.nullable_first and after[0] is None:
        # Already in the NULL tail: the rest of it, by id.
        return [f"{columns[0]} IS NULL", f"{columns[-1]} {operator} %s"], [after[-1]]
    placeholders = ", ".join(["%s"] * len(after))
    # Django has no public tuple comparison; ROW(a, b) < ROW(x, y) is what lets PostgreSQL
    # start the index scan at the cursor instead of filtering every earlier row.
    condition = f"({', '.join(columns)}) {operator} ({placeholders})"
    if sort.nullable_first:
        condition = f"({condition} OR {columns[0]} IS NULL)"
    return [condition], list(after)


class CalendarRef(NamedTuple):
    """What the SLA badge reads of a policy's calendar (``cached_calendar_spec``)."""

    pk: int
    updated_at: datetime


class PolicyRef(NamedTuple):
    calendar: CalendarRef


class QueueRow(NamedTuple):
    """One ticket of a queue page: what its row shows, its sort columns, what its SLA badge reads.

    Plain values, not a ``Ticket``: 51 models (and a model for each requester, team and
    assignee) cost more than the query that fetched them.
    """

    pk: int
    subject: str
    status: str
    priority: int
    created_at: datetime
    updated_at: datetime
    sla_next_due_at: datetime | None
    first_response_warn_at: datetime | None
    resolution_warn_at: datetime | None
    sla_policy_id: int | None
    requester_name: str
    team_name: str | None
    assignee_name: str | None
    tag_names: list[str]
    calendar_id: int | None
    calendar_updated_at: datetime | None

    @property
    def id(self) -> int:
        return self.pk

    @property
    def reference(self) -> str:
        return format_reference(self.pk)

    @property
    def sla_policy(self) -> PolicyRef | None:
        # None if the policy was deleted in between: its tickets then have none (SET_NULL).
        if self.calendar_id is None:
            return None
        return PolicyRef(CalendarRef(self.calendar_id, self.calendar_updated_at))


# The statement ``page`` runs for a Condition, up to its WHERE. Every name is a scalar subquery
# (the display name is ``str(user)``: the full name, or the e-mail address when it is blank):
# with five joins PostgreSQL spent 3–4 ms planning the order to join them in, for 51 rows.
# The team's name in the reader's language (helpdesk/names.py): one statement per language.
_TEAM_NAME = {False: 't."name"', True: """COALESCE(NULLIF(t."name_zh_hans", ''), t."name")"""}
_ROW_SELECT_TEMPLATE = f"""SELECT {_T}."id", {_T}."subject", {_T}."status", {_T}."priority", {_T}."created_at",
 {_T}."updated_at", {_T}."sla_next_due_at", {_T}."first_response_warn_at", {_T}."resolution_warn_at",
 {_T}."sla_policy_id",
 (SELECT COALESCE(NULLIF(u."full_name", ''), u."email") FROM "accounts_user" u WHERE u."id" = {_T}."requester_id"),
 (SELECT {{team_name}} FROM "accounts_team" t WHERE t."id" = {_T}."team_id"),
 (SELECT COALESCE(NULLIF(u."full_name", ''), u."email") FROM "accounts_user" u WHERE u."id" = {_T}."assignee_id"),
 ARRAY(SELECT tag."name" FROM "tickets_tag" tag INNER JOIN "tickets_ticket_tags" tagged ON tag."id" = tagged."tag_id"
  WHERE tagged."ticket_id" = {_T}."id" ORDER BY 1),
 (SELECT p."calendar_id" FROM "escalation_slapolicy" p WHERE p."id" = {_T}."sla_policy_id"),
 (SELECT c."updated_at" FROM "escalation_slapolicy" p INNER JOIN "escalation_businesscalendar" c
  ON c."id" = p."calendar_id" WHERE p."id" = {_T}."sla_policy_id")
FROM {_T}
WHERE """
_ROW_SELECT = {chinese: _ROW_SELECT_TEMPLATE.format(team_name=name) for chinese, name in _TEAM_NAME.items()}


def _order_by_sql(sort: Sort) -> str:
    direction = " DESC" if sort.descending else " ASC"
    return " ORDER BY " + ", ".join(f'{_T}."{column}"{direction}' for column in sort.columns)


_ORDER_BY = {key: _order_by_sql(sort) for key, sort in SORTS.items()}


def _display_name(person: str) -> Subquery:
    """``str(user)`` of the ticket's ``person`` as a scalar subquery: the full name, or the e-mail."""
    name = Coalesce(NullIf(F("full_name"), Value("")), F("email"), output_field=CharField())
    return Subquery(User.objects.filter(pk=OuterRef(f"{person}_id")).values(name=name)[:1])


# The ORM's way to the same columns, for querysets (filtered queues, the views visible() narrows):
# scalar subqueries as in _ROW_SELECT, not joins, for the same reason.
_ROW_FIELDS = QueueRow._fields[:10]


def _row_columns() -> dict:
    policy = SlaPolicy.objects.filter(pk=OuterRef("sla_policy_id"))
    team_name = F("name")
    if chinese_active():
        team_name = Coalesce(NullIf(F("name_zh_hans"), Value("")), F("name"), output_field=CharField())
    return {
        "requester_name": _display_name("requester"),
        "team_name": Subquery(Team.objects.filter(pk=OuterRef("team_id")).values(shown_name=team_name)[:1]),
        "assignee_name": _display_name("assignee"),
        # In the same statement: one round trip less than prefetch_related("tags").
        "tag_names": ArraySubquery(Tag.objects.filter(tickets=OuterRef("pk")).order_by("name").values("name")),
        # The SLA badge's calendar: a handful of policies and calendars serve every ticket.
        "calendar_id": Subquery(policy.values("calendar_id")[:1]),
        "calendar_updated_at": Subquery(policy.values("calendar__updated_at")[:1]),
    }


def _rows_of_queryset(queryset: QuerySet[Ticket], sort: Sort, after: list | None, limit: int) -> list[tuple]:
    direction = "-" if sort.descending else ""
    queryset = queryset.order_by(*(f"{direction}{column}" for column in sort.columns))
    if after is not None:
        # The same row comparison as the written-out statement, as a boolean expression.
        where, params = _after_sql(sort, after)
        queryset = queryset.filter(ExpressionWrapper(RawSQL(" AND ".join(where), params), output_field=BooleanField()))
    columns = _row_columns()
    return list(queryset.annotate(**columns).values_list(*_ROW_FIELDS, *columns)[:limit])


def _queue_rows(_cursor) -> Callable[[Sequence], QueueRow]:
    """psycopg's row factory for the page's statement: its columns are QueueRow's, in order."""
    return partial(tuple.__new__, QueueRow)


def _rows_of_condition(condition: Condition, sort_key: str, sort: Sort, after: list | None, limit: int) -> list:
    if condition.sql is None:
        return []
    where, params = [condition.sql], [*condition.params]
    if after is not None:
        more_where, more_params = _after_sql(sort, after)
        where += more_where
        params += more_params
    sql = f"{_ROW_SELECT[chinese_active()]}{' AND '.join(where)}{_ORDER_BY[sort_key]} LIMIT {int(limit)}"
    with prepared_cursor() as cursor:
        # Each row made a QueueRow as it is read, not a tuple first.
        cursor.cursor.row_factory = _queue_rows
        cursor.execute(sql, params)
        return cursor.fetchall()


def due_groups(cursor: str | None) -> dict:
    """Where a page of "breaching soon" in due order starts: the group of the row before it.

    Overdue rows come first, then the ones still due; the cursor carries the last row's due time.
    """
    now = timezone.now()
    after = _decode(cursor, SORTS["due"]) if cursor else None
    before = None
    if after and after[0] is not None:
        before = "overdue" if after[0] <= now else "soon"
    return {"now": now, "before": before}


@dataclass(frozen=True)
class Page:
    tickets: list[QueueRow]
    next_cursor: str | None


def page(source: QuerySet[Ticket] | Condition, *, sort_key: str, cursor: str | None, size: int = PAGE_SIZE) -> Page:
    """One page after ``cursor`` in ``sort_key`` order: a row comparison the index can seek to.

    ``source`` is a view's ``Condition`` (``view_condition``), or a queryset of tickets when
    there is none or filters narrow the view. Either way one query (none for an empty
    Condition) and ``QueueRow`` values with the names of requester, team and assignee (None
    when nobody), the tag names and the SLA policy's calendar.
    """
    if sort_key not in SORTS:
        sort_key = DEFAULT_SORT
    sort = SORTS[sort_key]
    after = _decode(cursor, sort) if cursor else None
    if isinstance(source, Condition):
        rows = _rows_of_condition(source, sort_key, sort, after, size + 1)
    else:
        rows = _rows_of_queryset(source, sort, after, size + 1)
    more = len(rows) > size
    tickets = rows[:size] if isinstance(source, Condition) else [QueueRow._make(row) for row in rows[:size]]
    return Page(tickets=tickets, next_cursor=_encode(tickets[-1], sort) if more and tickets else None)
