"""Metrics per period and key, aggregated in SQL from facts and events (docs/kpis.md).

:func:`figures_sql` builds one SELECT giving ``(bucket, dimension, key, values)`` rows:
``bucket`` is the first day of the period a fact falls in, ``key`` the agent, team or category
id (0 for the whole desk), ``values`` a JSON object with every metric key. The sources of
resolution and response facts are parameters: the stored fact tables for the rollups, the
fact SELECTs of ``kpis/facts.py`` for the export, so both paths aggregate the same way.
Medians and p90 are ``percentile_cont`` over the facts of the bucket itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kpis.facts import STAFF_ROLES, local_day, resolution_facts_sql, response_facts_sql
from kpis.models import Dimension, Period

# Counts are 0 when nothing happened; times, rates and the backlog (teams and the desk only)
# are null when there is nothing to measure.
COUNT_KEYS = [
    "tickets_resolved",
    "resolutions",
    "fcr_count",
    "reopened",
    "recurred",
    "weighted_workload",
    "requesters_served",
    "maintenance_done",
    "maintenance_on_time",
    "frt_count",
    "csat_answers",
    "csat_positive",
    "answered",
    "sla_response_met",
    "sla_response_due",
    "sla_resolution_met",
    "sla_resolution_due",
    "escalations",
    "sent_back",
    "articles_published",
    "article_reuse",
    "feedback_raised",
    "arrivals",
]
TIME_KEYS = [
    f"{metric}_{statistic}"
    for metric in (
        "frt",
        "frt_business",
        "resolution_first",
        "resolution_first_business",
        "resolution_final",
        "resolution_final_business",
    )
    for statistic in ("median_s", "p90_s", "mean_s")
] + ["time_to_escalate_median_s", "csat_mean", "backlog_end"]
# rate key: (numerator, denominator), the denominator a sum of count keys.
RATES = {
    "fcr_rate": ("fcr_count", ("tickets_resolved",)),
    "reopen_rate": ("reopened", ("resolutions",)),
    "recurrence_rate": ("recurred", ("tickets_resolved",)),
    "csat_positive_rate": ("csat_positive", ("csat_answers",)),
    "csat_response_rate": ("answered", ("resolutions",)),
    "sla_response_rate": ("sla_response_met", ("sla_response_due",)),
    "sla_resolution_rate": ("sla_resolution_met", ("sla_resolution_due",)),
    "escalation_rate": ("escalations", ("escalations", "tickets_resolved")),
}
METRIC_KEYS = COUNT_KEYS + TIME_KEYS + list(RATES)


@dataclass(frozen=True)
class Sources:
    """Where the facts come from: table names, or parenthesised SELECTs with an alias."""

    resolutions: str
    responses: str


STORED = Sources(resolutions="kpis_resolutionfact", responses="kpis_responsefact")


# Local days begin up to 14 hours before or after the UTC date: a coarse bound for scans.
NEAR_RANGE = "{moment} >= %(first_day)s::date - 1 AND {moment} < %(last_day)s::date + 2"


def computed_sources() -> Sources:
    """The facts of the range computed from the events on the spot (the export)."""
    return Sources(
        resolutions=f"({resolution_facts_sql(moments=NEAR_RANGE)})",
        responses=f"({response_facts_sql(moments=NEAR_RANGE)})",
    )


def bucket_sql(period: str | None, day: str) -> str:
    """The first day of the period ``day`` falls in; None: the export's one range."""
    if period is None:
        return "%(first_day)s::date"
    unit = {Period.DAY: "day", Period.WEEK: "week", Period.MONTH: "month", Period.QUARTER: "quarter"}[period]
    # Through timestamp, not timestamptz: the same date in any session time zone, and cheaper.
    return f"date_trunc('{unit}', {day}::timestamp)::date"


def _stats(prefix: str, column: str, condition: str = "TRUE") -> str:
    return f"""
        '{prefix}_median_s', percentile_cont(0.5) WITHIN GROUP (ORDER BY {column}) FILTER (WHERE {condition}),
        '{prefix}_p90_s', percentile_cont(0.9) WITHIN GROUP (ORDER BY {column}) FILTER (WHERE {condition}),
        '{prefix}_mean_s', avg({column}) FILTER (WHERE {condition})"""


