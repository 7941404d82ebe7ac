"""What the KPI dashboards read: plain functions returning plain data (docs/kpis.md, "Dashboards").

Figures come from the precomputed ``PeriodFigure`` rows, the backlog by age and arrivals by
hour from the stored ``TeamSnapshot`` (kpis/snapshots.py), the escalation flow and deflection
from the stored ``PeriodSection`` (kpis/period_sections.py). Callers
decide who may read what (``kpis/views_dashboards.py``); nothing here loops over tickets. The
pages' tables and charts are made of these in ``kpis/manager_dashboard.py`` and
``kpis/agent_dashboard.py``.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import FloatField, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role, Team, User
from kpis.models import Dimension, Period, PeriodFigure, Scorecard
from kpis.rollups import period_end, period_start
from kpis.scorecards import rules_of, scorecard_for
from kpis.scoring import ItemRule, Score, score
from tickets.models import Category, SatisfactionAnswer

KINDS = (Period.MONTH, Period.WEEK)
TREND_LENGTH = 12
TOP_CATEGORIES = 10
RECENT_COMMENTS = 10


# --- periods --------------------------------------------------------------------------------


def previous_start(kind: str, start: date) -> date:
    return period_start(kind, start - timedelta(days=1))


def period_starts(kind: str, last: date, count: int = TREND_LENGTH) -> list[date]:
    """The starts of ``count`` periods of ``kind`` ending with the one beginning on ``last``, oldest first."""
    starts = [last]
    for _index in range(count - 1):
        starts.append(previous_start(kind, starts[-1]))
    return starts[::-1]


def period_label(kind: str, start: date) -> str:
    """ "October 2026" or "Week of 10/5/2026", in the active language."""
    if kind == Period.MONTH:
        return date_format(start, "YEAR_MONTH_FORMAT")
    return _("Week of %(day)s") % {"day": date_format(start, "SHORT_DATE_FORMAT")}


def short_label(kind: str, start: date) -> str:
    """A chart's axis label: "2026-10" or "10-05"."""
    return f"{start:%Y-%m}" if kind == Period.MONTH else f"{start:%m-%d}"


