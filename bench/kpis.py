"""What does the KPI engine cost at scale, and how fast does a history import go?

    .venv/bin/python bench/kpis.py [--tickets 1000000] [--keep] [--fresh] [--repeat 3]
                                   [--import-tickets 2000] [--skip-full] [--only month|incremental]

Uses the benchmark database ``helpdesk_bench`` (bench/dataset/database.py: filled with COPY when
it holds fewer than --tickets tickets, ``--fresh`` rebuilds it, without ``--keep`` it is dropped
at the end). The fill makes no events: ``dataset/events.py`` writes a history for every ticket
(about five events each, with messages, satisfaction answers and some SLA outcomes) once.

Measured:

1. ``refresh_full()``: every fact and every period rebuilt (one run), with the time of each of
   its statements.
2. One month: ``recompute_periods('month', [start], first, last)`` (four dimensions, every
   metric, written), the engine's SELECT for the agent dimension alone, and ``HAND_SQL``: one
   hand-written statement with every agent metric of the month from the same sources (one CTE
   per source, grouped by agent, joined on the agent), its numbers checked against the stored
   month rows for every agent and key. ``--only month`` runs this part alone.
3. ``refresh_incremental()`` after about 1,000 new events written through the services
   (notes, replies, pending and back, resolutions on ~150 active tickets, ``at`` = now), then
   ``refresh_periods()`` for the weeks, months and quarters it marked stale. ``--only
   incremental`` runs this part alone.
4. ``export_figures(first, last, 'agent' | 'team')`` for the same month, from the events.
5. ``tickets.importing.import_file(..., create_missing=True)`` of --import-tickets generated
   JSONL tickets with realistic histories into a scratch database (``helpdesk_bench_import``,
   migrated, dropped afterwards): tickets per second. ``--import-tickets 0`` skips it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))

from dataset.database import (  # noqa: E402
    BENCH_DATABASE,
    SEED,
    add_arguments,
    admin_connection,
    bench_database,
    log,
    server_urls,
)

IMPORT_DATABASE = "helpdesk_bench_import"
NEW_EVENTS = 1_000
NEW_EVENT_TICKETS = 200  # at most: about 170 are needed

# The month's figures per agent as a person would write them for this one question: one CTE per
# source grouped by agent, joined on the agent, plain columns. Same sources and rules as the engine
# (docs/kpis.md): the stored facts, events with their team snapshot (local days in the team's zone)
# and SLA outcomes by ``counts_at``. Every key the engine stores for agents but ``arrivals`` and
# ``backlog_end``, which are team and desk figures.
HAND_SQL = """
WITH month_resolutions AS (
    -- Every resolution of the month; a ticket counts once, by its last resolution in the month.
    SELECT fact.*, row_number() OVER (PARTITION BY fact.ticket_id ORDER BY fact.seq DESC) = 1 AS counted
    FROM kpis_resolutionfact AS fact
    WHERE fact.day BETWEEN %(first_day)s AND %(last_day)s
),
resolved AS (
    SELECT agent_id,
           count(*) FILTER (WHERE counted) AS tickets_resolved,
           count(*) AS resolutions,
           count(*) FILTER (WHERE counted AND NOT (escalated_before OR reopened_before OR reassigned_before
                                                   OR reopened_in_window)) AS fcr_count,
           count(*) FILTER (WHERE reopened_in_window) AS reopened,
           count(*) FILTER (WHERE counted AND recurred) AS recurred,
           sum(COALESCE(complexity, 1)) FILTER (WHERE counted) AS weighted_workload,
           count(DISTINCT requester_id) FILTER (WHERE counted) AS requesters_served,
           count(*) FILTER (WHERE counted AND ticket_type = 'maintenance') AS maintenance_done,
           count(*) FILTER (WHERE counted AND ticket_type = 'maintenance' AND on_time) AS maintenance_on_time,
           count(*) FILTER (WHERE answered) AS answered,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_s) FILTER (WHERE is_first)
               AS resolution_first_median_s,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_s) FILTER (WHERE is_first) AS resolution_first_p90_s,
           avg(resolution_s) FILTER (WHERE is_first) AS resolution_first_mean_s,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY business_s) FILTER (WHERE is_first)
               AS resolution_first_business_median_s,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY business_s) FILTER (WHERE is_first)
               AS resolution_first_business_p90_s,
           avg(business_s) FILTER (WHERE is_first) AS resolution_first_business_mean_s,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_s) FILTER (WHERE counted)
               AS resolution_final_median_s,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_s) FILTER (WHERE counted) AS resolution_final_p90_s,
           avg(resolution_s) FILTER (WHERE counted) AS resolution_final_mean_s,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY business_s) FILTER (WHERE counted)
               AS resolution_final_business_median_s,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY business_s) FILTER (WHERE counted)
               AS resolution_final_business_p90_s,
           avg(business_s) FILTER (WHERE counted) AS resolution_final_business_mean_s
    FROM month_resolutions
    GROUP BY agent_id
),
responses AS (
    SELECT agent_id,
           count(*) AS frt_count,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY frt_s) AS frt_median_s,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY frt_s) AS frt_p90_s,
           avg(frt_s) AS frt_mean_s,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY business_s) AS frt_business_median_s,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY business_s) AS frt_business_p90_s,
           avg(business_s) AS frt_business_mean_s
    FROM kpis_responsefact
    WHERE day BETWEEN %(first_day)s AND %(last_day)s
    GROUP BY agent_id
),
satisfaction AS (
    -- Answers of the month, in the zone of the resolution's team, for who resolved.
    SELECT resolution.actor_id AS agent_id,
           count(*) AS csat_answers,
           count(*) FILTER (WHERE answer.score >= 4) AS csat_positive,
           avg(answer.score) AS csat_mean
    FROM tickets_satisfactionanswer AS answer
    JOIN tickets_ticketevent AS resolution ON resolution.id = answer.resolution_event_id
    LEFT JOIN accounts_team AS team ON team.id = resolution.team_id
    WHERE answer.created_at >= %(first_day)s::date - 1 AND answer.created_at < %(last_day)s::date + 2
      AND (answer.created_at AT TIME ZONE COALESCE(team.time_zone, %(zone)s))::date
          BETWEEN %(first_day)s AND %(last_day)s
    GROUP BY resolution.actor_id
),
sla AS (
    -- Outcomes counting in the month: who stopped the clock, else the assignee then.
    SELECT CASE WHEN actor.role IN ('agent', 'manager', 'admin') THEN outcome.actor_id ELSE outcome.assignee_id END
               AS agent_id,
           count(*) FILTER (WHERE outcome.new_value ->> 'target' = 'first_response' AND outcome.kind = 'sla_met')
               AS sla_response_met,
           count(*) FILTER (WHERE outcome.new_value ->> 'target' = 'first_response') AS sla_response_due,
           count(*) FILTER (WHERE outcome.new_value ->> 'target' = 'resolution' AND outcome.kind = 'sla_met')
               AS sla_resolution_met,
           count(*) FILTER (WHERE outcome.new_value ->> 'target' = 'resolution') AS sla_resolution_due
    FROM tickets_ticketevent AS outcome
    LEFT JOIN accounts_user AS actor ON actor.id = outcome.actor_id
    LEFT JOIN accounts_team AS team ON team.id = outcome.team_id
    WHERE outcome.kind IN ('sla_met', 'sla_missed')
      AND outcome.counts_at >= %(first_day)s::date - 1 AND outcome.counts_at < %(last_day)s::date + 2
      AND (outcome.counts_at AT TIME ZONE COALESCE(team.time_zone, %(zone)s))::date
          BETWEEN %(first_day)s AND %(last_day)s
    GROUP BY 1
),
escalations AS (
    SELECT escalation.actor_id AS agent_id,
           count(*) AS escalations,
           percentile_cont(0.5) WITHIN GROUP (
               ORDER BY EXTRACT(EPOCH FROM escalation.created_at - ticket.created_at)::float
           ) AS time_to_escalate_median_s
    FROM tickets_ticketevent AS escalation
    JOIN tickets_ticket AS ticket ON ticket.id = escalation.ticket_id
    LEFT JOIN accounts_team AS team ON team.id = escalation.team_id
    WHERE escalation.kind = 'escalated'
      AND NOT COALESCE((escalation.new_value ->> 'sent_back')::boolean, false)
      AND escalation.created_at >= %(first_day)s::date - 1 AND escalation.created_at < %(last_day)s::date + 2
      AND (escalation.created_at AT TIME ZONE COALESCE(team.time_zone, %(zone)s))::date
          BETWEEN %(first_day)s AND %(last_day)s
    GROUP BY escalation.actor_id
),
sent_back AS (
    -- Send-backs of the month, for who made the escalation that came back (in its team's zone).
    SELECT escalation.actor_id AS agent_id, count(*) AS sent_back
    FROM tickets_ticketevent AS returned
    JOIN tickets_ticketevent AS escalation
      ON escalation.ticket_id = returned.ticket_id AND escalation.kind = 'escalated'
     AND escalation.seq < returned.seq
     AND escalation.new_value ->> 'escalation' = returned.new_value ->> 'escalation'
     AND NOT COALESCE((escalation.new_value ->> 'sent_back')::boolean, false)
    LEFT JOIN accounts_team AS team ON team.id = escalation.team_id
    WHERE (returned.kind = 'escalation_returned'
           OR (returned.kind = 'escalated' AND (returned.new_value ->> 'sent_back')::boolean))
      AND returned.created_at >= %(first_day)s::date - 1 AND returned.created_at < %(last_day)s::date + 2
      AND (returned.created_at AT TIME ZONE COALESCE(team.time_zone, %(zone)s))::date
          BETWEEN %(first_day)s AND %(last_day)s
    GROUP BY escalation.actor_id
),
reuse AS (
    SELECT article.author_id AS agent_id, count(*) AS article_reuse
    FROM tickets_ticketevent AS link
    JOIN knowledge_article AS article ON article.id = (link.new_value ->> 'article')::bigint
    LEFT JOIN accounts_team AS team ON team.id = link.team_id
    WHERE link.kind = 'article_linked'
      AND link.created_at >= %(first_day)s::date - 1 AND link.created_at < %(last_day)s::date + 2
      AND (link.created_at AT TIME ZONE COALESCE(team.time_zone, %(zone)s))::date BETWEEN %(first_day)s AND %(last_day)s
    GROUP BY article.author_id
),
published AS (
    -- An article belongs to no team: the installation's zone.
    SELECT author_id AS agent_id, count(*) AS articles_published
    FROM knowledge_article
    WHERE (published_at AT TIME ZONE %(zone)s)::date BETWEEN %(first_day)s AND %(last_day)s
    GROUP BY author_id
),
feedback AS (
    SELECT item.raised_by_id AS agent_id, count(*) AS feedback_raised
    FROM feedback_feedbackitem AS item
    LEFT JOIN accounts_team AS team ON team.id = item.team_id
    WHERE item.created_at >= %(first_day)s::date - 1 AND item.created_at < %(last_day)s::date + 2
      AND (item.created_at AT TIME ZONE COALESCE(team.time_zone, %(zone)s))::date BETWEEN %(first_day)s AND %(last_day)s
    GROUP BY item.raised_by_id
),
agents AS (
    SELECT agent_id,
           COALESCE(tickets_resolved, 0) AS tickets_resolved, COALESCE(resolutions, 0) AS resolutions,
           COALESCE(fcr_count, 0) AS fcr_count, COALESCE(reopened, 0) AS reopened, COALESCE(recurred, 0) AS recurred,
           COALESCE(weighted_workload, 0) AS weighted_workload, COALESCE(requesters_served, 0) AS requesters_served,
           COALESCE(maintenance_done, 0) AS maintenance_done, COALESCE(maintenance_on_time, 0) AS maintenance_on_time,
           COALESCE(answered, 0) AS answered, COALESCE(frt_count, 0) AS frt_count,
           COALESCE(csat_answers, 0) AS csat_answers, COALESCE(csat_positive, 0) AS csat_positive,
           COALESCE(sla_response_met, 0) AS sla_response_met, COALESCE(sla_response_due, 0) AS sla_response_due,
           COALESCE(sla_resolution_met, 0) AS sla_resolution_met, COALESCE(sla_resolution_due, 0) AS sla_resolution_due,
           COALESCE(escalations, 0) AS escalations, COALESCE(sent_back, 0) AS sent_back,
           COALESCE(article_reuse, 0) AS article_reuse, COALESCE(articles_published, 0) AS articles_published,
           COALESCE(feedback_raised, 0) AS feedback_raised,
           frt_median_s, frt_p90_s, frt_mean_s, frt_business_median_s, frt_business_p90_s, frt_business_mean_s,
           resolution_first_median_s, resolution_first_p90_s, resolution_first_mean_s,
           resolution_first_business_median_s, resolution_first_business_p90_s, resolution_first_business_mean_s,
           resolution_final_median_s, resolution_final_p90_s, resolution_final_mean_s,
           resolution_final_business_median_s, resolution_final_business_p90_s, resolution_final_business_mean_s,
           time_to_escalate_median_s, csat_mean
    FROM resolved
    FULL JOIN responses USING (agent_id)
    FULL JOIN satisfaction USING (agent_id)
    FULL JOIN sla USING (agent_id)
    FULL JOIN escalations USING (agent_id)
    FULL JOIN sent_back USING (agent_id)
    FULL JOIN reuse USING (agent_id)
    FULL JOIN published USING (agent_id)
    FULL JOIN feedback USING (agent_id)
    WHERE agent_id IS NOT NULL
)
SELECT agents.*,
       fcr_count::float / NULLIF(tickets_resolved, 0) AS fcr_rate,
       reopened::float / NULLIF(resolutions, 0) AS reopen_rate,
       recurred::float / NULLIF(tickets_resolved, 0) AS recurrence_rate,
       csat_positive::float / NULLIF(csat_answers, 0) AS csat_positive_rate,
       answered::float / NULLIF(resolutions, 0) AS csat_response_rate,
       sla_response_met::float / NULLIF(sla_response_due, 0) AS sla_response_rate,
       sla_resolution_met::float / NULLIF(sla_resolution_due, 0) AS sla_resolution_rate,
       escalations::float / NULLIF(escalations + tickets_resolved, 0) AS escalation_rate
FROM agents
"""
FIGURE_INSERT = re.compile(r"INSERT INTO kpis_periodfigure \([^)]*\)\s*SELECT '(\w+)', bucket, dimension")


def timed(function, repeat: int) -> list[float]:
    """``repeat`` timed runs after one warm-up."""
    function()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return timings


def timed_in_turn(functions: list, repeat: int) -> list[list[float]]:
    """Like :func:`timed` for several functions, run in turn within each round: on a shared
    machine a burst of load then falls on all of them, not on one, and their ratios hold."""
    for function in functions:
        function()
    timings: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for function, spent in zip(functions, timings, strict=True):
            started = time.perf_counter()
            function()
            spent.append(time.perf_counter() - started)
    return timings


def seconds(values: list[float]) -> str:
    return f"{statistics.median(values):.3f}"


def table(title: str, header: tuple[str, ...], rows: list[tuple]) -> None:
    print(f"\n{title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


# --- the event log ----------------------------------------------------------------------------


def ensure_events() -> dict:
    from dataset.events import EVENTS_META, fill_events, filled_events

    url, _redis = server_urls()
    if filled_events(url):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            events, messages, answers, _took = conn.execute(f"SELECT * FROM {EVENTS_META}").fetchone()
        log(f"reusing {events:,} events")
        return {"events": events, "messages": messages, "answers": answers, "seconds": None}
    log("writing the event log")
    facts = fill_events(url, seed=SEED, log=log)
    log(f"event log written in {facts['seconds']:.0f} s")
    return facts


def sizes() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM tickets_ticket), (SELECT count(*) FROM tickets_ticketevent),
                   (SELECT count(*) FROM kpis_responsefact), (SELECT count(*) FROM kpis_resolutionfact),
                   (SELECT count(*) FROM kpis_periodfigure), (SELECT now FROM bench_meta)
            """
        )
        tickets, events, responses, resolutions, figures, now = cursor.fetchone()
    return {
        "tickets": tickets,
        "events": events,
        "responses": responses,
        "resolutions": resolutions,
        "figures": figures,
        "now": now,
    }