def _part(
    dimensions: Sequence[str], period: str | None, source: str, keys: dict[str, str], values: str, *, day: str = "day"
) -> str | None:
    """One source's metrics for every requested dimension it has a key for, in one pass over it.

    ``source`` is a table or a parenthesised SELECT with a ``day`` column (the local day a row
    counts on); ``keys`` maps each dimension the source serves to the column or expression of
    its key (the desk needs none). GROUPING SETS aggregate the rows once per dimension while
    PostgreSQL reads them once.
    """
    served = [dimension for dimension in dimensions if dimension in keys]
    if not served:
        return None
    keyed = [dimension for dimension in served if dimension != Dimension.DESK]
    columns = "".join(f", {keys[dimension]} AS key_{dimension}" for dimension in keyed)
    sets = ", ".join(f"(bucket, key_{dimension})" for dimension in keyed)
    if Dimension.DESK in served:
        sets += ", (bucket)" if keyed else "(bucket)"
    if keyed:
        which = " ".join(f"WHEN GROUPING(key_{dimension}) = 0 THEN '{dimension}'" for dimension in keyed)
        key = " ".join(f"WHEN GROUPING(key_{dimension}) = 0 THEN key_{dimension}" for dimension in keyed)
        # Each grouping set holds one key column or none (the desk).
        dimension, key = f"CASE {which} ELSE 'desk' END", f"CASE {key} ELSE 0 END"
    else:
        dimension, key = "'desk'", "0"
    return f"""
        SELECT bucket, {dimension} AS dimension, {key} AS dim_key,
               jsonb_build_object({values}) AS values
        FROM (
            SELECT {bucket_sql(period, f"fact.{day}")} AS bucket{columns}, fact.*
            FROM {source} AS fact WHERE fact.{day} BETWEEN %(first_day)s AND %(last_day)s
        ) AS fact
        GROUP BY GROUPING SETS ({sets})"""


