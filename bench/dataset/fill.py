"""Load N tickets into the (already migrated) benchmark database with COPY.

Two years of tickets, their ids in order of creation. About 9 % are still active (new, open,
pending, on hold), mostly the recent ones with a long tail of old pending / on-hold work; the rest
are resolved or closed with consistent timestamps (created ≤ first response ≤ resolved ≤ closed,
updated = the last of them). Text comes from ``texts.py``; each distinct text is segmented with
``tickets.search.segment`` and turned into a tsvector by PostgreSQL once, with the same
expression as ``tickets.search.refresh_search_vectors`` (bench/queues.py checks that a few
tickets come out identical), and the vector travels in the COPY: no UPDATE of a million rows.

The ticket table's plain indexes are dropped before the COPY and rebuilt after it (faster than
maintaining them row by row), then everything is VACUUM ANALYZEd.
"""

from __future__ import annotations

import math
import random
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

import psycopg
from django.db import connection
from django.db.models import NOT_PROVIDED

from accounts.models import Organisation, Team, User
from dataset import META_TABLE
from dataset.people import TAGS, USER_COLUMNS, build_people
from dataset.texts import EN, ZH, Texts
from tickets.models import Category, Channel, ResolutionCode, Tag, Ticket
from tickets.priority import MATRIX
from tickets.search import CONFIG, segment

DAYS = 730
REQUESTERS = 20_000
ORGANISATIONS = 300
VECTOR_BATCH = 500

CHANNELS = [Channel.WEB, Channel.EMAIL, Channel.PHONE, Channel.API, Channel.MONITORING, Channel.SCHEDULED]
CHANNEL_WEIGHTS = [55, 30, 8, 3, 3, 1]
# Arrivals by hour of the requesters' day (Asia/Shanghai) and by weekday (Monday first).
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 6, 8, 10, 10, 9, 8, 5, 3, 2, 2, 1, 1]
WEEKDAY_WEIGHTS = [10, 9.5, 9, 9, 8, 2.5, 2]
LOCAL_OFFSET = 8 * 3600
# Median hours to resolve by priority (lognormal around it).
RESOLUTION_HOURS = {1: 2, 2: 8, 3: 20, 4: 40}
OVERRIDE_REASONS = ["VIP requester", "Blocks a customer demo", "客户演示受影响", "Outage suspected"]
TICKET_COLUMNS = (
    "id", "subject", "description", "description_html", "requester_id", "organisation_id", "channel", "type",
    "category_id", "impact", "urgency", "priority", "priority_reason", "complexity", "status", "team_id",
    "assignee_id", "resolution_code", "resolution_summary", "access_token", "created_at", "updated_at",
    "first_response_at", "first_resolved_at", "resolved_at", "closed_at", "reopen_count", "escalation_count",
    "reassignment_count", "last_public_activity_at", "version", "search_vector",
)  # fmt: skip

Log = Callable[[str], None]


def _constant_columns(model, given: Sequence[str]) -> dict[str, object]:
    """Values for NOT NULL columns this loader does not know (added by a later migration).

    Without them a new column would break the COPY; their model default is what a row created
    through the ORM would get.
    """
    extra = {}
    for field in model._meta.concrete_fields:
        if field.column in given or field.null or field.primary_key or field.db_default is not NOT_PROVIDED:
            continue
        # A text field without a default gets "" from the ORM (a name's Chinese translation).
        if not field.has_default() and not field.empty_strings_allowed:
            raise SystemExit(f"bench: cannot fill {model._meta.label}.{field.name}: NOT NULL without a default")
        extra[field.column] = field.get_db_prep_save(field.get_default(), connection)
    return extra


