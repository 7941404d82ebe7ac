"""Keeping ``PeriodFigure`` current: incrementally from the events past the cursor, fully at night.

Every run is one transaction: a worker killed halfway leaves the tables as they were. The
incremental run (every few minutes) reads the events with ``seq`` above ``RefreshState.last_seq``
and up to the committed mark (``tickets/event_seq.py``), refreshes the facts of their tickets,
recomputes the days those tickets' facts and events fall in, and marks their weeks, months and
quarters stale (``StalePeriod``). ``refresh_periods`` (every ``KPI_PERIODS_SECONDS``) recomputes
the stale ones: a quarter's medians and p90 read every fact of the quarter again, which costs
more than the rest of a run together, so they are not recomputed every few minutes. The full
run rebuilds every fact and every period. Runs queue on the state row's lock, so two never
interleave.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kpis.facts import fact_params, refresh_facts, sort_in_memory
from kpis.figures import STORED, figures_sql
from kpis.models import Dimension, Period, RefreshState, StalePeriod
from kpis.period_sections import store_period_sections
from tickets.event_seq import SeqBusy, committed_seq

logger = logging.getLogger(__name__)


@dataclass
class RefreshResult:
    tickets: int = 0
    buckets: int = 0
    last_seq: int = 0


def period_start(period: str, day: date) -> date:
    if period == Period.DAY:
        return day
    if period == Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period == Period.MONTH:
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def period_end(period: str, start: date) -> date:
    """The last day of the period beginning on ``start``."""
    if period == Period.DAY:
        return start
    if period == Period.WEEK:
        return start + timedelta(days=6)
    months = 1 if period == Period.MONTH else 3
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1) - timedelta(days=1)


UPSERT = """
WITH computed AS ({figures}),
gone AS (
    DELETE FROM kpis_periodfigure AS figure
    WHERE figure.period = %(period)s
      AND figure.start BETWEEN %(first_day)s AND %(last_day)s
      AND (%(buckets)s::date[] IS NULL OR figure.start = ANY(%(buckets)s::date[]))
      AND NOT EXISTS (
          SELECT 1 FROM computed
          WHERE computed.bucket = figure.start AND computed.dimension = figure.dimension AND computed.key = figure.key
      )
)
INSERT INTO kpis_periodfigure (period, start, dimension, key, values, computed_at)
SELECT %(period)s, bucket, dimension, key, values, %(now)s FROM computed
ON CONFLICT (period, dimension, key, start) DO UPDATE SET values = EXCLUDED.values, computed_at = EXCLUDED.computed_at
"""


# A period only late misses reached keeps its stored figures; the new outcomes' counts are added
# to its SLA counts and the rates follow (computed as kpis/figures.py computes them).
SLA_SUMS = {
    key: f"COALESCE((kpis_periodfigure.values ->> '{key}')::numeric, 0) + (EXCLUDED.values ->> '{key}')::numeric"
    for target in ("response", "resolution")
    for key in (f"sla_{target}_met", f"sla_{target}_due")
}
SLA_RATES = {
    f"sla_{target}_rate": "({met})::float / NULLIF(({due})::float, 0)".format(
        met=SLA_SUMS[f"sla_{target}_met"], due=SLA_SUMS[f"sla_{target}_due"]
    )
    for target in ("response", "resolution")
}
SLA_ADD = f"""
WITH added AS ({{figures}})
INSERT INTO kpis_periodfigure (period, start, dimension, key, values, computed_at)
SELECT %(period)s, bucket, dimension, key, values, %(now)s FROM added
ON CONFLICT (period, dimension, key, start) DO UPDATE
SET values = kpis_periodfigure.values
        || jsonb_build_object({", ".join(f"'{key}', {sql}" for key, sql in (SLA_SUMS | SLA_RATES).items())}),
    computed_at = EXCLUDED.computed_at