def figures_sql(
    dimensions: Sequence[str], period: str | None, sources: Sources = STORED, *, added_outcomes: bool = False
) -> str:
    """``(bucket, dimension, key, values)`` for ``dimensions``; parameters: ``first_day``,
    ``last_day`` (local days, both included), ``zone``, ``buckets`` (a list of period starts, or
    None for all buckets in the range) and ``upto`` (the SLA outcomes up to this ``seq``; None:
    all). ``added_outcomes``: the SLA outcomes with ``seq`` in (``after``, ``upto``] alone (every
    other count 0), for the periods late misses reached (``kpis/rollups.py``)."""
    bucket = bucket_sql(period, "fact.day")
    in_range = "fact.day BETWEEN %(first_day)s AND %(last_day)s"
    staff = ", ".join(f"'{role}'" for role in STAFF_ROLES)
    fact_keys = {
        Dimension.AGENT: "fact.agent_id",
        Dimension.TEAM: "fact.team_id",
        Dimension.CATEGORY: "fact.category_id",
        Dimension.DESK: "",
    }
    # Local days can start up to a day before the UTC date: a coarse bound for the event scans.
    events_from = "%(first_day)s::date - 1"
    events_until = "%(last_day)s::date + 2"
    escalation_keys = {
        Dimension.AGENT: "escalation.actor_id",
        Dimension.TEAM: "escalation.team_id",
        Dimension.CATEGORY: "escalation.category_id",
    }
    outcomes_in = f"""outcome.counts_at >= {events_from} AND outcome.counts_at < {events_until}
              -- Not the outcomes past the refresh's cursor, visible or not: a later run adds
              -- those to periods it does not recount (kpis/rollups.py add_late_outcomes).
              AND (%(upto)s::bigint IS NULL OR outcome.seq <= %(upto)s::bigint)"""
    if added_outcomes:
        # Only the outcomes recorded since the last run: kpis/rollups.py adds their counts to
        # the stored periods they fell due in.
        outcomes_in = "outcome.seq > %(after)s AND outcome.seq <= %(upto)s"
    sla_part = _part(
        dimensions,
        period,
        f"""(
            -- counts_at: met when it was met, missed when it fell due (tickets/events.py).
            SELECT {local_day("outcome.counts_at", "team")} AS day,
                   CASE WHEN actor.role IN ({staff}) THEN outcome.actor_id ELSE outcome.assignee_id END
                       AS agent_id,
                   outcome.team_id, outcome.category_id,
                   outcome.new_value ->> 'target' AS target, outcome.kind = 'sla_met' AS met
            FROM tickets_ticketevent AS outcome
            LEFT JOIN accounts_user AS actor ON actor.id = outcome.actor_id
            LEFT JOIN accounts_team AS team ON team.id = outcome.team_id
            WHERE outcome.kind IN ('sla_met', 'sla_missed') AND {outcomes_in}
        )""",
        fact_keys,
        """
        'sla_response_met', count(*) FILTER (WHERE target = 'first_response' AND met),
        'sla_response_due', count(*) FILTER (WHERE target = 'first_response'),
        'sla_resolution_met', count(*) FILTER (WHERE target = 'resolution' AND met),
        'sla_resolution_due', count(*) FILTER (WHERE target = 'resolution')""",
    )
    parts = [
        _part(
            dimensions,
            period,
            # Every resolution; the last one of each ticket in the bucket is the one that
            # counts the ticket as resolved.
            f"""(
                SELECT fact.*,
                       row_number() OVER (PARTITION BY {bucket}, fact.ticket_id ORDER BY fact.seq DESC) = 1
                           AS counted
                FROM {sources.resolutions} AS fact WHERE {in_range}
            )""",
            fact_keys,
            f"""
            'tickets_resolved', count(*) FILTER (WHERE counted),
            'fcr_count', count(*) FILTER (WHERE counted AND NOT (escalated_before OR reopened_before
                                                                 OR reassigned_before OR reopened_in_window)),
            'recurred', count(*) FILTER (WHERE counted AND recurred),
            'weighted_workload', sum(COALESCE(complexity, 1)) FILTER (WHERE counted),
            'requesters_served', count(DISTINCT requester_id) FILTER (WHERE counted),
            'maintenance_done', count(*) FILTER (WHERE counted AND ticket_type = 'maintenance'),
            'maintenance_on_time', count(*) FILTER (WHERE counted AND ticket_type = 'maintenance' AND on_time),
            {_stats("resolution_final", "resolution_s", "counted")},
            {_stats("resolution_final_business", "business_s", "counted")},
            'resolutions', count(*),
            'reopened', count(*) FILTER (WHERE reopened_in_window),
            'answered', count(*) FILTER (WHERE answered),
            {_stats("resolution_first", "resolution_s", "is_first")},
            {_stats("resolution_first_business", "business_s", "is_first")}""",
        ),
        _part(
            dimensions,
            period,
            # Tickets arrived: the team and category they were created with.
            f"""(
                SELECT {local_day("created.created_at", "team")} AS day, created.team_id,
                       created.category_id
                FROM tickets_ticketevent AS created
                LEFT JOIN accounts_team AS team ON team.id = created.team_id
                WHERE created.kind = 'created'
                  AND created.created_at >= {events_from} AND created.created_at < {events_until}
            )""",
            {Dimension.TEAM: "fact.team_id", Dimension.CATEGORY: "fact.category_id", Dimension.DESK: ""},
            "'arrivals', count(*)",
        ),
        _part(
            dimensions,
            period,
            sources.responses,
            fact_keys,
            f"""
            'frt_count', count(*),
            {_stats("frt", "frt_s")},
            {_stats("frt_business", "business_s")}""",
        ),
        _part(
            dimensions,
            period,
            # Satisfaction answers, in the period they arrived, for who resolved; from the
            # resolution event itself: it may lie long before the period.
            f"""(
                SELECT {local_day("answer.created_at", "team")} AS day, answer.score,
                       resolution.actor_id AS agent_id, resolution.team_id, resolution.category_id
                FROM tickets_satisfactionanswer AS answer
                JOIN tickets_ticketevent AS resolution ON resolution.id = answer.resolution_event_id
                LEFT JOIN accounts_team AS team ON team.id = resolution.team_id
                WHERE answer.created_at >= {events_from} AND answer.created_at < {events_until}
            )""",
            fact_keys,
            "'csat_answers', count(*), 'csat_positive', count(*) FILTER (WHERE score >= 4), 'csat_mean', avg(score)",
        ),
        sla_part,
        _part(
            dimensions,
            period,
            f"""(
                SELECT {local_day("escalation.created_at", "team")} AS day,
                       {", ".join(f"{expression} AS {column}" for column, expression in _columns(escalation_keys))},
                       EXTRACT(EPOCH FROM escalation.created_at - ticket.created_at)::float AS waited_s
                FROM tickets_ticketevent AS escalation
                JOIN tickets_ticket AS ticket ON ticket.id = escalation.ticket_id
                LEFT JOIN accounts_team AS team ON team.id = escalation.team_id
                WHERE escalation.kind = 'escalated'
                  AND escalation.created_at >= {events_from} AND escalation.created_at < {events_until}
                  AND NOT COALESCE((escalation.new_value ->> 'sent_back')::boolean, false)
            )""",
            fact_keys,
            "'escalations', count(*),"
            " 'time_to_escalate_median_s', percentile_cont(0.5) WITHIN GROUP (ORDER BY waited_s)",
        ),
        _part(
            dimensions,
            period,
            # Send-backs count for whoever made the escalation that came back.
            f"""(
                SELECT {local_day("returned.created_at", "team")} AS day,
                       {", ".join(f"{expression} AS {column}" for column, expression in _columns(escalation_keys))}
                FROM tickets_ticketevent AS returned
                JOIN tickets_ticketevent AS escalation
                  ON escalation.ticket_id = returned.ticket_id AND escalation.kind = 'escalated'
                 AND escalation.seq < returned.seq
                 AND escalation.new_value ->> 'escalation' = returned.new_value ->> 'escalation'
                 AND NOT COALESCE((escalation.new_value ->> 'sent_back')::boolean, false)
                LEFT JOIN accounts_team AS team ON team.id = escalation.team_id
                WHERE returned.created_at >= {events_from} AND returned.created_at < {events_until}
                  AND (returned.kind = 'escalation_returned'
                       OR (returned.kind = 'escalated' AND (returned.new_value ->> 'sent_back')::boolean))
            )""",
            fact_keys,
            "'sent_back', count(*)",
        ),
        _part(
            dimensions,
            period,
            f"""(
                SELECT {local_day("link.created_at", "team")} AS day, article.author_id AS agent_id
                FROM tickets_ticketevent AS link
                JOIN knowledge_article AS article ON article.id = (link.new_value ->> 'article')::bigint
                LEFT JOIN accounts_team AS team ON team.id = link.team_id
                WHERE link.kind = 'article_linked'
                  AND link.created_at >= {events_from} AND link.created_at < {events_until}
            )""",
            {Dimension.AGENT: "fact.agent_id", Dimension.DESK: ""},
            "'article_reuse', count(*)",
        ),
        _part(
            dimensions,
            period,
            f"""(
                SELECT (article.published_at AT TIME ZONE %(zone)s)::date AS day, article.author_id AS agent_id
                FROM knowledge_article AS article
                WHERE article.published_at >= {events_from} AND article.published_at < {events_until}
            )""",
            {Dimension.AGENT: "fact.agent_id", Dimension.DESK: ""},
            "'articles_published', count(*)",
        ),
        _part(
            dimensions,
            period,
            f"""(
                SELECT {local_day("item.created_at", "team")} AS day, item.raised_by_id AS agent_id, item.team_id
                FROM feedback_feedbackitem AS item
                LEFT JOIN accounts_team AS team ON team.id = item.team_id
                WHERE item.created_at >= {events_from} AND item.created_at < {events_until}
            )""",
            {Dimension.AGENT: "fact.agent_id", Dimension.TEAM: "fact.team_id", Dimension.DESK: ""},
            "'feedback_raised', count(*)",
        ),
    ]
    if added_outcomes:
        parts = [sla_part]
    elif period != Period.DAY:
        parts.append(_backlog_part(dimensions, period))
    if not all(dimension in Dimension.values for dimension in dimensions):
        raise ValueError(f"unknown dimensions: {dimensions!r}")
    union = "\nUNION ALL\n".join(f"({part})" for part in parts if part is not None)
    counts = ", ".join(f"'{name}', COALESCE((merged.values ->> '{name}')::numeric, 0)" for name in COUNT_KEYS)
    times = ", ".join(f"'{name}', merged.values -> '{name}'" for name in TIME_KEYS)
    rates = ", ".join(
        f"'{name}', COALESCE((merged.values ->> '{numerator}')::float, 0) / NULLIF({_sum(denominator)}, 0)"
        for name, (numerator, denominator) in RATES.items()
    )
    return f"""
    SELECT bucket, dimension, dim_key AS key,
        jsonb_build_object({counts}) || jsonb_build_object({times}) || jsonb_build_object({rates}) AS values
    FROM (
        SELECT part.bucket, part.dimension, part.dim_key, jsonb_object_agg(item.key, item.value) AS values
        FROM ({union}) AS part, jsonb_each(part.values) AS item
        WHERE part.dim_key IS NOT NULL AND (%(buckets)s::date[] IS NULL OR part.bucket = ANY(%(buckets)s::date[]))
        GROUP BY part.bucket, part.dimension, part.dim_key
    ) AS merged"""


