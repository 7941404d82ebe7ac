"""Fact rows from the event log, in SQL: one per first response, one per resolution.

The two SELECTs below are the only place where events become facts. ``refresh_facts`` stores
their rows (``INSERT … ON CONFLICT DO UPDATE``) for some tickets or all of them; the export
(``kpis/export.py``) reads the same SELECTs as subqueries straight from the events, without
the stored rows. Every column is derived from ``tickets_ticketevent`` and the rows it points at
(the message of a reply, the satisfaction answer of a resolution, the ticket's requester and
creation time); docs/kpis.md says what each one means.

A ticket's category at an event is the event's own snapshot (``TicketEvent.category``, as for
team and assignee); its type and complexity are the latest event that set them at or before that
event, in ``seq`` order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.conf import settings
from django.db import connection

STAFF_ROLES = ("agent", "manager", "admin")


def _state_at(alias: str, kinds: tuple[str, ...], value: str) -> str:
    """The ``value`` of the latest event of ``kinds`` at or before event ``alias``."""
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    return f"""(
        SELECT {value}
        FROM tickets_ticketevent AS setter
        WHERE setter.ticket_id = {alias}.ticket_id AND setter.seq <= {alias}.seq AND setter.kind IN ({listed})
        ORDER BY setter.seq DESC LIMIT 1)"""


def type_at(alias: str) -> str:
    return _state_at(
        alias,
        ("created", "type_changed"),
        "CASE WHEN setter.kind = 'created' THEN setter.new_value ->> 'type' ELSE setter.new_value #>> '{}' END",
    )


def complexity_at(alias: str) -> str:
    # The created event names no complexity: agents set it later.
    return _state_at(alias, ("complexity_changed",), "(setter.new_value #>> '{}')::smallint")


def local_day(moment: str, team_alias: str) -> str:
    """The date of ``moment`` in the team's time zone (the installation's without a team)."""
    return f"(({moment}) AT TIME ZONE COALESCE({team_alias}.time_zone, %(zone)s))::date"


def _clock_used(alias: str, target: str, stopped_by: str) -> str:
    """Business seconds of the SLA outcome the same service call recorded with event ``alias``."""
    return f"""(
        SELECT (outcome.new_value ->> 'used_s')::integer
        FROM tickets_ticketevent AS outcome
        WHERE outcome.ticket_id = {alias}.ticket_id AND outcome.seq > {alias}.seq
          AND outcome.created_at = {alias}.created_at
          AND outcome.kind IN ('sla_met', 'sla_missed')
          AND outcome.new_value ->> 'target' = '{target}' AND outcome.new_value ->> 'stopped_by' = '{stopped_by}'
        ORDER BY outcome.seq LIMIT 1)"""


def _earlier(alias: str, condition: str) -> str:
    return f"""EXISTS (
        SELECT 1 FROM tickets_ticketevent AS earlier
        WHERE earlier.ticket_id = {alias}.ticket_id AND earlier.seq < {alias}.seq AND {condition})"""


# An escalated event recorded before send-backs had their own kind says so in its value.
ESCALATION = "earlier.kind = 'escalated' AND NOT COALESCE((earlier.new_value ->> 'sent_back')::boolean, false)"


def _first_response(alias: str) -> str:
    """Event ``alias`` is a public, non-automatic reply by staff."""
    staff = ", ".join(f"'{role}'" for role in STAFF_ROLES)
    return f"""{alias}.kind = 'replied' AND EXISTS (
        SELECT 1 FROM tickets_message AS message LEFT JOIN accounts_user AS author ON author.id = {alias}.actor_id
        WHERE message.id = {alias}.message_id AND message.is_public AND NOT message.is_automatic
          -- The reply records its side; replies from before that fall back on the author's role.
          AND COALESCE({alias}.new_value ->> 'side' = 'staff', author.role IN ({staff})))"""


def response_facts_sql(tickets: str = "TRUE", moments: str = "TRUE") -> str:
    """One row per ticket with a first response. ``tickets`` filters ``{ticket}``, ``moments``
    the reply's time ``{moment}`` (a coarse bound before the day filter)."""
    return f"""
    SELECT
        reply.ticket_id,
        reply.id AS event_id,
        reply.created_at AS responded_at,
        {local_day("reply.created_at", "team")} AS day,
        reply.actor_id AS agent_id,
        reply.team_id,
        reply.category_id,
        EXTRACT(EPOCH FROM reply.created_at - ticket.created_at)::float AS frt_s,
        {_clock_used("reply", "first_response", "replied")} AS business_s
    FROM tickets_ticketevent AS reply
    JOIN tickets_ticket AS ticket ON ticket.id = reply.ticket_id
    LEFT JOIN accounts_team AS team ON team.id = reply.team_id
    WHERE {_first_response("reply")}
      AND NOT {_earlier("reply", _first_response("earlier"))}
      AND {tickets.replace("{ticket}", "reply.ticket_id")} AND {moments.replace("{moment}", "reply.created_at")}"""


