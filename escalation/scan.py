"""The per-minute SLA scan: record each warning and breach once, notify, run escalation rules.

Due and warning times are on the ticket only while a clock runs (tickets/sla/clocks.py), each
column with a partial index, so the scan reads four short index ranges — never the table. The
columns stay set after a crossing (they are the current deadlines, shown as "overdue by"), so two
things keep the scan from acting twice or reading ever more rows:

- ``SlaEvent``'s unique constraint (ticket, target, kind, crossed time): a crossing is inserted
  with ``ON CONFLICT DO NOTHING`` and acted on only by the scan whose insert returned a row;
  candidates that already have their row are left out by a ``NOT EXISTS``.
- ``SlaScanMark``: each scan reads only deadlines after the previous scan's time less a margin,
  so crossings recorded long ago are not walked again every minute.

A crossing is acted on inside one transaction with the ticket locked: the SlaEvent row, a
TicketEvent (SLA_WARNING / SLA_BREACH, no actor), the e-mails in the outbox and the escalation
rules (if ``escalation.rules`` exists) stand or fall together.
"""

from __future__ import annotations

import importlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from escalation.models import SlaEvent, SlaEventKind, SlaScanMark
from tickets import notifications
from tickets.events import record
from tickets.models import EventKind, Ticket
from tickets.services.base import lock
from tickets.sla.models import SlaPolicy, SlaTarget

logger = logging.getLogger(__name__)

# Crossings read per clock column and run, oldest first; the rest wait for the next run.
LIMIT = 1000
# How far before the previous scan's time a scan looks again: a deadline written by a transaction
# that was still open when the previous scan read (its time is taken before it commits).
MARGIN = timedelta(minutes=15)
# "No lower bound" for a scan without a mark.
EARLIEST = datetime(1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Crossing:
    """One of the four things the scan watches: a clock (target) passing its warning or due time."""

    target: str  # SlaTarget: the ticket's columns are named after it
    kind: str  # SlaEventKind

    @property
    def column(self) -> str:
        """The ticket's warning or due time of this clock, e.g. ``resolution_warn_at``."""
        return f"{self.target}_{'warn' if self.kind == SlaEventKind.WARNING else 'due'}_at"

    @property
    def event_kind(self) -> str:
        return EventKind.SLA_WARNING if self.kind == SlaEventKind.WARNING else EventKind.SLA_BREACH

    @property
    def budget_sql(self) -> str:
        """Business seconds of the target up to this crossing, as ``clocks._deadline`` counts them.

        bigint: minutes × 60 × percent would overflow a 32-bit integer for targets over ~250 days.
        """
        seconds = f"policy.{self.target}_minutes::bigint * 60"
        return f"{seconds} * policy.warning_percent / 100" if self.kind == SlaEventKind.WARNING else seconds


CROSSINGS = [Crossing(target, kind) for target in SlaTarget.values for kind in SlaEventKind.values]


@dataclass
class ScanResult:
    warnings: int = 0
    breaches: int = 0
    tickets: int = 0
    failed: int = 0
    # False when a column had more than LIMIT crossings: the next run goes on with the rest.
    complete: bool = True
    recorded: list[tuple[int, str, str]] = field(default_factory=list)  # (ticket id, target, kind)


def scan(now: datetime | None = None, *, limit: int = LIMIT, everything: bool = False) -> ScanResult:
    """Record and act on every crossing up to ``now``; safe to run twice or concurrently.

    ``everything`` ignores the scan mark and reads every running clock's past deadlines (after
    tickets were imported with times in the past, for instance).
    """
    now = now or timezone.now()
    mark = None if everything else SlaScanMark.objects.values_list("scanned_until", flat=True).first()
    since = None if mark is None else mark - MARGIN
    result = ScanResult()
    # The mark may only move up to the earliest crossing still to be handled.
    scanned_until = now
    by_ticket: dict[int, list[tuple[Crossing, datetime]]] = defaultdict(list)
    per_crossing: dict[Crossing, list[datetime]] = defaultdict(list)
    for crossing, ticket_id, crossed_at in candidates(now, since, limit):
        by_ticket[ticket_id].append((crossing, crossed_at))
        per_crossing[crossing].append(crossed_at)
    for times in per_crossing.values():
        if len(times) == limit:
            result.complete = False
            scanned_until = min(scanned_until, max(times))
    order = sorted(by_ticket, key=lambda ticket_id: min(crossed_at for _c, crossed_at in by_ticket[ticket_id]))
    for ticket_id in order:
        crossings = sorted(by_ticket[ticket_id], key=lambda item: (item[1], item[0].kind != SlaEventKind.WARNING))
        try:
            recorded = _act_on_ticket(ticket_id, crossings, now)
        except Exception:
            # One ticket's failure must not stop the others; it is tried again next run.
            logger.exception("SLA scan: ticket %s failed", ticket_id)
            result.failed += 1
            scanned_until = min(scanned_until, crossings[0][1])
            continue
        if recorded:
            result.tickets += 1
        for crossing in recorded:
            result.recorded.append((ticket_id, crossing.target, crossing.kind))
            if crossing.kind == SlaEventKind.WARNING:
                result.warnings += 1
            else:
                result.breaches += 1
    _advance_mark(scanned_until)
    return result


def candidates(now: datetime, since: datetime | None, limit: int) -> list[tuple[Crossing, int, datetime]]:
    """(crossing, ticket id, crossed time) of the crossings in (``since``, ``now``] not recorded yet.

    One statement, four index ranges: each branch reads one clock column through its partial
    index, oldest first, at most ``limit`` rows.
    """
    params = {"now": now, "since": since or EARLIEST, "limit": limit}
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATES_SQL, params)
        return [(CROSSINGS[index], ticket_id, crossed_at) for index, ticket_id, crossed_at in cursor.fetchall()]


