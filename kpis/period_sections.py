"""The escalation flow and the deflection of each period, stored with the figures for the dashboard.

Neither fits a ``PeriodFigure`` (a flow is a list of team pairs; deflection has no agent, team or
category), so each period's rows are stored as a ``PeriodSection`` when the rollups recompute
that period (``kpis.rollups.recompute_periods``): the manager dashboard reads stored rows only.

- ``escalation_flow`` per team, in the team's time zone: ``escalated`` events from or to the team,
  counted per (escalating team, receiving team or vendor). Teams are stored by id; the page names
  them in the reader's language.
- ``deflection`` for the whole desk (team None), in the desk's time zone as the knowledge reports
  count it (docs/deflection.md): requests solved by an article, web-form tickets, and requests
  submitted after reading one.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, DateField, Q
from django.db.models.functions import Trunc
from django.utils import timezone

from knowledge.models import DeflectionEvent, DeflectionOutcome
from kpis.models import PeriodSection
from tickets.models import Channel, Ticket

ESCALATION_FLOW = "escalation_flow"
DEFLECTION = "deflection"

# Each escalation counts for the escalating team (the event's team) and for the receiving team
# (``new_value.team``), in that team's own periods. The range is padded by a day on both sides
# for the time zones; the buckets outside the asked-for days are dropped in Python.
ESCALATION_FLOW_SQL = """
SELECT side.id, date_trunc(%(period)s, event.created_at AT TIME ZONE side.time_zone)::date AS bucket,
       event.team_id, (event.new_value -> 'team' ->> 'id')::bigint, event.new_value -> 'vendor' ->> 'name',
       count(*)
FROM tickets_ticketevent AS event
JOIN accounts_team AS side
  ON side.id = event.team_id OR side.id = (event.new_value -> 'team' ->> 'id')::bigint
WHERE event.kind = 'escalated' AND event.created_at >= %(since)s AND event.created_at < %(until)s
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, count(*) DESC, 3, 4, 5
"""


def _wanted(bucket: date, starts: list[date] | None, first_day: date, last_day: date) -> bool:
    return first_day <= bucket <= last_day and (starts is None or bucket in starts)


def _padded(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(first_day - timedelta(days=1), time.min, tzinfo=zoneinfo.ZoneInfo("UTC")),
        datetime.combine(last_day + timedelta(days=2), time.min, tzinfo=zoneinfo.ZoneInfo("UTC")),
    )


def escalation_flows(
    period: str, starts: list[date] | None, first_day: date, last_day: date
) -> dict[tuple[int, date], list[dict]]:
    """``{(team id, period start): [{from_team, to_team, vendor, count}, …]}``, most escalations first."""
    since, until = _padded(first_day, last_day)
    flows: dict[tuple[int, date], list[dict]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(ESCALATION_FLOW_SQL, {"period": period, "since": since, "until": until})
        for team_id, bucket, from_team, to_team, vendor, count in cursor.fetchall():
            if _wanted(bucket, starts, first_day, last_day):
                flows[team_id, bucket].append(
                    {"from_team": from_team, "to_team": to_team, "vendor": vendor, "count": count}
                )
    return flows


def deflections(period: str, starts: list[date] | None, first_day: date, last_day: date) -> dict[date, dict]:
    """``{period start: {solved, web_tickets, submitted_anyway, submitted_anyway_tickets}}`` for the desk."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    since = datetime.combine(first_day, time.min, tzinfo=zone)
    until = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)
    bucket = Trunc("created_at", period, output_field=DateField(), tzinfo=zone)
    in_range = Q(created_at__gte=since, created_at__lt=until)
    figures: dict[date, dict] = defaultdict(
        lambda: {"solved": 0, "web_tickets": 0, "submitted_anyway": 0, "submitted_anyway_tickets": 0}
    )
    events = (
        DeflectionEvent.objects.filter(in_range)
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(
            solved=Count("id", filter=Q(outcome=DeflectionOutcome.SOLVED)),
            submitted=Count("id", filter=Q(outcome=DeflectionOutcome.SUBMITTED)),
            submitted_tickets=Count("ticket", distinct=True, filter=Q(outcome=DeflectionOutcome.SUBMITTED)),
        )
    )
    for row in events:
        figures[row["bucket"]].update(
            solved=row["solved"],
            submitted_anyway=row["submitted"],
            submitted_anyway_tickets=row["submitted_tickets"],
        )
    web = Ticket.objects.filter(in_range, channel=Channel.WEB).annotate(bucket=bucket).values("bucket")
    for row in web.annotate(count=Count("id")):
        figures[row["bucket"]]["web_tickets"] = row["count"]
    return {start: values for start, values in figures.items() if _wanted(start, starts, first_day, last_day)}


def store_period_sections(period: str, starts: list[date] | None, first_day: date, last_day: date) -> None:
    """Replace the stored sections of ``period`` for ``starts`` (every period in the range with None).

    Called inside the rollups' transaction: the old rows go and the new ones come in one commit.
    """
    now = timezone.now()
    rows = [
        PeriodSection(period=period, start=start, team_id=team_id, key=ESCALATION_FLOW, rows=flow, computed_at=now)
        for (team_id, start), flow in escalation_flows(period, starts, first_day, last_day).items()
    ] + [
        PeriodSection(period=period, start=start, team=None, key=DEFLECTION, rows=figures, computed_at=now)
        for start, figures in deflections(period, starts, first_day, last_day).items()
    ]
    gone = PeriodSection.objects.filter(period=period, start__range=(first_day, last_day))
    if starts is not None:
        gone = gone.filter(start__in=starts)
    gone.delete()
    PeriodSection.objects.bulk_create(rows)
