"""The manager's team dashboard (/manage/kpis/): the tables and charts of each section.

A ``TeamPage`` names the team, the kind of period, the chosen period and the moment the page is
about; each section below turns what ``kpis/dashboards.py`` reads into a ``Table``, ``Chart`` or
``HeatMap`` (``kpis/charts.py``). Who may see the team is the view's business, checked before a
``TeamPage`` is made; a CSV download builds only the section it asks for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.models import Team
from knowledge.reports import DeflectionFigures
from kpis import dashboards, period_sections, snapshots
from kpis.charts import (
    COUNT,
    POINTS,
    RATE,
    SECONDS,
    Chart,
    ChartScope,
    Column,
    HeatMap,
    Table,
    bar_chart,
    heat_map,
    line_chart,
)
from kpis.dashboards import period_label, short_label
from kpis.metrics import METRICS
from kpis.models import Period, PeriodSection, TeamSnapshot
from kpis.rollups import period_end, period_start

AGE_LABELS = {
    "under_1d": gettext_lazy("Under 1 day"),
    "1_3d": gettext_lazy("1–3 days"),
    "3_7d": gettext_lazy("3–7 days"),
    "7_30d": gettext_lazy("7–30 days"),
    "over_30d": gettext_lazy("Over 30 days"),
}
WEEKDAYS = [
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
]


@dataclass
class TeamPage:
    """The team, months or weeks, the chosen period (its start) and now."""

    team: Team
    kind: str
    start: date
    now: datetime

    @cached_property
    def starts(self) -> list[date]:
        """The trend's twelve periods, ending with the chosen one."""
        return dashboards.period_starts(self.kind, self.start)

    @cached_property
    def month(self) -> date:
        """Agents are scored on the month that contains the chosen period."""
        return period_start(Period.MONTH, self.start)

    @cached_property
    def instants(self) -> tuple[datetime, datetime]:
        return dashboards.local_range(self.team.time_zone, self.start, period_end(self.kind, self.start))

    @cached_property
    def label(self) -> str:
        return period_label(self.kind, self.start)

    @cached_property
    def trend_rows(self) -> list[dict[str, Any]]:
        """Read once for the trend table and its charts."""
        return dashboards.team_trend(self.team, self.kind, self.starts)

    @property
    def computed_at(self) -> datetime | None:
        """When the chosen period's team figures were computed: the running week or month is
        recomputed every ``KPI_PERIODS_SECONDS`` (kpis/rollups.py)."""
        return next((row["computed_at"] for row in self.trend_rows if row["start"] == self.start), None)

    @cached_property
    def snapshot(self) -> TeamSnapshot | None:
        """The stored backlog by age and arrivals by hour, read once for both sections."""
        return snapshots.team_snapshot(self.team)

    @cached_property
    def sections(self) -> dict[str, Any]:
        """The period's stored escalation flow (this team's) and deflection (the desk's), in one query."""
        stored = PeriodSection.objects.filter(
            Q(team=self.team) | Q(team=None),
            period=self.kind,
            start=self.start,
            key__in=[period_sections.ESCALATION_FLOW, period_sections.DEFLECTION],
        )
        return {section.key: section.rows for section in stored}

    def chart_scope(self) -> ChartScope:
        """The trend charts' cache scope: the team, the twelve periods, the newest of their figures."""
        computed = [row["computed_at"] for row in self.trend_rows if row["computed_at"] is not None]
        return ChartScope(f"team{self.team.pk}", f"{self.kind}:{self.start.isoformat()}", max(computed, default=None))


def trend_table(page: TeamPage) -> Table:
    return Table(
        "trend",
        _("Team trend"),
        [
            Column(_("Period")),
            Column(_("Tickets arrived"), COUNT),
            Column(_("Tickets resolved"), COUNT),
            Column(_("Backlog at the end"), COUNT),
            Column(_("First response (median)"), SECONDS),
            Column(_("Resolution time (median)"), SECONDS),
            Column(_("SLA attainment: first response"), RATE),
            Column(_("SLA attainment: resolution"), RATE),
            Column(_("Satisfied requesters (CSAT 4–5)"), RATE),
        ],
        [
            [
                period_label(page.kind, row["start"]),
                row["arrivals"],
                row["tickets_resolved"],
                row["backlog"],
                row["frt_median_s"],
                row["resolution_final_median_s"],
                row["sla_response_rate"],
                row["sla_resolution_rate"],
                row["csat_positive_rate"],
            ]
            for row in page.trend_rows
        ],
    )