def _candidates_sql() -> str:
    """The query :func:`candidates` runs; ``%(now)s``, ``%(since)s`` and ``%(limit)s`` are its parameters.

    A crossing is left out when its SlaEvent exists. A clock that resumes after it had already
    crossed gets a deadline at (or just after) the resumption: when the budget was spent before
    the running stretch began and the crossing was recorded before, that is the same crossing,
    not a new one (a stricter policy that is exceeded at once is new: nothing was recorded).
    """
    tickets, policies, events = Ticket._meta.db_table, SlaPolicy._meta.db_table, SlaEvent._meta.db_table
    branches = []
    for index, crossing in enumerate(CROSSINGS):
        column = f"ticket.{crossing.column}"
        # target and kind are this module's constants (TextChoices values), not input.
        branches.append(f"""
            (SELECT {index}, ticket.id, {column}
            FROM {tickets} AS ticket LEFT JOIN {policies} AS policy ON policy.id = ticket.sla_policy_id
            WHERE {column} <= %(now)s
              -- A refresh may set a deadline that already lies in the past (an overdue clock
              -- resumed, a stricter policy): stretches started since the mark are looked at too.
              AND ({column} > %(since)s OR ticket.sla_running_since > %(since)s)
              AND NOT EXISTS (
                SELECT 1 FROM {events} AS recorded
                WHERE recorded.ticket_id = ticket.id
                  AND recorded.target = '{crossing.target}' AND recorded.kind = '{crossing.kind}'
                  AND (recorded.due_at = {column} OR ticket.{crossing.target}_used_s >= {crossing.budget_sql})
              )
            ORDER BY {column}, ticket.id
            LIMIT %(limit)s)""")
    return "\nUNION ALL".join(branches)


CANDIDATES_SQL = _candidates_sql()


def _act_on_ticket(ticket_id: int, crossings: list[tuple[Crossing, datetime]], now: datetime) -> list[Crossing]:
    with transaction.atomic():
        ticket = lock(Ticket(pk=ticket_id))
        recorded = []
        for crossing, crossed_at in crossings:
            if getattr(ticket, crossing.column) != crossed_at:
                continue  # the clock paused, stopped or moved since it was read: the next run sees it as it is
            if not _insert_once(ticket_id, crossing, crossed_at, now):
                continue  # another scan has it
            record(
                ticket,
                crossing.event_kind,
                actor=None,
                at=now,
                new={"target": crossing.target, "due_at": crossed_at.isoformat()},
            )
            recorded.append(crossing)
        breached = {crossing.target for crossing in recorded if crossing.kind == SlaEventKind.BREACH}
        for crossing in recorded:
            if crossing.kind == SlaEventKind.BREACH:
                notifications.sla_breach(ticket, crossing.target)
            elif crossing.target not in breached:  # a late scan: the breach e-mail says it all
                notifications.sla_warning(ticket, crossing.target)
        for crossing in recorded:
            _run_escalation_rules(ticket, crossing)
        return recorded


def _insert_once(ticket_id: int, crossing: Crossing, crossed_at: datetime, now: datetime) -> bool:
    """Insert the SlaEvent unless it exists; True only for the scan whose insert made the row."""
    table = SlaEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (ticket_id, target, kind, due_at, recorded_at)
            VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT ON CONSTRAINT sla_event_once DO NOTHING
            RETURNING id
            """,
            [ticket_id, crossing.target, crossing.kind, crossed_at, now],
        )
        return cursor.fetchone() is not None


def _run_escalation_rules(ticket: Ticket, crossing: Crossing) -> None:
    """Hand the crossing to ``escalation.rules`` when that module exists; a failing rule is logged.

    The rules run in a savepoint: if one fails, the SLA event and its e-mails still stand.
    """
    try:
        rules = importlib.import_module("escalation.rules")
    except ModuleNotFoundError as exc:
        if exc.name != "escalation.rules":
            raise
        return
    try:
        with transaction.atomic():
            rules.run_for_sla_event(ticket, crossing.target, crossing.kind)
    except Exception:
        logger.exception(
            "SLA scan: escalation rules failed for ticket %s (%s %s)", ticket.pk, crossing.target, crossing.kind
        )


def _advance_mark(scanned_until: datetime) -> None:
    """Move the mark forward (never back: a concurrent scan may have gone further)."""
    table = SlaScanMark._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (id, scanned_until) VALUES (1, %s)
            ON CONFLICT (id) DO UPDATE SET scanned_until = GREATEST({table}.scanned_until, EXCLUDED.scanned_until)
            """,
            [scanned_until],
        )