def _copy(cursor: psycopg.Cursor, model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    extra = _constant_columns(model, columns)
    names = ", ".join(f'"{column}"' for column in (*columns, *extra))
    tail = tuple(extra.values())
    count = 0
    with cursor.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row((*row, *tail) if tail else row)
            count += 1
    return count


def _arrivals(rng: random.Random, count: int, now: float) -> list[float]:
    """Creation times over the last DAYS, by hour and weekday, growing ~40 % over the period."""
    start = now - DAYS * 86400
    span = now - start
    peak = max(HOUR_WEIGHTS) * max(WEEKDAY_WEIGHTS) * 1.4
    times = []
    random_ = rng.random
    while len(times) < count:
        moment = start + random_() * span
        local = moment + LOCAL_OFFSET
        weight = HOUR_WEIGHTS[int(local % 86400) // 3600] * WEEKDAY_WEIGHTS[(int(local // 86400) + 3) % 7]
        if random_() * peak < weight * (1.0 + 0.4 * (moment - start) / span):
            times.append(moment)
    times.sort()
    return times


def _vectors(cursor: psycopg.Cursor, texts: Texts, log: Log) -> list[str]:
    """One tsvector per text variant, computed by PostgreSQL like refresh_search_vectors does."""
    started = time.perf_counter()
    subjects = [segment(variant.subject) for variant in texts.variants]
    descriptions = [segment(variant.description) for variant in texts.variants]
    vectors: list[str] = []
    for first in range(0, len(subjects), VECTOR_BATCH):
        cursor.execute(
            """
            SELECT (setweight(to_tsvector(%(config)s::regconfig, texts.subject), 'A')
                || setweight(to_tsvector(%(config)s::regconfig, texts.description), 'B')
                || setweight(to_tsvector(%(config)s::regconfig, ''), 'C')
                || setweight(to_tsvector(%(config)s::regconfig, ''), 'D'))::text
            FROM unnest(%(subjects)s::text[], %(descriptions)s::text[]) WITH ORDINALITY
                AS texts (subject, description, position)
            ORDER BY texts.position
            """,
            {
                "config": CONFIG,
                "subjects": subjects[first : first + VECTOR_BATCH],
                "descriptions": descriptions[first : first + VECTOR_BATCH],
            },
        )
        vectors.extend(row[0] for row in cursor.fetchall())
    log(f"{len(vectors):,} distinct texts segmented and vectorised in {time.perf_counter() - started:.1f} s")
    return vectors


def _ticket_rows(rng: random.Random, count: int, now_dt: datetime, people, texts: Texts, categories, vectors, tag_rows):
    """Yield ticket rows in id order; append (ticket, tag) pairs to ``tag_rows`` on the way."""
    now = now_dt.timestamp()
    created_times = _arrivals(rng, count, now)
    requesters = rng.choices(people.requesters, weights=people.requester_weights, k=count)
    teams = rng.choices(range(1, len(people.teams) + 1), weights=people.team_shares, k=count)
    channels = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS, k=count)
    impacts = rng.choices((1, 2, 3), weights=(5, 20, 75), k=count)
    urgencies = rng.choices((1, 2, 3), weights=(15, 50, 35), k=count)
    members = people.team_members
    variants = texts.variants
    random_, gauss, exp = rng.random, rng.gauss, math.exp
    stamp = datetime.fromtimestamp
    tag_ids = range(1, len(TAGS) + 1)
    for index in range(count):
        ticket_id = index + 1
        created = created_times[index]
        age = now - created
        age_days = age / 86400
        requester_id, organisation_id, language = requesters[index]
        team_id = teams[index]
        if team_id == 2:
            language = EN if random_() < 0.9 else ZH
        elif random_() < 0.15:
            language = ZH if language == EN else EN
        else:
            language = ZH if language == "zh-hans" else EN
        variant_index = texts.pick(rng, language)
        variant = variants[variant_index]
        impact, urgency = impacts[index], urgencies[index]
        priority = int(MATRIX[(impact, urgency)])
        reason = ""
        if random_() < 0.01 and priority > 1:
            priority -= 1
            reason = OVERRIDE_REASONS[int(random_() * len(OVERRIDE_REASONS))]
        team_members = members[team_id]
        assignee = team_members[int(random_() * len(team_members))]
        first_response = first_resolved = resolved = closed = None
        code = summary = ""
        reopens = escalations = reassignments = 0
        # Mostly the recent tickets are open, with a long tail of old pending / on-hold work.
        if random_() < min(0.97, 0.92 * exp(-age_days / 25) + 0.11 * exp(-age_days / 400)):
            roll = random_()
            if age_days < 2:
                status = "new" if roll < 0.45 else "open" if roll < 0.85 else "pending" if roll < 0.95 else "on_hold"
            else:
                status = "new" if roll < 0.08 else "open" if roll < 0.5 else "pending" if roll < 0.78 else "on_hold"
            complexity = None if random_() < 0.5 else 1 + int(random_() * 4)
            if status == "new":
                if random_() < 0.75:
                    assignee = None
                updated = created + age * random_() ** 4
                public = created
            else:
                if random_() < 0.04:
                    assignee = None
                first_response = created + min(age * 0.5, exp(gauss(7.8, 1.0)))
                updated = max(first_response, now - age * random_() ** 2)
                public = updated if random_() < 0.6 else first_response
                escalations = 1 if random_() < 0.12 else 0
        else:
            complexity = rng.choices((1, 2, 3, 4, 5), weights=(30, 35, 20, 10, 5))[0]
            if random_() < 0.02:
                # Withdrawn by the requester before anyone resolved it.
                status = "closed"
                closed = created + min(age * 0.9, exp(gauss(9, 1.2)))
                first_response = created + (closed - created) * 0.5 if random_() < 0.5 else None
                code = ResolutionCode.USER_CANCELLED
                updated = public = closed
            else:
                duration = min(age * 0.98, 3600 * RESOLUTION_HOURS[priority] * exp(gauss(0, 1.1)))
                resolved = created + duration
                first_response = created + duration * min(0.8, random_())
                first_resolved = resolved
                if random_() < 0.05:
                    reopens = 1
                    first_resolved = created + duration * 0.6
                closed = resolved + (3600 + 86400 * random_() if random_() < 0.35 else 7 * 86400)
                status = "closed" if closed <= now else "resolved"
                if status == "resolved":
                    closed = None
                code = ResolutionCode.WORKAROUND if random_() < 0.1 else variant.resolution_code
                summary = variant.resolution_summary
                updated = closed or resolved
                public = resolved
                escalations = 1 if random_() < 0.1 else 0
            reassignments = 1 if random_() < 0.06 else 0
        if random_() < 0.15:
            tag_rows.append((ticket_id, tag_ids[int(random_() * len(tag_ids))]))
        yield (
            ticket_id, variant.subject, variant.description, variant.description_html, requester_id,
            organisation_id, channels[index], variant.type, categories[variant.category], impact, urgency, priority,
            reason, complexity, status, team_id, assignee, code, summary, secrets.token_urlsafe(32),
            stamp(created, UTC), stamp(updated, UTC), first_response and stamp(first_response, UTC),
            first_resolved and stamp(first_resolved, UTC), resolved and stamp(resolved, UTC),
            closed and stamp(closed, UTC), reopens, escalations, reassignments, stamp(public, UTC), 1,
            vectors[variant_index],
        )  # fmt: skip


def _plain_indexes(cursor: psycopg.Cursor, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes that back no constraint."""
    cursor.execute(
        """
        SELECT index.relname, pg_get_indexdef(index.oid)
        FROM pg_index AS entry JOIN pg_class AS index ON index.oid = entry.indexrelid
        WHERE entry.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE pg_constraint.conindid = entry.indexrelid)
        ORDER BY index.relname
        """,
        [table],
    )
    return cursor.fetchall()


def fill(url: str, tickets: int, *, seed: int, log: Log) -> float:
    """Fill the empty, migrated database at ``url``; return the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    texts = Texts(seed)
    people = build_people(rng, requesters=REQUESTERS, organisations=ORGANISATIONS, joined=now - timedelta(days=DAYS))
    ticket_table = Ticket._meta.db_table
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        try:
            # Skips the foreign-key triggers: the rows are consistent by construction. Needs a
            # superuser (the embedded server's "postgres" is one); without it, just slower.
            cursor.execute("SET session_replication_role = replica")
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        vectors = _vectors(cursor, texts, log)

        _copy(cursor, Organisation, ("id", "name", "domain", "shares_tickets"), people.organisations)
        _copy(cursor, User, USER_COLUMNS, people.users)
        _copy(cursor, Team, ("id", "name", "tier", "time_zone"), people.teams)
        _copy(cursor, Team.members.through, ("team_id", "user_id"), people.members)
        _copy(cursor, Team.managers.through, ("team_id", "user_id"), people.managers)
        category_rows, categories = [], {}
        for top, children in texts.categories.items():
            categories[(top, None)] = len(category_rows) + 1
            category_rows.append((len(category_rows) + 1, top, None, True))
            for child in children:
                categories[(top, child)] = len(category_rows) + 1
                category_rows.append((len(category_rows) + 1, child, categories[(top, None)], True))
        _copy(cursor, Category, ("id", "name", "parent_id", "is_active"), category_rows)
        _copy(cursor, Tag, ("id", "name"), enumerate(TAGS, start=1))
        log(f"{len(people.organisations)} organisations, {len(people.users):,} users, {len(people.teams)} teams")

        indexes = _plain_indexes(cursor, ticket_table)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        copy_started = time.perf_counter()
        tag_rows: list[tuple[int, int]] = []
        rows = _ticket_rows(rng, tickets, now, people, texts, categories, vectors, tag_rows)
        _copy(cursor, Ticket, TICKET_COLUMNS, rows)
        _copy(cursor, Ticket.tags.through, ("ticket_id", "tag_id"), tag_rows)
        log(f"{tickets:,} tickets ({len(tag_rows):,} tags) copied in {time.perf_counter() - copy_started:.0f} s")
        # The rows above came with their ids: move the sequences past them.
        for model in (Organisation, User, Team, Category, Tag, Ticket):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM \"{table}\"))", [table]
            )
        conn.commit()

        index_started = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
            conn.commit()
        log(f"{len(indexes)} ticket indexes rebuilt in {time.perf_counter() - index_started:.0f} s")
        conn.autocommit = True
        vacuum_started = time.perf_counter()
        cursor.execute("VACUUM (ANALYZE)")
        log(f"VACUUM ANALYZE in {time.perf_counter() - vacuum_started:.0f} s")
        seconds = time.perf_counter() - started
        cursor.execute(
            f"CREATE TABLE {META_TABLE} (tickets integer, seed integer, now timestamptz, fill_seconds double precision)"
        )
        cursor.execute(f"INSERT INTO {META_TABLE} VALUES (%s, %s, %s, %s)", [tickets, seed, now, seconds])
    return seconds
