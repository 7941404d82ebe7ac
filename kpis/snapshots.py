"""Each team's backlog by age and arrivals by weekday and hour, stored for the manager dashboard.

These are "as of now" figures, not per period: the open tickets age even when nothing happens,
so a beat task stores them every few minutes (``kpis.refresh_snapshots``, every
``KPI_REFRESH_SECONDS``) and the dashboard only reads the stored row (``TeamSnapshot``). Two
aggregates for all teams at once; Python only reshapes the grouped rows into one row per team.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from accounts.models import Team
from kpis.models import TeamSnapshot

ARRIVAL_WEEKS = 8
# Backlog age buckets: (key, lower bound, upper bound) in days, upper excluded.
AGE_BUCKETS = [("under_1d", 0, 1), ("1_3d", 1, 3), ("3_7d", 3, 7), ("7_30d", 7, 30), ("over_30d", 30, None)]

# Open tickets per team and age bucket. The condition is ``ACTIVE_TICKETS``, the one of the queues'
# partial indexes, so the scan is as long as the backlog, not the history.
BACKLOG_SQL = """
SELECT ticket.team_id, {buckets}
FROM tickets_ticket AS ticket
WHERE ticket.status IN ('new', 'open', 'pending', 'on_hold') AND ticket.team_id IS NOT NULL
GROUP BY ticket.team_id
"""

# Tickets created per team, local weekday (1 = Monday) and local hour, in each team's time zone.
ARRIVALS_SQL = """
SELECT event.team_id,
       extract(isodow FROM event.created_at AT TIME ZONE team.time_zone)::int AS weekday,
       extract(hour FROM event.created_at AT TIME ZONE team.time_zone)::int AS hour,
       count(*)
FROM tickets_ticketevent AS event
JOIN accounts_team AS team ON team.id = event.team_id
WHERE event.kind = 'created' AND event.created_at >= %(since)s AND event.created_at < %(until)s
GROUP BY 1, 2, 3
"""


def _bucket_columns() -> tuple[str, dict[str, timedelta]]:
    columns, params = [], {}
    for index, (_key, low, high) in enumerate(AGE_BUCKETS):
        condition = f"ticket.created_at <= %(now)s - %(low{index})s"
        params[f"low{index}"] = timedelta(days=low)
        if high is not None:
            condition += f" AND ticket.created_at > %(now)s - %(high{index})s"
            params[f"high{index}"] = timedelta(days=high)
        columns.append(f"count(*) FILTER (WHERE {condition})")
    return ", ".join(columns), params


def backlog_by_team(now: datetime) -> dict[int, dict[str, int]]:
    """Open tickets per team by how long ago they were created."""
    buckets, params = _bucket_columns()
    with connection.cursor() as cursor:
        cursor.execute(BACKLOG_SQL.format(buckets=buckets), {"now": now, **params})
        return {
            team_id: {key: count for (key, _low, _high), count in zip(AGE_BUCKETS, counts, strict=True)}
            for team_id, *counts in cursor.fetchall()
        }


def arrivals_by_team(now: datetime, weeks: int = ARRIVAL_WEEKS) -> dict[int, list[list[int]]]:
    """Tickets created per team in the last ``weeks`` weeks: ``[weekday 0=Monday][hour]``, local time."""
    grids: dict[int, list[list[int]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(ARRIVALS_SQL, {"since": now - timedelta(weeks=weeks), "until": now})
        for team_id, weekday, hour, count in cursor.fetchall():
            grid = grids.setdefault(team_id, empty_arrivals())
            grid[weekday - 1][hour] = count
    return grids


def empty_backlog() -> dict[str, int]:
    return {key: 0 for key, _low, _high in AGE_BUCKETS}


def empty_arrivals() -> list[list[int]]:
    return [[0] * 24 for _day in range(7)]


def refresh_team_snapshots(now: datetime | None = None) -> int:
    """Store every team's backlog and arrivals as of ``now``; idempotent. Returns the teams written."""
    now = now or timezone.now()
    backlog = backlog_by_team(now)
    arrivals = arrivals_by_team(now)
    rows = [
        TeamSnapshot(
            team_id=team_id,
            backlog=backlog.get(team_id, empty_backlog()),
            arrivals=arrivals.get(team_id, empty_arrivals()),
            computed_at=now,
        )
        for team_id in Team.objects.values_list("pk", flat=True)
    ]
    # One INSERT … ON CONFLICT DO UPDATE: every team's row is replaced at once or not at all.
    TeamSnapshot.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["team"], update_fields=["backlog", "arrivals", "computed_at"]
    )
    return len(rows)


def team_snapshot(team: Team) -> TeamSnapshot | None:
    """The stored row the dashboard reads; None until the first KPI refresh after the team was made."""
    return TeamSnapshot.objects.filter(team=team).first()