def trend_charts(page: TeamPage) -> list[Chart]:
    rows = page.trend_rows
    labels = [short_label(page.kind, row["start"]) for row in rows]
    scope = page.chart_scope()

    def series(key: str) -> list:
        return [row[key] for row in rows]

    median = pgettext("kpi dashboard", "Median")
    return [
        line_chart(
            "volume",
            pgettext("kpi dashboard", "Volume"),
            labels,
            [(_("Tickets arrived"), series("arrivals")), (_("Tickets resolved"), series("tickets_resolved"))],
            COUNT,
            bars=True,
            scope=scope,
        ),
        line_chart(
            "frt", _("First response (median)"), labels, [(median, series("frt_median_s"))], SECONDS, scope=scope
        ),
        line_chart(
            "resolution",
            _("Resolution time (median)"),
            labels,
            [(median, series("resolution_final_median_s"))],
            SECONDS,
            scope=scope,
        ),
        line_chart(
            "sla",
            _("SLA attainment"),
            labels,
            [(_("First response"), series("sla_response_rate")), (_("Resolution"), series("sla_resolution_rate"))],
            RATE,
            scope=scope,
        ),
        line_chart(
            "csat",
            _("Satisfied requesters (CSAT 4–5)"),
            labels,
            [(pgettext("kpi dashboard", "CSAT"), series("csat_positive_rate"))],
            RATE,
            scope=scope,
        ),
        line_chart(
            "backlog",
            _("Backlog at the end of each period"),
            labels,
            [(pgettext("kpi dashboard", "Open tickets"), series("backlog"))],
            COUNT,
            scope=scope,
        ),
    ]


def agents_table(page: TeamPage) -> Table:
    """Each agent's month, scored on the team's scorecard; "not enough data" where there is no composite."""
    scorecard, rules, rows = dashboards.agent_scores(page.team, page.month)
    not_enough = _("not enough data") if scorecard else ""
    columns = [
        Column(_("Agent")),
        Column(_("Tickets resolved"), COUNT),
        Column(pgettext("kpi dashboard", "Composite score"), POINTS, empty=not_enough),
        Column(pgettext("kpi dashboard", "Rating band")),
    ] + [Column(METRICS[rule.metric].label, POINTS) for rule in rules]
    table_rows = []
    for row in rows:
        score = row.score
        table_rows.append(
            [
                row.name,
                int(row.values.get("tickets_resolved") or 0),
                score.composite if score else None,
                (_(score.band) if score and score.band else None),
                *(item.points for item in (score.items if score else [])),
            ]
        )
    return Table(
        "agents",
        _("Agents, %(month)s") % {"month": period_label(Period.MONTH, page.month)},
        columns,
        table_rows,
        caption=(
            _(
                "Scores on the scorecard “%(name)s”; points per item 0–100, – where there is not enough data. "
                "A composite score needs items with enough data that carry at least half of the weight."
            )
            % {"name": scorecard.name}
            if scorecard
            else _("No scorecard applies to this team.")
        ),
    )


def snapshot_note(page: TeamPage) -> str:
    """When the stored backlog and arrivals were counted (kpis/snapshots.py)."""
    if page.snapshot is None:
        return _("Not counted yet: the KPI refresh counts these every few minutes.")
    return _("As of %(time)s.") % {"time": date_format(localtime(page.snapshot.computed_at), "DATETIME_FORMAT")}


