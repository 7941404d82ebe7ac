"""The event log behind the filled tickets, loaded with COPY: what the KPI engine reads.

``fill.py`` writes tickets with their fact columns (created, first response, first and last
resolution, closed, reopen / escalation / reassignment counts) and no events. ``fill_events``
gives every ticket a history consistent with those columns, as the services would have written
it (``tickets/services``), about five events a ticket:

- ``created`` (the requester as actor, none for monitoring and scheduled tickets), with the
  category and type the facts read from it;
- ``assigned`` to the ticket's assignee (a first assignment to a colleague before it for the
  tickets with a reassignment);
- the first public reply by staff at ``first_response_at``, with its ``Message`` row; for about
  one ticket in seven a pending episode after it (``status_changed`` to pending, the requester's
  reply with its message, back to open);
- ``escalated`` for the escalated tickets;
- ``resolved`` at ``first_resolved_at``; for the reopened ones ``reopened`` by the requester and
  ``resolved`` again at ``resolved_at``; ``closed`` at ``closed_at`` (automatic, or withdrawn by
  the requester);
- a ``satisfaction`` answer (event and ``SatisfactionAnswer`` row) for about one resolution in
  five;
- ``sla_met`` / ``sla_missed`` outcomes, with the business seconds used, for the tickets of the
  organisations under a contract (about three in ten), on a 24×7 calendar.

Every event carries the ticket's team and assignee at that moment (``team_id``, ``assignee_id``).
The rows are sorted by (created_at, ticket, position in the ticket's history) and numbered in
that order: ``id`` and ``seq`` alike, as the migration numbered existing events, so the table is
physically in time order like a real log. The ``seq`` trigger is skipped by
``session_replication_role = replica`` (as are the foreign-key triggers); the sequences are moved
past the rows afterwards.

Import after ``django.setup()``.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg

from accounts.models import Team
from dataset.fill import _copy
from tickets.models import Message, SatisfactionAnswer, TicketEvent

EVENTS_META = "bench_events_meta"
# (first response, resolution) targets in minutes by priority, as dataset/clocks.py.
TARGETS = {1: (15, 240), 2: (60, 480), 3: (240, 1440), 4: (480, 4320)}
SLA_SHARE = 0.3
PENDING_SHARE = 0.15
CSAT_SHARE = 0.2
CSAT_WEIGHTS = (4, 4, 8, 30, 54)  # scores 1..5
SYSTEM_CHANNELS = ("monitoring", "scheduled")
EVENT_COLUMNS = (
    "id", "seq", "ticket_id", "kind", "team_id", "assignee_id", "category_id", "actor_id", "old_value", "new_value",
    "message_id", "created_at", "counts_at",
)  # fmt: skip
MESSAGE_COLUMNS = ("id", "ticket_id", "author_id", "is_public", "is_automatic", "body", "body_html", "created_at")
ANSWER_COLUMNS = ("id", "ticket_id", "resolution_event_id", "resolved_by_id", "score", "comment", "created_at")
STAFF_BODY = "Thanks for reporting this, we are looking into it."
REQUESTER_BODY = "Here is the information you asked for."

Log = Callable[[str], None]


def filled_events(url: str) -> int:
    """Events a completed earlier ``fill_events`` left (0: none)."""
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass(%s)", [EVENTS_META]).fetchone()[0] is None:
            return 0
        row = conn.execute(f"SELECT events FROM {EVENTS_META}").fetchone()
        return row[0] if row else 0


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat()


class _History:
    """The events of all tickets as (moment, ticket, position, kind, team, assignee, actor, old, new, message)."""

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.messages: list[tuple] = []
        self.answers: list[tuple] = []  # (ticket, resolution key, resolved_by, score, moment)
        # The histories never change a category: every event carries the ticket's.
        self.categories: dict[int, int | None] = {}
        self.position = 0

    def add(self, moment, ticket, kind, team, assignee, actor, old=None, new=None, message=None) -> tuple[int, int]:
        self.position += 1
        self.events.append((moment, ticket, self.position, kind, team, assignee, actor, old, new, message))
        return ticket, self.position

    def message(self, moment, ticket, author, body) -> int:
        message_id = len(self.messages) + 1
        self.messages.append((message_id, ticket, author, True, False, body, f"<p>{body}</p>", _stamp(moment)))
        return message_id


def _stamp(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


def _sla(history, moment, ticket, team, assignee, actor, target, stopped_by, used, limit_s, created):
    kind = "sla_met" if used <= limit_s else "sla_missed"
    value = {"target": target, "stopped_by": stopped_by, "used_s": int(used), "due_at": _iso(created + limit_s)}
    history.add(moment, ticket, kind, team, assignee, actor, None, _dumps(value))


def _ticket_history(history: _History, rng: random.Random, row, members, now: float, cache: dict) -> None:
    (ticket, created, first_response, first_resolved, resolved, closed, status, team, assignee, requester,
     category, ticket_type, channel, priority, reopens, escalations, reassignments, code) = row  # fmt: skip
    history.position = 0
    history.categories[ticket] = category
    random_ = rng.random
    created = created.timestamp()
    first_response = first_response and first_response.timestamp()
    first_resolved = first_resolved and first_resolved.timestamp()
    resolved = resolved and resolved.timestamp()
    closed = closed and closed.timestamp()
    team_members = members[team]
    created_value = _dumps(
        {
            "status": "new",
            "priority": priority,
            "type": ticket_type,
            "channel": channel,
            "category": cache["categories"].get(category),
            "team": cache["teams"][team],
            "requester": {"id": requester, "name": ""},
        }
    )
    creator = None if channel in SYSTEM_CHANNELS else requester
    history.add(created, ticket, "created", team, None, creator, None, created_value)

    # Everything the staff does happens by the first response, the first resolution, or soon.
    horizon = first_response or first_resolved or closed or min(now, created + 3600)
    current = None
    if assignee is not None or first_response is not None:
        agent = assignee if assignee is not None else team_members[int(random_() * len(team_members))]
        assign_at = created + (horizon - created) * 0.3 * random_()
        if reassignments:
            others = [member for member in team_members if member != agent] or team_members
            first_agent = others[int(random_() * len(others))]
            history.add(
                assign_at, ticket, "assigned", team, first_agent, first_agent, None, cache["agent"](first_agent)
            )
            assign_at += (horizon - assign_at) * 0.5
            current = first_agent
        old = cache["agent"](current) if current else None
        if assignee is not None:
            history.add(assign_at, ticket, "assigned", team, agent, agent, old, cache["agent"](agent))
            current = agent
    else:
        agent = None
    sla = random_() < SLA_SHARE
    response_limit, resolution_limit = (minutes * 60 for minutes in TARGETS[priority])

    if first_response is not None:
        message = history.message(first_response, ticket, agent, STAFF_BODY)
        value = _dumps({"message": message, "attachments": 0, "side": "staff"})
        history.add(first_response, ticket, "replied", team, current, agent, None, value, message)
        if sla:
            used = first_response - created
            _sla(history, first_response, ticket, team, current, agent, "first_response", "replied", used,
                 response_limit, created)  # fmt: skip
        end = first_resolved or closed or now
        if random_() < PENDING_SHARE and end - first_response > 600:
            pending_at = first_response + (end - first_response) * 0.2
            back_at = first_response + (end - first_response) * 0.5
            history.add(pending_at, ticket, "status_changed", team, current, agent, '"open"', '"pending"')
            message = history.message(back_at, ticket, requester, REQUESTER_BODY)
            value = _dumps({"message": message, "attachments": 0, "side": "requester"})
            history.add(back_at, ticket, "replied", team, current, requester, None, value, message)
            history.add(back_at, ticket, "status_changed", team, current, requester, '"pending"', '"open"')
        elif status == "pending":
            pending_at = first_response + (now - first_response) * 0.5 * random_()
            history.add(pending_at, ticket, "status_changed", team, current, agent, '"open"', '"pending"')

    if escalations and agent is not None:
        start = first_response or created
        escalated_at = start + ((first_resolved or now) - start) * 0.5
        value = _dumps({"escalation": ticket, "to_team": cache["teams"][team], "note": "needs tier 2"})
        history.add(escalated_at, ticket, "escalated", team, current, agent, None, value)

    if first_resolved is not None:
        resolutions = [first_resolved] if not reopens else [first_resolved, resolved]
        for number, moment in enumerate(resolutions):
            if number:
                reopened_at = first_resolved + (moment - first_resolved) * 0.3
                history.add(
                    reopened_at, ticket, "reopened", team, current, requester, '"resolved"', '{"reason":"reply"}'
                )
            key = history.add(
                moment, ticket, "resolved", team, current, agent, '"open"', cache["resolved"](code, agent)
            )
            if sla:
                _sla(history, moment, ticket, team, current, agent, "resolution", "resolved", moment - created,
                     resolution_limit, created)  # fmt: skip
            answered_at = moment + 3600 * 30 * random_() ** 2
            if number == len(resolutions) - 1 and random_() < CSAT_SHARE and answered_at < (closed or now):
                score = rng.choices((1, 2, 3, 4, 5), weights=CSAT_WEIGHTS)[0]
                history.answers.append((ticket, key, agent, score, answered_at))
                # The event's value names the resolution event: filled in once ids are known.
                history.add(answered_at, ticket, "satisfaction", team, current, requester, None, (score, key))
    if closed is not None:
        withdrawn = status == "closed" and resolved is None
        value = _dumps({"withdrawn": withdrawn, "automatic": not withdrawn})
        history.add(closed, ticket, "closed", team, current, requester if withdrawn else None,
                    '"open"' if withdrawn else '"resolved"', value)  # fmt: skip


def fill_events(url: str, *, seed: int, log: Log) -> dict[str, float]:
    """Write the events, messages and satisfaction answers of every ticket; return counts and seconds."""
    started = time.perf_counter()
    rng = random.Random(seed + 1)
    event_table = TicketEvent._meta.db_table
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(f"SELECT to_regclass('{EVENTS_META}'), (SELECT count(*) FROM {event_table})")
        meta, existing = cursor.fetchone()
        if meta is None and existing:
            raise SystemExit(f"bench: {existing:,} events but no completed event fill: rerun with --fresh")
        cursor.execute("SELECT now FROM bench_meta")
        now = cursor.fetchone()[0].timestamp()
        cursor.execute(f"SELECT id, name FROM {Team._meta.db_table}")
        teams = {team: {"id": team, "name": name} for team, name in cursor.fetchall()}
        cursor.execute("SELECT id, name FROM tickets_category")
        categories = {category: {"id": category, "name": name} for category, name in cursor.fetchall()}
        cursor.execute(
            f"SELECT team_id, array_agg(user_id ORDER BY user_id) FROM {Team.members.through._meta.db_table} GROUP BY 1"
        )
        members = dict(cursor.fetchall())
        cursor.execute("SELECT id, full_name FROM accounts_user WHERE role <> 'requester'")
        names = dict(cursor.fetchall())
        agent_values = {user: _dumps({"id": user, "name": name}) for user, name in names.items()}
        resolved_values: dict[tuple, str] = {}

        def resolved_value(code, agent):
            key = (code, agent)
            if key not in resolved_values:
                resolved_values[key] = _dumps({"code": code or "fixed", "summary": "Fixed it.", "assignee": agent})
            return resolved_values[key]

        cache = {"teams": teams, "categories": categories, "agent": agent_values.get, "resolved": resolved_value}
        history = _History()
        with conn.cursor(name="tickets") as tickets:
            tickets.itersize = 20_000
            tickets.execute(
                """
                SELECT id, created_at, first_response_at, first_resolved_at, resolved_at, closed_at, status, team_id,
                       assignee_id, requester_id, category_id, type, channel, priority, reopen_count,
                       escalation_count, reassignment_count, resolution_code
                FROM tickets_ticket ORDER BY id
                """
            )
            for row in tickets:
                _ticket_history(history, rng, row, members, now, cache)
        conn.commit()
        events = history.events
        log(f"{len(events):,} events generated in {time.perf_counter() - started:.0f} s; sorting")
        events.sort(key=lambda event: (event[0], event[1], event[2]))
        answer_keys = {answer[1] for answer in history.answers}
        event_ids: dict[tuple[int, int], int] = {}

        def event_rows():
            for number, (moment, ticket, position, kind, team, assignee, actor, old, new, message) in enumerate(
                events, start=1
            ):
                if (ticket, position) in answer_keys:
                    event_ids[(ticket, position)] = number
                if kind == "satisfaction":
                    score, key = new
                    new = _dumps({"score": score, "resolution_event": event_ids[key], "comment": False})
                category = history.categories[ticket]
                stamp = _stamp(moment)
                # When an SLA outcome counts (tickets/events.py): met when recorded, missed when due.
                counts_at = None
                if kind == "sla_met":
                    counts_at = stamp
                elif kind == "sla_missed":
                    counts_at = datetime.fromisoformat(json.loads(new)["due_at"])
                yield number, number, ticket, kind, team, assignee, category, actor, old, new, message, stamp, counts_at

        copy_started = time.perf_counter()
        try:
            cursor.execute("SET session_replication_role = replica")
        except psycopg.errors.InsufficientPrivilege as exc:
            raise SystemExit("bench: filling events needs a superuser (session_replication_role)") from exc
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        indexes = _event_indexes(cursor, event_table)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        _copy(cursor, Message, MESSAGE_COLUMNS, history.messages)
        count = _copy(cursor, TicketEvent, EVENT_COLUMNS, event_rows())
        answers = (
            (number, ticket, event_ids[key], agent, score, "", _stamp(moment))
            for number, (ticket, key, agent, score, moment) in enumerate(history.answers, start=1)
        )
        _copy(cursor, SatisfactionAnswer, ANSWER_COLUMNS, answers)
        for model in (Message, TicketEvent, SatisfactionAnswer):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM \"{table}\"))", [table]
            )
        cursor.execute(f"SELECT setval('tickets_ticketevent_seq_seq', (SELECT max(seq) FROM {event_table}))")
        conn.commit()
        log(
            f"{count:,} events, {len(history.messages):,} messages, {len(history.answers):,} satisfaction answers "
            f"copied in {time.perf_counter() - copy_started:.0f} s"
        )
        index_started = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
            conn.commit()
        log(f"{len(indexes)} event indexes rebuilt in {time.perf_counter() - index_started:.0f} s")
        conn.autocommit = True
        for model in (Message, TicketEvent, SatisfactionAnswer):
            cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
        seconds = time.perf_counter() - started
        cursor.execute(f"CREATE TABLE {EVENTS_META} (events bigint, messages bigint, answers bigint, seconds float)")
        cursor.execute(
            f"INSERT INTO {EVENTS_META} VALUES (%s, %s, %s, %s)",
            [count, len(history.messages), len(history.answers), seconds],
        )
    return {"events": count, "messages": len(history.messages), "answers": len(history.answers), "seconds": seconds}


def _event_indexes(cursor: psycopg.Cursor, table: str) -> list[tuple[str, str]]:
    from dataset.fill import _plain_indexes

    return _plain_indexes(cursor, table)