def local_range(zone: ZoneInfo, first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """The instants ``[start, end)`` of the local days ``first_day`` to ``last_day``, both included."""
    return (
        datetime.combine(first_day, time(), tzinfo=zone),
        datetime.combine(last_day + timedelta(days=1), time(), tzinfo=zone),
    )


# --- who sees which team ----------------------------------------------------------------------


def team_agents(team: Team) -> QuerySet[User]:
    return team.members.filter(is_active=True, role__in=[Role.AGENT, Role.MANAGER, Role.ADMIN]).order_by(
        "full_name", "id"
    )


# --- team trend -----------------------------------------------------------------------------

TREND_KEYS = [
    "tickets_resolved",
    "frt_median_s",
    "resolution_final_median_s",
    "sla_response_rate",
    "sla_resolution_rate",
    "csat_positive_rate",
    "csat_answers",
]


def team_trend(team: Team, kind: str, starts: list[date]) -> list[dict[str, Any]]:
    """One row per period from the team's stored figures: the trend, tickets arrived, the backlog at the end.

    ``computed_at`` is when the period's figures were computed (None without a stored row).
    """
    stored = {
        start: (values, computed_at)
        for start, values, computed_at in PeriodFigure.objects.filter(
            period=kind, dimension=Dimension.TEAM, key=team.pk, start__in=starts
        ).values_list("start", "values", "computed_at")
    }
    rows = []
    for start in starts:
        values, computed_at = stored.get(start, ({}, None))
        row = {"start": start, "end": period_end(kind, start), "computed_at": computed_at}
        row |= {name: values.get(name) for name in TREND_KEYS}
        row["tickets_resolved"] = row["tickets_resolved"] or 0
        row["arrivals"] = values.get("arrivals") or 0
        row["backlog"] = values.get("backlog_end") or 0
        rows.append(row)
    return rows


# --- agents and scores ----------------------------------------------------------------------


@dataclass(frozen=True)
class AgentScore:
    agent_id: int
    name: str
    values: dict[str, Any]
    score: Score | None


def scoring_rules(team: Team | None) -> tuple[Scorecard | None, list[ItemRule], list[dict]]:
    scorecard = scorecard_for(team)
    if scorecard is None:
        return None, [], []
    return scorecard, rules_of(scorecard), scorecard.bands


def agent_scores(team: Team, month: date) -> tuple[Scorecard | None, list[ItemRule], list[AgentScore]]:
    """The team's agents with their figures of the month starting ``month`` and their score."""
    agents = list(team_agents(team).values_list("pk", "full_name", "email"))
    figures = dict(
        PeriodFigure.objects.filter(
            period=Period.MONTH, dimension=Dimension.AGENT, start=month, key__in=[pk for pk, *_rest in agents]
        ).values_list("key", "values")
    )
    scorecard, rules, bands = scoring_rules(team)
    rows = []
    for pk, full_name, email in agents:
        values = figures.get(pk, {})
        rows.append(AgentScore(pk, full_name or email, values, score(rules, values, bands) if rules else None))
    return scorecard, rules, rows


# --- categories ----------------------------


def top_categories(kind: str, start: date, limit: int = TOP_CATEGORIES) -> list[dict[str, Any]]:
    """The desk's categories with most tickets resolved in the period, and how often problems came back."""
    resolved = Cast(KeyTextTransform("tickets_resolved", "values"), FloatField())
    figures = (
        PeriodFigure.objects.filter(period=kind, dimension=Dimension.CATEGORY, start=start)
        .annotate(
            resolved=resolved,
            name=Subquery(Category.objects.filter(pk=OuterRef("key")).values("name")[:1]),
        )
        .order_by(Coalesce("resolved", 0.0).desc(), "key")[:limit]
    )
    return [
        {
            "category_id": figure.key,
            "name": figure.name or str(figure.key),
            "tickets_resolved": int(figure.values.get("tickets_resolved") or 0),
            "recurred": int(figure.values.get("recurred") or 0),
            "recurrence_rate": figure.values.get("recurrence_rate"),
            "escalations": int(figure.values.get("escalations") or 0),
            "reopen_rate": figure.values.get("reopen_rate"),
        }
        for figure in figures
    ]


# --- the agent's own figures ----------------------------------------------------------------


@dataclass(frozen=True)
class AgentMonths:
    values: dict[date, dict[str, Any]]  # by month start
    computed_at: datetime | None  # the newest of these figures; None without any


def agent_months(agent: User, starts: list[date]) -> AgentMonths:
    """The agent's own month figures, by month start."""
    rows = list(
        PeriodFigure.objects.filter(
            period=Period.MONTH, dimension=Dimension.AGENT, key=agent.pk, start__in=starts
        ).values_list("start", "values", "computed_at")
    )
    return AgentMonths(
        {start: values for start, values, _computed_at in rows},
        max((computed_at for _start, _values, computed_at in rows), default=None),
    )


def team_medians(team: Team, months: list[date], metrics: list[str]) -> dict[date, dict[str, float | None]]:
    """Per month, the median over the team's agents of each metric (agents without a value left out).

    Only the median leaves this function: nobody's own figures.
    """
    rows = PeriodFigure.objects.filter(
        period=Period.MONTH,
        dimension=Dimension.AGENT,
        start__in=months,
        key__in=team_agents(team).values("pk"),
    ).values_list("start", "values")
    by_month: dict[date, list[dict]] = {month: [] for month in months}
    for start, values in rows:
        by_month[start].append(values)
    return {
        month: {metric: _median([values.get(metric) for values in figures]) for metric in metrics}
        for month, figures in by_month.items()
    }


def _median(values: list) -> float | None:
    present = [float(value) for value in values if value is not None]
    return statistics.median(present) if present else None


def recent_comments(agent: User, limit: int = RECENT_COMMENTS) -> list[dict[str, Any]]:
    """The newest satisfaction answers with a comment on resolutions ``agent`` recorded."""
    return list(
        SatisfactionAnswer.objects.filter(resolved_by=agent)
        .exclude(comment="")
        .order_by("-created_at", "-id")
        .values("ticket_id", "score", "comment", "created_at")[:limit]
    )