"""


def add_late_outcomes(period: str, starts: list[date], after: int, upto: int) -> None:
    """Add the SLA outcomes with ``seq`` in (``after``, ``upto``] to the stored periods beginning on ``starts``.

    For periods that nothing but late ``sla_missed`` events changed (a miss counts in the period
    it fell due, which can be months back): every figure of those periods is as stored except
    the SLA counts, and outcomes only ever add up (an event is never changed or removed), so the
    new ones are counted and added rather than the periods recounted. Exact because the stored
    row holds every outcome up to ``after`` (the cursor) and this runs in the same transaction
    that moves the cursor to ``upto``. A key without a row gets one (its other counts 0: it had
    nothing else in the period, or it would have a row). The nightly full run recounts all.
    """
    params = {
        **fact_params(),
        "period": period,
        "first_day": min(starts),
        "last_day": period_end(period, max(starts)),
        "buckets": sorted(starts),
        "after": after,
        "upto": upto,
        "now": timezone.now(),
    }
    figures = figures_sql(Dimension.values, period, STORED, added_outcomes=True)
    with connection.cursor() as cursor:
        cursor.execute(SLA_ADD.format(figures=figures), params)


def recompute_periods(
    period: str, starts: list[date] | None, first_day: date, last_day: date, *, upto: int | None = None
) -> None:
    """Recompute ``period`` figures of every dimension for ``starts`` (all periods in the range with None).

    One statement: each source is read once for the four dimensions (``kpis/figures.py``); then
    the period's escalation flows and deflection (``kpis/period_sections.py``). ``upto``: the
    cursor the run moves to; SLA outcomes past it are left to the next run, which may add them
    (:func:`add_late_outcomes`) to a period it does not recount.
    """
    params = {
        **fact_params(),
        "period": period,
        "first_day": first_day,
        "last_day": last_day,
        "buckets": starts,
        "upto": upto,
        "now": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(UPSERT.format(figures=figures_sql(Dimension.values, period, STORED)), params)
    store_period_sections(period, starts, first_day, last_day)


def _changed_tickets(after: int, upto: int) -> list[int]:
    """Tickets with events in (after, upto], and earlier tickets whose recurrence they may decide."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH changed AS (
                SELECT DISTINCT ticket_id FROM tickets_ticketevent WHERE seq > %(after)s AND seq <= %(upto)s
            ),
            opened AS (
                SELECT ticket.requester_id, ticket.created_at FROM tickets_ticketevent AS event
                JOIN tickets_ticket AS ticket ON ticket.id = event.ticket_id
                WHERE event.seq > %(after)s AND event.seq <= %(upto)s AND event.kind = 'created'
            )
            SELECT ticket_id FROM changed
            UNION
            SELECT fact.ticket_id
            FROM kpis_resolutionfact AS fact JOIN opened ON opened.requester_id = fact.requester_id
            WHERE fact.resolved_at < opened.created_at AND fact.resolved_at >= opened.created_at - %(window)s
            """,
            {"after": after, "upto": upto, "window": timedelta(days=settings.KPI_RECURRENCE_DAYS)},
        )
        return [row[0] for row in cursor.fetchall()]


def _event_days(after: int, upto: int) -> tuple[set[date], set[date]]:
    """Local days (in each event's team's time zone) the new events may count on: when they
    happened, and when a missed SLA target they settle fell due (apart: only the SLA figures
    of those days change)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT moments.due, (moment AT TIME ZONE COALESCE(team.time_zone, %(zone)s))::date FROM (
                SELECT event.team_id, event.created_at AS moment, false AS due
                FROM tickets_ticketevent AS event WHERE event.seq > %(after)s AND event.seq <= %(upto)s
                UNION ALL
                SELECT event.team_id, event.counts_at, true
                FROM tickets_ticketevent AS event
                WHERE event.seq > %(after)s AND event.seq <= %(upto)s AND event.kind = 'sla_missed'
            ) AS moments
            LEFT JOIN accounts_team AS team ON team.id = moments.team_id
            """,
            {"after": after, "upto": upto, "zone": settings.TIME_ZONE},
        )
        rows = cursor.fetchall()
    return {day for due, day in rows if not due}, {day for due, day in rows if due}


def refresh_incremental() -> RefreshResult:
    """Bring the facts and day figures up to every committed event, mark the longer periods stale; idempotent.

    When a long transaction holds events back (``SeqBusy``), nothing is done: the next run
    takes them.
    """
    try:
        upto = committed_seq()
    except SeqBusy:
        logger.info("KPI refresh skipped: a long transaction is still recording events")
        return RefreshResult(last_seq=RefreshState.objects.values_list("last_seq", flat=True).first() or 0)
    with transaction.atomic():
        state, _created = RefreshState.objects.select_for_update().get_or_create(id=1)
        sort_in_memory()
        after = state.last_seq
        result = RefreshResult(last_seq=max(after, upto))
        if upto <= after:
            return result
        tickets = _changed_tickets(after, upto)
        changed_days = refresh_facts(tickets)
        today = timezone.localdate()
        event_days, due_days = _event_days(after, upto)
        # Articles are published and feedback raised without a ticket event: today's periods
        # are always recomputed (today's week, month and quarter at the next refresh_periods).
        days = changed_days | event_days | {today}
        stale = _stale_starts()
        for period in Period.values:
            starts = {period_start(period, day) for day in days}
            if period == Period.DAY:
                # One day at a time: each reads only its own day through the facts' day index.
                for start in sorted(starts):
                    recompute_periods(period, [start], start, start, upto=upto)
                    result.buckets += 1
            else:
                StalePeriod.objects.bulk_create(
                    [StalePeriod(period=period, start=start) for start in starts], ignore_conflicts=True
                )
            # Periods where only late misses fell due: their SLA counts grow, in one statement.
            # Not a stale one: its stored row may lack outcomes up to the cursor, which its
            # recount will take in.
            if late := {period_start(period, day) for day in due_days} - starts - stale.get(period, set()):
                add_late_outcomes(period, sorted(late), after, upto)
                result.buckets += len(late)
        state.last_seq, state.refreshed_at = upto, timezone.now()
        state.save(update_fields=["last_seq", "refreshed_at"])
        result.tickets = len(tickets)
        return result


def _stale_starts() -> dict[str, set[date]]:
    stale: dict[str, set[date]] = {}
    for period, start in StalePeriod.objects.values_list("period", "start"):
        stale.setdefault(period, set()).add(start)
    return stale


def refresh_periods() -> RefreshResult:
    """Recompute the weeks, months and quarters the incremental runs marked stale; idempotent.

    Up to the cursor the last incremental run left: the facts are as of that run, and the SLA
    outcomes are counted up to it, so that the next incremental run may add later ones.
    """
    with transaction.atomic():
        state, _created = RefreshState.objects.select_for_update().get_or_create(id=1)
        sort_in_memory()
        result = RefreshResult(last_seq=state.last_seq)
        stale = list(StalePeriod.objects.order_by("period", "start").values_list("period", "start"))
        for period, start in stale:
            recompute_periods(period, [start], start, period_end(period, start), upto=state.last_seq)
            result.buckets += 1
        # Nothing else marks periods meanwhile: the incremental run waits for the state row's lock.
        StalePeriod.objects.all().delete()
        state.periods_refreshed_at = timezone.now()
        state.save(update_fields=["periods_refreshed_at"])
        return result


def refresh_now() -> RefreshResult:
    """Both runs, one after the other: every figure up to the committed events (``kpi_refresh``, tests)."""
    result = refresh_incremental()
    result.buckets += refresh_periods().buckets
    return result


def refresh_full() -> RefreshResult:
    """Rebuild every fact and every period from the events (nightly, or after an import)."""
    try:
        upto = committed_seq()
    except SeqBusy:
        # Rebuild what is visible anyway and leave the cursor: the next incremental run takes
        # the events after it again (it recomputes their periods; their SLA outcomes are
        # counted only up to the cursor here, so it may add them where it does not recount).
        upto = None
    with transaction.atomic():
        state, _created = RefreshState.objects.select_for_update().get_or_create(id=1)
        sort_in_memory()
        with connection.cursor() as cursor:
            # DELETE, not TRUNCATE: dashboards keep reading the old rows until this commits.
            cursor.execute(
                "DELETE FROM kpis_periodfigure; DELETE FROM kpis_periodsection; DELETE FROM kpis_resolutionfact;"
                " DELETE FROM kpis_responsefact; DELETE FROM kpis_staleperiod"
            )
        refresh_facts(None)
        first, last = _fact_day_range()
        cursor_after = state.last_seq if upto is None else upto
        if first is not None:
            for period in Period.values:
                recompute_periods(
                    period,
                    None,
                    period_start(period, first),
                    period_end(period, period_start(period, last)),
                    upto=cursor_after,
                )
        now = timezone.now()
        state.last_seq = cursor_after
        state.refreshed_at = state.full_refreshed_at = state.periods_refreshed_at = now
        state.save(update_fields=["last_seq", "refreshed_at", "full_refreshed_at", "periods_refreshed_at"])
        return RefreshResult(last_seq=state.last_seq)


def _fact_day_range() -> tuple[date | None, date | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT min(day), max(day) FROM (
                SELECT day FROM kpis_resolutionfact UNION ALL SELECT day FROM kpis_responsefact
                UNION ALL SELECT (created_at AT TIME ZONE 'UTC')::date FROM tickets_ticketevent
                WHERE kind IN (
                    'sla_met', 'sla_missed', 'escalated', 'escalation_returned', 'article_linked', 'satisfaction'
                )
                UNION ALL SELECT (published_at AT TIME ZONE 'UTC')::date FROM knowledge_article
                UNION ALL SELECT (created_at AT TIME ZONE 'UTC')::date FROM feedback_feedbackitem
                -- The backlog has a value from the first ticket on.
                UNION ALL SELECT (min(created_at) AT TIME ZONE 'UTC')::date FROM tickets_ticket
            ) AS days
            """
        )
        first, last = cursor.fetchone()
    if first is None:
        return None, None
    return first - timedelta(days=1), last + timedelta(days=1)