def _columns(keys: dict[str, str]) -> list[tuple[str, str]]:
    """``(column, expression)`` for the key columns an event source hands to :func:`_part`."""
    names = {Dimension.AGENT: "agent_id", Dimension.TEAM: "team_id", Dimension.CATEGORY: "category_id"}
    return [(names[dimension], expression) for dimension, expression in keys.items()]


def _backlog_part(dimensions: Sequence[str], period: str | None) -> str | None:
    """Tickets open at the end of each period (created before it, not resolved or closed by then).

    A state, not an event count: every period in the range gets a row, also those in which
    nothing happened. The ticket's team as it is now and its latest resolved / closed time:
    a ticket reopened since counts as open back to its creation (docs/kpis.md).
    """
    served = [dimension for dimension in dimensions if dimension in (Dimension.TEAM, Dimension.DESK)]
    if not served:
        return None
    series = bucket_sql(period, "series.day::date")
    if period is None:
        end = "%(last_day)s::date + 1"
    else:
        length = {Period.WEEK: "1 week", Period.MONTH: "1 month", Period.QUARTER: "3 months"}[period]
        end = f"(ends.bucket + interval '{length}')::date"
    end_at = f"({end})::timestamp AT TIME ZONE COALESCE(team.time_zone, %(zone)s)"
    sets = ", ".join(
        "(ends.bucket, ticket.team_id)" if dimension == Dimension.TEAM else "(ends.bucket)" for dimension in served
    )
    if len(served) == 2:
        dimension = "CASE WHEN GROUPING(ticket.team_id) = 0 THEN 'team' ELSE 'desk' END"
        key = "CASE WHEN GROUPING(ticket.team_id) = 0 THEN ticket.team_id ELSE 0 END"
    elif served == [Dimension.TEAM]:
        dimension, key = "'team'", "ticket.team_id"
    else:
        dimension, key = "'desk'", "0"
    return f"""
        SELECT ends.bucket, {dimension} AS dimension, {key} AS dim_key,
               jsonb_build_object('backlog_end', count(*)) AS values
        FROM (
            SELECT DISTINCT {series} AS bucket
            FROM generate_series(%(first_day)s::date, %(last_day)s::date, interval '1 day') AS series(day)
        ) AS ends
        -- The tickets not finished by the range's first day, each branch through ticket_finished_idx
        -- (with an OR PostgreSQL walks every ticket by creation time instead); then coarse
        -- bounds per period end, and the exact ones in the team's zone.
        JOIN (
            SELECT team_id, created_at, NULL::timestamptz AS finished_at FROM tickets_ticket
            WHERE COALESCE(resolved_at, closed_at) IS NULL
            UNION ALL
            SELECT team_id, created_at, COALESCE(resolved_at, closed_at) FROM tickets_ticket
            WHERE COALESCE(resolved_at, closed_at) >= %(first_day)s::date - 1
        ) AS ticket ON ticket.created_at < ({end}) + 1
         AND (ticket.finished_at IS NULL OR ticket.finished_at >= ({end}) - 1)
        LEFT JOIN accounts_team AS team ON team.id = ticket.team_id
        WHERE ticket.created_at < {end_at} AND (ticket.finished_at IS NULL OR ticket.finished_at >= {end_at})
        GROUP BY GROUPING SETS ({sets})"""


def _sum(names: tuple[str, ...]) -> str:
    return " + ".join(f"COALESCE((merged.values ->> '{name}')::float, 0)" for name in names)
