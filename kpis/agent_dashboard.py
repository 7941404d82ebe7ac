"""The agent's own dashboard (/agent/me/): their figures against the targets, their trend, comments.

An ``AgentPage`` is about the signed-in agent only (nothing names another agent) and the team they
compare with; each section below turns what ``kpis/dashboards.py`` reads into a ``Table`` or
``Chart`` (``kpis/charts.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import Team, User
from kpis import dashboards
from kpis.charts import COUNT, POINTS, RATE, ROW, SCORE, SECONDS, Chart, ChartScope, Column, Table, line_chart
from kpis.dashboards import period_label, short_label
from kpis.metrics import METRICS
from kpis.models import Period
from kpis.rollups import period_start
from tickets.models import format_reference

UNITS = {"seconds": SECONDS, "rate": RATE, "count": COUNT, "score": SCORE}


@dataclass
class AgentPage:
    """The agent, the team they compare with (None without a team), and now."""

    agent: User
    team: Team | None
    now: datetime

    @cached_property
    def current(self) -> date:
        zone = self.team.time_zone if self.team else timezone.get_current_timezone()
        return period_start(Period.MONTH, timezone.localdate(self.now, zone))

    @cached_property
    def previous(self) -> date:
        return dashboards.previous_start(Period.MONTH, self.current)

    @cached_property
    def months(self) -> list[date]:
        return dashboards.period_starts(Period.MONTH, self.current)

    @cached_property
    def own(self) -> dashboards.AgentMonths:
        """Read once for the figures, the trend and its charts."""
        return dashboards.agent_months(self.agent, self.months)

    def month_values(self, month: date) -> dict:
        return self.own.values.get(month, {})


def figures_table(page: AgentPage) -> Table:
    scorecard, rules, bands = dashboards.scoring_rules(page.team)
    metrics = [rule.metric for rule in rules]
    medians = dashboards.team_medians(page.team, [page.current, page.previous], metrics) if page.team else {}
    this_month, last_month = page.month_values(page.current), page.month_values(page.previous)
    points = {item.metric: item.points for item in dashboards.score(rules, this_month, bands).items}
    rows = [
        [
            METRICS[rule.metric].label,
            this_month.get(rule.metric),
            points[rule.metric],
            last_month.get(rule.metric),
            medians.get(page.current, {}).get(rule.metric),
            rule.target,
            rule.floor,
        ]
        for rule in rules
    ]
    return Table(
        "figures",
        _("My figures against the targets"),
        [
            Column(pgettext("kpi dashboard", "Measure")),
            Column(period_label(Period.MONTH, page.current), ROW),
            Column(pgettext("kpi dashboard", "Points"), POINTS),
            Column(period_label(Period.MONTH, page.previous), ROW),
            Column(pgettext("kpi dashboard", "Team median"), ROW),
            Column(_("Target"), ROW),
            Column(pgettext("kpi dashboard", "Floor"), ROW),
        ],
        rows,
        row_units=[UNITS[METRICS[rule.metric].unit] for rule in rules],
        caption=(
            _("Scorecard “%(name)s”. The team median is the middle of the team’s agents’ figures.")
            % {"name": scorecard.name}
            if scorecard
            else _("No scorecard applies to this team.")
        ),
    )


def trend_table(page: AgentPage) -> Table:
    return Table(
        "trend",
        _("My last twelve months"),
        [
            Column(_("Month")),
            Column(_("Tickets resolved"), COUNT),
            Column(_("First response (median)"), SECONDS),
            Column(_("Resolution time (median)"), SECONDS),
            Column(_("First-contact resolution"), RATE),
            Column(_("SLA attainment: resolution"), RATE),
            Column(_("Satisfied requesters (CSAT 4–5)"), RATE),
        ],
        [
            [
                period_label(Period.MONTH, month),
                int(page.month_values(month).get("tickets_resolved") or 0),
                page.month_values(month).get("frt_median_s"),
                page.month_values(month).get("resolution_final_median_s"),
                page.month_values(month).get("fcr_rate"),
                page.month_values(month).get("sla_resolution_rate"),
                page.month_values(month).get("csat_positive_rate"),
            ]
            for month in page.months
        ],
    )


def comments_table(page: AgentPage) -> Table:
    answers = dashboards.recent_comments(page.agent)
    table = Table(
        "comments",
        _("Recent comments from requesters"),
        [
            Column(_("Ticket")),
            Column(pgettext("kpi dashboard", "Score"), COUNT),
            Column(_("Comment")),
            Column(pgettext("kpi dashboard", "Answered")),
        ],
        [
            [
                format_reference(answer["ticket_id"]),
                answer["score"],
                answer["comment"],
                date_format(timezone.localtime(answer["created_at"]), "SHORT_DATETIME_FORMAT"),
            ]
            for answer in answers
        ],
    )
    table.links = {
        (number, 0): reverse("tickets:agent_ticket", args=[format_reference(answer["ticket_id"])])
        for number, answer in enumerate(answers)
    }
    return table


def trend_charts(page: AgentPage) -> list[Chart]:
    labels = [short_label(Period.MONTH, month) for month in page.months]
    scope = ChartScope(f"agent{page.agent.pk}", f"month:{page.current.isoformat()}", page.own.computed_at)

    def series(key: str) -> list:
        return [page.month_values(month).get(key) for month in page.months]

    return [
        line_chart(
            "my_volume",
            _("Tickets resolved"),
            labels,
            [(_("Tickets resolved"), [value or 0 for value in series("tickets_resolved")])],
            COUNT,
            bars=True,
            scope=scope,
        ),
        line_chart(
            "my_times",
            _("Response and resolution times (median)"),
            labels,
            [
                (_("First response"), series("frt_median_s")),
                (_("Resolution"), series("resolution_final_median_s")),
            ],
            SECONDS,
            scope=scope,
        ),
        line_chart(
            "my_csat",
            _("Satisfied requesters (CSAT 4–5)"),
            labels,
            [(pgettext("kpi dashboard", "CSAT"), series("csat_positive_rate"))],
            RATE,
            scope=scope,
        ),
    ]


# The page's tables, by the key a CSV download names.
SECTIONS: dict[str, Callable[[AgentPage], Table]] = {
    "figures": figures_table,
    "trend": trend_table,
    "comments": comments_table,
}