def resolution_facts_sql(tickets: str = "TRUE", moments: str = "TRUE") -> str:
    """One row per ``resolved`` event; ``tickets`` and ``moments`` as for the responses."""
    return f"""
    SELECT
        resolution.id AS event_id,
        resolution.ticket_id,
        resolution.seq,
        resolution.created_at AS resolved_at,
        {local_day("resolution.created_at", "team")} AS day,
        resolution.actor_id AS agent_id,
        resolution.team_id,
        resolution.category_id,
        ticket.requester_id,
        COALESCE({type_at("resolution")}, ticket.type) AS ticket_type,
        {complexity_at("resolution")} AS complexity,
        NOT {_earlier("resolution", "earlier.kind = 'resolved'")} AS is_first,
        EXTRACT(EPOCH FROM resolution.created_at - ticket.created_at)::float AS resolution_s,
        {_clock_used("resolution", "resolution", "resolved")} AS business_s,
        {_earlier("resolution", ESCALATION)} AS escalated_before,
        {_earlier("resolution", "earlier.kind = 'reopened'")} AS reopened_before,
        {
        _earlier(
            "resolution",
            '''earlier.kind = 'assigned' AND earlier.new_value ->> 'id' IS NOT NULL AND EXISTS (
                SELECT 1 FROM tickets_ticketevent AS before_it
                WHERE before_it.ticket_id = earlier.ticket_id AND before_it.seq < earlier.seq
                  AND before_it.kind = 'assigned' AND before_it.new_value ->> 'id' <> earlier.new_value ->> 'id')''',
        )
    } AS reassigned_before,
        EXISTS (
            SELECT 1 FROM tickets_ticketevent AS later
            WHERE later.ticket_id = resolution.ticket_id AND later.seq > resolution.seq
              AND later.kind = 'reopened' AND later.created_at <= resolution.created_at + %(reopen_window)s
        ) AS reopened_in_window,
        EXISTS (
            SELECT 1 FROM tickets_ticket AS again
            WHERE again.requester_id = ticket.requester_id AND again.id <> ticket.id
              AND again.created_at > resolution.created_at
              AND again.created_at <= resolution.created_at + %(recurrence_window)s
              AND again.category_id = resolution.category_id
        ) AS recurred,
        EXISTS (
            SELECT 1 FROM tickets_satisfactionanswer AS answer WHERE answer.resolution_event_id = resolution.id
        ) AS answered,
        -- A maintenance run's ticket carries its due time in the created event (maintenance/);
        -- null for every other ticket.
        CASE WHEN ticket.type = 'maintenance' THEN resolution.created_at <= (
            SELECT (created.new_value ->> 'due_at')::timestamptz FROM tickets_ticketevent AS created
            WHERE created.ticket_id = resolution.ticket_id AND created.kind = 'created'
            LIMIT 1
        ) END AS on_time
    FROM tickets_ticketevent AS resolution
    JOIN tickets_ticket AS ticket ON ticket.id = resolution.ticket_id
    LEFT JOIN accounts_team AS team ON team.id = resolution.team_id
    WHERE resolution.kind = 'resolved' AND {tickets.replace("{ticket}", "resolution.ticket_id")}
      AND {moments.replace("{moment}", "resolution.created_at")}"""


RESPONSE_COLUMNS = ["event_id", "responded_at", "day", "agent_id", "team_id", "category_id", "frt_s", "business_s"]
RESOLUTION_COLUMNS = [
    "ticket_id",
    "seq",
    "resolved_at",
    "day",
    "agent_id",
    "team_id",
    "category_id",
    "requester_id",
    "ticket_type",
    "complexity",
    "is_first",
    "resolution_s",
    "business_s",
    "escalated_before",
    "reopened_before",
    "reassigned_before",
    "reopened_in_window",
    "recurred",
    "answered",
    "on_time",
]


def sort_in_memory() -> None:
    """Give the current transaction's sorts ``KPI_WORK_MEM``: a quarter's percentiles sort its
    facts, which spill to temporary files at PostgreSQL's default 4 MB."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.KPI_WORK_MEM])


def fact_params() -> dict:
    return {
        "zone": settings.TIME_ZONE,
        "reopen_window": timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS),
        "recurrence_window": timedelta(days=settings.KPI_RECURRENCE_DAYS),
    }


def _upsert(table: str, key: str, columns: list[str], select: str) -> str:
    """Insert or update the facts; RETURNING gives the day of each row that was new or changed."""
    listed = ", ".join([key, *columns])
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns)
    old = ", ".join(f"{table}.{column}" for column in columns)
    new = ", ".join(f"EXCLUDED.{column}" for column in columns)
    return (
        f"INSERT INTO {table} ({listed}) SELECT {listed} FROM ({select}) AS fact "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates} WHERE ({old}) IS DISTINCT FROM ({new}) "
        "RETURNING day"
    )


def refresh_facts(ticket_ids: Sequence[int] | None = None) -> set[date]:
    """Store the facts of these tickets (of every ticket with None); return the days of the
    facts that were added or changed (the periods whose figures may differ now).

    Facts never disappear on their own (events are never deleted), but a first response can be
    recorded for a ticket whose row is missing, and flags such as ``reopened_in_window`` change
    as later events arrive: each run recomputes every fact of the tickets it is given and
    writes those that differ.
    """
    params = fact_params()
    if ticket_ids is None:
        where = "TRUE"
    else:
        where = "{ticket} = ANY(%(tickets)s)"
        params["tickets"] = list(ticket_ids)
    days: set[date] = set()
    with connection.cursor() as cursor:
        cursor.execute(_upsert("kpis_responsefact", "ticket_id", RESPONSE_COLUMNS, response_facts_sql(where)), params)
        days.update(row[0] for row in cursor.fetchall())
        cursor.execute(
            _upsert("kpis_resolutionfact", "event_id", RESOLUTION_COLUMNS, resolution_facts_sql(where)), params
        )
        days.update(row[0] for row in cursor.fetchall())
    return days