def backlog_chart(page: TeamPage) -> Chart:
    counts = page.snapshot.backlog if page.snapshot else snapshots.empty_backlog()
    labels = [str(AGE_LABELS[key]) for key, _low, _high in snapshots.AGE_BUCKETS]
    values = [counts.get(key, 0) for key, _low, _high in snapshots.AGE_BUCKETS]
    return bar_chart(
        "backlog_age",
        _("Open tickets by age"),
        labels,
        values,
        pgettext("kpi dashboard", "Open tickets"),
        scope=ChartScope(f"team{page.team.pk}", "open", page.snapshot.computed_at if page.snapshot else None),
        caption=snapshot_note(page),
    )


def categories_table(page: TeamPage) -> Table:
    rows = dashboards.top_categories(page.kind, page.start)
    return Table(
        "categories",
        _("Top categories, %(period)s") % {"period": page.label},
        [
            Column(_("Category")),
            Column(_("Tickets resolved"), COUNT),
            Column(_("Came back"), COUNT),
            Column(_("Recurrence rate"), RATE),
            Column(_("Reopen rate"), RATE),
            Column(pgettext("kpi dashboard", "Escalations"), COUNT),
        ],
        [
            [
                row["name"],
                row["tickets_resolved"],
                row["recurred"],
                row["recurrence_rate"],
                row["reopen_rate"],
                row["escalations"],
            ]
            for row in rows
        ],
        caption=_("Across the desk. A high recurrence rate is where prevention pays."),
    )


def arrivals_heat_map(page: TeamPage) -> HeatMap:
    grid = page.snapshot.arrivals if page.snapshot else snapshots.empty_arrivals()
    return heat_map(
        "arrivals",
        _("Tickets arriving by weekday and hour (last %(weeks)d weeks)") % {"weeks": snapshots.ARRIVAL_WEEKS},
        [str(day) for day in WEEKDAYS],
        [f"{hour:02d}" for hour in range(24)],
        grid,
        corner=pgettext("kpi dashboard", "Weekday"),
        caption=snapshot_note(page),
    )


def escalations_table(page: TeamPage) -> Table:
    flow = page.sections.get(period_sections.ESCALATION_FLOW, [])
    teams = Team.objects.in_bulk({row[side] for row in flow for side in ("from_team", "to_team")} - {None})
    tiers = dict(Team.Tier.choices)

    def name(team_id: int | None, vendor: str | None = None) -> str:
        if team_id in teams:
            return str(teams[team_id])
        return _("Vendor: %(name)s") % {"name": vendor} if vendor else _("No team")

    def tier(team_id: int | None) -> str:
        return tiers.get(teams[team_id].tier, "–") if team_id in teams else "–"

    return Table(
        "escalations",
        _("Escalation flow, %(period)s") % {"period": page.label},
        [
            Column(_("From team")),
            Column(_("From tier")),
            Column(pgettext("kpi dashboard", "To")),
            Column(_("To tier")),
            Column(pgettext("kpi dashboard", "Escalations"), COUNT),
        ],
        [
            [
                name(row["from_team"]),
                tier(row["from_team"]),
                name(row["to_team"], row["vendor"]),
                tier(row["to_team"]),
                row["count"],
            ]
            for row in flow
        ],
    )


def deflection_table(page: TeamPage) -> Table:
    stored = page.sections.get(period_sections.DEFLECTION)
    figures = DeflectionFigures(**stored) if stored else DeflectionFigures(0, 0, 0, 0)
    return Table(
        "deflection",
        _("Deflection, %(period)s") % {"period": page.label},
        [
            Column(_("Solved by an article"), COUNT),
            Column(_("Web-form tickets"), COUNT),
            Column(_("Deflection rate"), RATE),
        ],
        [[figures.solved, figures.web_tickets, figures.rate]],
        caption=_("Across the desk: requests solved by an article before a ticket was created."),
    )


# The page's tables (and charts with a table), by the key a CSV download names.
SECTIONS: dict[str, Callable[[TeamPage], Table | Chart | HeatMap]] = {
    "trend": trend_table,
    "agents": agents_table,
    "backlog_age": backlog_chart,
    "categories": categories_table,
    "arrivals": arrivals_heat_map,
    "escalations": escalations_table,
    "deflection": deflection_table,
}