# --- 1. refresh_full ------------------------------------------------------------------------


def full_refresh() -> tuple[float, list[tuple[str, float]]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kpis.rollups import refresh_full

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        refresh_full()
        took = time.perf_counter() - started
    return took, statement_steps(captured.captured_queries)


def statement_steps(queries: list[dict]) -> list[tuple[str, float]]:
    """(what, seconds) of each statement that took 50 ms or more."""
    steps = []
    for query in queries:
        sql, spent = query["sql"], float(query["time"])
        if spent < 0.05:
            continue
        if "kpis_responsefact (" in sql and sql.lstrip().startswith("INSERT"):
            label = "response facts (INSERT … SELECT)"
        elif "kpis_resolutionfact (" in sql and sql.lstrip().startswith("INSERT"):
            label = "resolution facts (INSERT … SELECT)"
        elif match := FIGURE_INSERT.search(sql):
            label = f"figures: {match[1]}, four dimensions"
        elif sql.lstrip().startswith("DELETE"):
            label = "DELETE old rows"
        else:
            label = sql.strip().split("\n")[0][:60]
        steps.append((label, spent))
    return steps


# --- 2. one month ---------------------------------------------------------------------------


def month_range(now) -> tuple[date, date]:
    """The last complete month before the fill's ``now``."""
    first_of_this = now.date().replace(day=1)
    last = first_of_this - timedelta(days=1)
    return last.replace(day=1), last


def hand_figures(params: dict) -> dict[int, dict]:
    """HAND_SQL's numbers: agent id → {metric key: value}."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, params)
        names = [column.name for column in cursor.description]
        return {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in cursor.fetchall()}


def hand_differences(hand: dict[int, dict], stored: dict[int, dict]) -> list[str]:
    """Every agent and key whose hand-written number is not the stored one."""
    differences = []
    for agent in sorted(set(hand) | set(stored)):
        if agent not in hand or agent not in stored:
            differences.append(f"agent {agent}: a row only {'in the engine' if agent in stored else 'by hand'}")
            continue
        mine, theirs = hand[agent], stored[agent]
        for key in sorted(set(mine) | set(theirs)):
            if key not in mine:
                # arrivals and backlog_end: team and desk figures the engine stores as 0 / null for agents.
                same = key in theirs and theirs[key] in (0, None)
            elif key not in theirs or mine[key] is None or theirs[key] is None:
                same = key in theirs and mine[key] is None and theirs[key] is None
            else:
                same = math.isclose(float(mine[key]), float(theirs[key]), rel_tol=1e-9, abs_tol=1e-9)
            if not same:
                differences.append(f"agent {agent} {key}: hand {mine.get(key)} engine {theirs.get(key)}")
    return differences


def checked_month(first_day: date, last_day: date, params: dict) -> tuple[int, int, list[str]]:
    """Recompute the month and compare the stored agent rows with HAND_SQL; (agents, keys, differences).

    The incremental part may write events into the same database meanwhile (a late SLA miss can
    count in a past month): one REPEATABLE READ snapshot makes the engine's rows and the
    hand-written numbers read the same events. A concurrent update of the same rows aborts it; it
    is tried again, three times at most.
    """
    from django.db import OperationalError, connection, transaction

    from kpis.models import Dimension, Period, PeriodFigure
    from kpis.rollups import recompute_periods

    for attempt in range(3):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                recompute_periods(Period.MONTH, [first_day], first_day, last_day)
                stored = {
                    figure.key: figure.values
                    for figure in PeriodFigure.objects.filter(
                        period=Period.MONTH, dimension=Dimension.AGENT, start=first_day
                    )
                }
                hand = hand_figures(params)
            break
        except OperationalError as exc:
            if attempt == 2:
                raise
            log(f"month check: {exc}; again")
    keys = len(set().union(*(set(values) for values in stored.values()))) if stored else 0
    return len(stored), keys, hand_differences(hand, stored)


def one_month(first_day: date, last_day: date, repeat: int) -> tuple[list[tuple], int, int, list[str]]:
    from django.db import connection

    from kpis.facts import fact_params
    from kpis.figures import STORED, figures_sql
    from kpis.models import Dimension, Period
    from kpis.rollups import recompute_periods

    params = {**fact_params(), "first_day": first_day, "last_day": last_day}
    agents, keys, mismatches = checked_month(first_day, last_day, params)

    def engine_month():
        recompute_periods(Period.MONTH, [first_day], first_day, last_day)

    def engine_select():
        with connection.cursor() as cursor:
            cursor.execute(
                figures_sql([Dimension.AGENT], Period.MONTH, STORED), {**params, "buckets": [first_day], "upto": None}
            )
            return cursor.fetchall()

    engine, select, hand = timed_in_turn([engine_month, engine_select, lambda: hand_figures(params)], repeat)
    rows = [
        ("recompute_periods('month', [start]) — 4 dimensions, all metrics, upsert", engine),
        ("  its SELECT for the agent dimension alone (figures_sql, stored facts)", select),
        ("hand-written SQL: per agent, every agent metric, one CTE per source (HAND_SQL)", hand),
    ]
    return rows, agents, keys, mismatches


def print_month(first_day: date, last_day: date, repeat: int, month_rows: list[tuple], checked: tuple) -> None:
    agents, keys, mismatches = checked
    table(
        f"One month ({first_day} to {last_day}): engine vs hand-written; s, median of {repeat} after a warm-up",
        ("measurement", "s"),
        [(label, seconds(values)) for label, values in month_rows],
    )
    engine, select, hand = (statistics.median(values) for _label, values in month_rows)
    print(
        f"\nratio recompute_periods / hand-written: {engine / hand:.2f}x; "
        f"agent SELECT / hand-written: {select / hand:.2f}x"
    )
    print(f"hand-written vs stored month figures: {agents} agents x {keys} keys, {len(mismatches)} differences")
    for line in mismatches[:20]:
        print(f"  {line}")


# --- 3. incremental -------------------------------------------------------------------------


def new_events(target: int, ticket_count: int) -> tuple[int, int, float]:
    """About ``target`` events through the services on ~``ticket_count`` active tickets; (events, tickets, s)."""
    from django.db.models import Max

    from tickets.models import ResolutionCode, Status, Ticket, TicketEvent
    from tickets.services import ticket_add_note, ticket_change_status, ticket_reply, ticket_resolve

    before = TicketEvent.objects.aggregate(Max("seq"))["seq__max"] or 0
    # Work goes on on open tickets of every age (the fill's long tail of old ones too), as in a real desk.
    candidates = list(
        Ticket.objects.filter(status=Status.OPEN, assignee__isnull=False).order_by("id").values_list("id", flat=True)
    )
    chosen = random.Random(SEED).sample(candidates, min(ticket_count, len(candidates)))
    tickets = list(Ticket.objects.filter(pk__in=chosen).select_related("assignee", "requester").order_by("id"))
    started = time.perf_counter()
    used = 0
    for ticket in tickets:
        agent, requester = ticket.assignee, ticket.requester
        ticket_add_note(ticket, "Checked the logs.", acting_user=agent)
        ticket_reply(ticket, "Could you try again now?", acting_user=agent)
        ticket = ticket_change_status(Ticket.objects.get(pk=ticket.pk), Status.PENDING, acting_user=agent)
        ticket_reply(ticket, "It works again, thanks.", acting_user=requester)
        ticket_resolve(
            Ticket.objects.get(pk=ticket.pk), code=ResolutionCode.FIXED, summary="Restarted.", acting_user=agent
        )
        used += 1
        if (TicketEvent.objects.aggregate(Max("seq"))["seq__max"] or 0) - before >= target:
            break
    took = time.perf_counter() - started
    after = TicketEvent.objects.aggregate(Max("seq"))["seq__max"] or 0
    return after - before, used, took


def incremental(repeat: int) -> tuple[int, int, float, list[tuple]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kpis.rollups import refresh_incremental, refresh_periods

    # Start from nothing stale, as right after a periods run.
    refresh_periods()
    events, tickets, took = new_events(NEW_EVENTS, NEW_EVENT_TICKETS)
    log(f"{events:,} new events on {tickets} tickets through the services in {took:.1f} s")

    def once(function, name: str):
        """One run of ``function``: its result and seconds, its slow statements logged."""
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = function()
            spent = time.perf_counter() - started
        for label, step in statement_steps(captured.captured_queries):
            log(f"  {name}: {label}: {step:.2f} s")
        return result, spent

    result, first = once(refresh_incremental, "incremental")
    nothing = timed(refresh_incremental, repeat)
    periods, stale = once(refresh_periods, "periods")
    rows = [
        (f"refresh_incremental() after {events:,} new events ({result.tickets} tickets, {result.buckets} periods)",
         [first]),
        ("refresh_incremental() with nothing new", nothing),
        (f"refresh_periods() after it ({periods.buckets} stale weeks, months and quarters)", [stale]),
    ]  # fmt: skip
    return events, tickets, took, rows


# --- 4. export ------------------------------------------------------------------------------


def differences(first_day: date, exported: dict, by: str) -> dict[str, int]:
    """Per metric key, how many keys (agents, teams) the export gives another number than the rollup."""
    from kpis.models import Period, PeriodFigure

    stored = {
        figure.key: figure.values
        for figure in PeriodFigure.objects.filter(period=Period.MONTH, dimension=by, start=first_day)
    }
    counts: dict[str, int] = {}
    for key in set(stored) | set(exported):
        mine, theirs = exported.get(key, {}), stored.get(key, {})
        for name in set(mine) | set(theirs):
            left, right = mine.get(name), theirs.get(name)
            if left is None or right is None:
                same = left in (None, 0) and right in (None, 0)
            else:
                same = abs(float(left) - float(right)) <= 1e-6 * max(1.0, abs(float(left)))
            if not same:
                counts[name] = counts.get(name, 0) + 1
    return counts


def export(first_day: date, last_day: date, repeat: int) -> list[tuple]:
    from kpis.export import export_figures

    rows = []
    for by in ("agent", "team"):
        exported = export_figures(first_day, last_day, by)
        keys = len(exported)
        diff = differences(first_day, exported, by)
        print(f"export by {by} vs stored month figures: {sum(diff.values())} differing values {diff or ''}")
        rows.append(
            (
                f"export_figures(month, '{by}') — {keys} rows",
                timed(lambda by=by: export_figures(first_day, last_day, by), repeat),
            )
        )
    return rows


# --- 5. import ------------------------------------------------------------------------------

IMPORT_TEAMS = ["Service Desk", "Network", "Identity & Access", "Business Applications"]
IMPORT_CATEGORIES = ["Hardware", "Software", "Network", "Accounts", "Email"]


def import_lines(count: int, seed: int) -> list[str]:
    """``count`` JSONL tickets of the last 90 days with histories a desk would have (SPEC §10)."""
    from datetime import UTC, datetime

    rng = random.Random(seed)
    agents = {
        team: [f"agent{index}.{number}@import.example" for number in range(6)]
        for index, team in enumerate(IMPORT_TEAMS)
    }
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=90)
    lines = []
    for number in range(count):
        created = start + timedelta(seconds=int(rng.random() * 80 * 86400))
        team = rng.choices(IMPORT_TEAMS, weights=(60, 15, 15, 10))[0]
        agent = rng.choice(agents[team])
        person = rng.randrange(2_000)
        requester = f"user{person}@customer{person % 40}.example"
        moment = created

        def later(minutes: float) -> str:
            nonlocal moment
            moment += timedelta(seconds=max(1, int(minutes * 60 * rng.expovariate(1))))
            return moment.isoformat()

        events = [{"at": later(10), "type": "assigned", "agent": agent}]
        events.append({"at": later(30), "type": "reply", "author": agent, "body": "Looking into it."})
        if rng.random() < 0.3:
            events.append({"at": later(20), "type": "note", "author": agent, "body": "Checked the logs."})
        if rng.random() < 0.25:
            events.append({"at": later(30), "type": "status", "by": agent, "to": "pending"})
            events.append({"at": later(120), "type": "reply", "author": requester, "body": "Here it is."})
        if rng.random() < 0.1:
            other = rng.choice([name for name in IMPORT_TEAMS if name != team])
            events.append({"at": later(60), "type": "escalated", "by": agent, "to_team": other, "note": "Tier 2."})
            agent = rng.choice(agents[other])
            events.append({"at": later(30), "type": "assigned", "agent": agent})
        if rng.random() < 0.92:
            events.append({"at": later(240), "type": "resolved", "by": agent, "code": "fixed", "summary": "Fixed."})
            if rng.random() < 0.05:
                events.append({"at": later(600), "type": "reopened", "by": requester})
                events.append({"at": later(240), "type": "resolved", "by": agent, "code": "fixed", "summary": "Again."})
            if rng.random() < 0.2:
                events.append({"at": later(300), "type": "csat", "score": rng.choice((3, 4, 5, 5, 5)), "comment": ""})
            if rng.random() < 0.8:
                events.append({"at": later(4000), "type": "closed"})
        lines.append(
            json.dumps(
                {
                    "ref": f"IMP-{number + 1}",
                    "subject": f"Imported ticket {number + 1}",
                    "description": "Something stopped working.",
                    "requester": {
                        "email": requester,
                        "name": f"User {person}",
                        "organisation": f"Customer {person % 40}",
                    },
                    "channel": "email",
                    "type": "incident",
                    "category": rng.choice(IMPORT_CATEGORIES),
                    "impact": 3,
                    "urgency": 2,
                    "complexity": rng.randint(1, 3),
                    "team": team,
                    "created_at": created.isoformat(),
                    "events": events,
                },
                ensure_ascii=False,
            )
        )
    return lines


def _use_database(name: str) -> None:
    from django.db import connections

    for connection in connections.all():
        connection.close()
        if hasattr(connection, "close_pool"):
            connection.close_pool()
    connections["default"].settings_dict["NAME"] = name


def import_speed(count: int) -> dict:
    """Import ``count`` generated tickets into a scratch database; its figures."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    from tickets.importing import import_file

    url, _redis = server_urls()
    with admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{IMPORT_DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{IMPORT_DATABASE}"')
    lines = import_lines(count, SEED)
    figures: dict = {"tickets": count, "events_in_file": sum(line.count('"type": ') for line in lines) - count}
    try:
        _use_database(IMPORT_DATABASE)
        call_command("migrate", verbosity=0, interactive=False)
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            path = handle.name
        figures["file_mb"] = os.path.getsize(path) / 1e6
        log(f"importing {count:,} tickets ({figures['file_mb']:.1f} MB) into {IMPORT_DATABASE}")
        started = time.perf_counter()
        summary = import_file(path, create_missing=True)
        figures["seconds"] = time.perf_counter() - started
        os.unlink(path)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tickets_ticketevent")
            figures["events"] = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM tickets_ticket")
            figures["stored"] = cursor.fetchone()[0]
        figures.update(imported=summary.imported, skipped=summary.skipped, failed=summary.failed)
        figures["errors"] = summary.errors[:5]
    finally:
        _use_database(BENCH_DATABASE)
        cache.clear()
        with admin_connection(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{IMPORT_DATABASE}" WITH (FORCE)')
    return figures


# --- main -----------------------------------------------------------------------------------


def run(args: argparse.Namespace, fill_seconds: float | None) -> None:
    import os as _os

    from django.db import connection

    rows: list[tuple[str, list[float]]] = []
    facts = ensure_events()
    before = sizes()
    first_day, last_day = month_range(before["now"])
    if args.only == "month":
        log(f"one month only (--only month): {first_day} to {last_day}")
        month_rows, *checked = one_month(first_day, last_day, args.repeat)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        print(
            f"\n{before['tickets']:,} tickets, {before['events']:,} events, {before['resolutions']:,} resolution facts"
        )
        load = " / ".join(f"{value:.1f}" for value in _os.getloadavg())
        print(f"PostgreSQL {version}, {_os.cpu_count()} cores, load average {load} (1 / 5 / 15 min)")
        print_month(first_day, last_day, args.repeat, month_rows, tuple(checked))
        return
    if args.only == "incremental":
        load = " / ".join(f"{value:.1f}" for value in _os.getloadavg())
        _events, _tickets, _took, incremental_rows = incremental(args.repeat)
        print(f"\n{before['tickets']:,} tickets, {before['events']:,} events; load average {load} before")
        table("Incremental refresh", ("measurement", "s"), [(label, seconds(v)) for label, v in incremental_rows])
        return
    if args.skip_full and before["figures"]:
        log("refresh_full() skipped (--skip-full): the stored figures are reused")
        full, steps = 0.0, []
    else:
        log(f"refresh_full() over {before['events']:,} events")
        full, steps = full_refresh()
        log(f"refresh_full() in {full:.1f} s")
    after = sizes()

    log(f"one month: {first_day} to {last_day}")
    month_rows, *checked = one_month(first_day, last_day, args.repeat)
    log("export")
    export_rows = export(first_day, last_day, args.repeat)
    log("incremental")
    _events, _tickets, _took, incremental_rows = incremental(args.repeat)
    rows = incremental_rows + export_rows

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print()
    print(
        f"{after['tickets']:,} tickets, {after['events']:,} events "
        f"({after['events'] / after['tickets']:.1f} a ticket), "
        f"{facts['messages']:,} messages, {facts['answers']:,} satisfaction answers; "
        f"{after['responses']:,} response facts, {after['resolutions']:,} resolution facts, "
        f"{after['figures']:,} period figures"
    )
    print(f"PostgreSQL {version}, {_os.cpu_count()} cores, load average {_os.getloadavg()[0]:.1f}")
    if fill_seconds is not None:
        print(f"ticket fill {fill_seconds:.0f} s")
    if facts["seconds"] is not None:
        print(f"event log fill {facts['seconds']:.0f} s")
    table(
        f"refresh_full(): {full:.1f} s in all; statements over 50 ms",
        ("statement", "s"),
        [(label, f"{spent:.2f}") for label, spent in steps],
    )
    print_month(first_day, last_day, args.repeat, month_rows, tuple(checked))
    table(
        f"One month ({first_day} to {last_day}), one local-day range; s, median of {args.repeat} after a warm-up",
        ("measurement", "s"),
        [(label, seconds(values)) for label, values in rows],
    )

    if args.import_tickets:
        log(f"import: {args.import_tickets:,} tickets")
        try:
            figures = import_speed(args.import_tickets)
        except Exception as exc:  # the importer is work in progress: report, do not lose the figures above
            print(f"\nimport failed: {type(exc).__name__}: {exc}")
        else:
            rate = figures["imported"] / figures["seconds"] if figures["seconds"] else 0
            table(
                "Import (import_file, create_missing=True, scratch database)",
                ("tickets", "events stored", "imported / skipped / failed", "s", "tickets/s"),
                [
                    (
                        f"{figures['tickets']:,}",
                        f"{figures['events']:,}",
                        f"{figures['imported']} / {figures['skipped']} / {figures['failed']}",
                        f"{figures['seconds']:.1f}",
                        f"{rate:.0f}",
                    )
                ],
            )
            for number, reason in figures["errors"]:
                print(f"  line {number}: {reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser, repeat=3)
    parser.add_argument(
        "--import-tickets", type=int, default=2_000, help="tickets to import for the import speed (0: skip)"
    )
    parser.add_argument(
        "--only",
        choices=["month", "incremental"],
        help="run one part alone: 'month' (the engine vs the hand-written statement) or 'incremental'; implies --keep",
    )
    parser.add_argument(
        "--skip-full", action="store_true", help="reuse the stored figures instead of timing refresh_full() again"
    )
    args = parser.parse_args(argv)
    # One part alone is run on a database others use at the same time: never drop it afterwards.
    args.keep = args.keep or args.only is not None
    with bench_database(args) as fill_seconds:
        run(args, fill_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
