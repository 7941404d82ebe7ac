"""The KPI dashboards: the manager's team page (/manage/kpis/) and the agent's own page (/agent/me/).

Both read precomputed figures (``kpis/dashboards.py``). Each table is also a CSV download:
the same URL with ``?format=csv&table=<key>``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.models import Role, Team
from accounts.permissions import managed_teams
from kpis import dashboards
from kpis.charts import (
    COUNT,
    POINTS,
    RATE,
    ROW,
    SCORE,
    SECONDS,
    Chart,
    Column,
    Table,
    bar_chart,
    csv_response,
    dot_chart,
    line_chart,
)
from kpis.metrics import METRICS
from kpis.models import Period
from kpis.rollups import period_end, period_start
from tickets.models import format_reference

UNITS = {"seconds": SECONDS, "rate": RATE, "count": COUNT, "score": SCORE}
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


def period_label(kind: str, start: date) -> str:
    if kind == Period.MONTH:
        return date_format(start, "YEAR_MONTH_FORMAT")
    return _("Week of %(day)s") % {"day": date_format(start, "SHORT_DATE_FORMAT")}


def short_label(kind: str, start: date) -> str:
    return f"{start:%Y-%m}" if kind == Period.MONTH else f"{start:%m-%d}"


def _kind(request) -> str:
    return Period.WEEK if request.GET.get("period") == Period.WEEK else Period.MONTH


def _chosen_start(request, kind: str, current: date) -> date:
    """The period the page is about: ``?start=`` if it is one of the last twelve, else the current one."""
    asked = parse_date(request.GET.get("start") or "") if request.GET.get("start") else None
    if asked is None:
        return current
    start = period_start(kind, asked)
    return start if start in dashboards.period_starts(kind, current) else current


def _csv_link(request, key: str) -> str:
    query = {name: value for name, value in request.GET.items() if name not in ("format", "table")}
    return f"{request.path}?{urlencode({**query, 'format': 'csv', 'table': key})}"


def _answer(request, template: str, context: dict, sections: dict[str, Callable], filename: str):
    """The page, or one of its tables as CSV: only the asked-for section is computed then."""
    if request.GET.get("format") == "csv":
        key = request.GET.get("table", "")
        if key not in sections:
            raise Http404
        built = sections[key]()
        table = built.table if isinstance(built, Chart) else built
        return csv_response(table, f"{filename}-{key}.csv")
    for key, build in sections.items():
        built = build()
        table = built.table if isinstance(built, Chart) else built
        table.csv_url = _csv_link(request, key)
        context[key] = built
    return render(request, template, context)


# --- the manager's page -----------------------------------------------------------------------


def _team_for_manager(request) -> tuple[list[Team], Team | None]:
    """One readable access line: the asked-for team must be one the user manages (all for admins)."""
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied
    teams = list(managed_teams(request.user).order_by("tier", "name"))
    asked = request.GET.get("team")
    if not asked:
        return teams, teams[0] if teams else None
    team = next((team for team in teams if str(team.pk) == asked), None)
    if team is None:
        raise PermissionDenied
    return teams, team


@login_required
def manager(request):
    teams, team = _team_for_manager(request)
    if team is None:
        return render(request, "kpis/dashboard_manager.html", {"teams": [], "team": None})
    kind = _kind(request)
    now = timezone.now()
    current = period_start(kind, timezone.localdate(now, team.time_zone))
    start = _chosen_start(request, kind, current)
    starts = dashboards.period_starts(kind, start)
    month = period_start(Period.MONTH, start)
    since, until = dashboards.local_range(team.time_zone, start, period_end(kind, start))
    label = period_label(kind, start)
    trend_rows: list[dict] = []

    def trend() -> Table:
        if not trend_rows:
            trend_rows.extend(dashboards.team_trend(team, kind, starts))
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
                    period_label(kind, row["start"]),
                    row["arrivals"],
                    row["tickets_resolved"],
                    row["backlog"],
                    row["frt_median_s"],
                    row["resolution_final_median_s"],
                    row["sla_response_rate"],
                    row["sla_resolution_rate"],
                    row["csat_positive_rate"],
                ]
                for row in trend_rows
            ],
        )

    def trend_charts() -> list[Chart]:
        trend()
        labels = [short_label(kind, row["start"]) for row in trend_rows]

        def series(key):
            return [row[key] for row in trend_rows]

        return [
            line_chart(
                "volume",
                pgettext("kpi dashboard", "Volume"),
                labels,
                [(_("Tickets arrived"), series("arrivals")), (_("Tickets resolved"), series("tickets_resolved"))],
                COUNT,
                bars=True,
            ),
            line_chart(
                "frt",
                _("First response (median)"),
                labels,
                [(pgettext("kpi dashboard", "Median"), series("frt_median_s"))],
                SECONDS,
            ),
            line_chart(
                "resolution",
                _("Resolution time (median)"),
                labels,
                [(pgettext("kpi dashboard", "Median"), series("resolution_final_median_s"))],
                SECONDS,
            ),
            line_chart(
                "sla",
                _("SLA attainment"),
                labels,
                [
                    (_("First response"), series("sla_response_rate")),
                    (_("Resolution"), series("sla_resolution_rate")),
                ],
                RATE,
            ),
            line_chart(
                "csat",
                _("Satisfied requesters (CSAT 4–5)"),
                labels,
                [(pgettext("kpi dashboard", "CSAT"), series("csat_positive_rate"))],
                RATE,
            ),
            line_chart(
                "backlog",
                _("Backlog at the end of each period"),
                labels,
                [(pgettext("kpi dashboard", "Open tickets"), series("backlog"))],
                COUNT,
            ),
        ]

    def agents() -> Table:
        scorecard, rules, rows = dashboards.agent_scores(team, month)
        columns = [
            Column(_("Agent")),
            Column(_("Tickets resolved"), COUNT),
            Column(pgettext("kpi dashboard", "Composite score"), POINTS),
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
            _("Agents, %(month)s") % {"month": period_label(Period.MONTH, month)},
            columns,
            table_rows,
            caption=(
                _("Scores on the scorecard “%(name)s”; points per item 0–100, – where there is not enough data.")
                % {"name": scorecard.name}
                if scorecard
                else _("No scorecard applies to this team.")
            ),
        )

    def backlog() -> Chart:
        counts = dashboards.backlog_by_age(team, now)
        labels = [str(AGE_LABELS[key]) for key, _low, _high in dashboards.AGE_BUCKETS]
        values = [counts[key] for key, _low, _high in dashboards.AGE_BUCKETS]
        return bar_chart(
            "backlog_age", _("Open tickets by age"), labels, values, pgettext("kpi dashboard", "Open tickets")
        )

    def categories() -> Table:
        rows = dashboards.top_categories(kind, start)
        return Table(
            "categories",
            _("Top categories, %(period)s") % {"period": label},
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

    def arrivals() -> Chart:
        grid = dashboards.arrivals_by_hour(team, now)
        return dot_chart(
            "arrivals",
            _("Tickets arriving by weekday and hour (last %(weeks)d weeks)") % {"weeks": dashboards.HEATMAP_WEEKS},
            [str(day) for day in WEEKDAYS],
            [f"{hour:02d}" for hour in range(24)],
            grid,
        )

    def escalations() -> Table:
        rows = dashboards.escalation_flow(team, since, until)
        tiers = dict(Team.Tier.choices)
        return Table(
            "escalations",
            _("Escalation flow, %(period)s") % {"period": label},
            [
                Column(_("From team")),
                Column(_("From tier")),
                Column(pgettext("kpi dashboard", "To")),
                Column(_("To tier")),
                Column(pgettext("kpi dashboard", "Escalations"), COUNT),
            ],
            [
                [
                    row["from_team"] or _("No team"),
                    tiers.get(row["from_tier"], "–"),
                    row["to_team"]
                    or (_("Vendor: %(name)s") % {"name": row["vendor"]} if row["vendor"] else _("No team")),
                    tiers.get(row["to_tier"], "–"),
                    row["count"],
                ]
                for row in rows
            ],
        )

    def deflection() -> Table:
        figures = dashboards.deflection(since, until, label)
        return Table(
            "deflection",
            _("Deflection, %(period)s") % {"period": label},
            [
                Column(_("Solved by an article"), COUNT),
                Column(_("Web-form tickets"), COUNT),
                Column(_("Deflection rate"), RATE),
            ],
            [[figures.solved, figures.web_tickets, figures.rate]],
            caption=_("Across the desk: requests solved by an article before a ticket was created."),
        )

    sections = {
        "trend": trend,
        "agents": agents,
        "backlog_age": backlog,
        "categories": categories,
        "arrivals": arrivals,
        "escalations": escalations,
        "deflection": deflection,
    }
    context = {
        "teams": teams,
        "team": team,
        "kind": kind,
        "start": start,
        "period_label": label,
        "periods": [(value, period_label(kind, value)) for value in reversed(starts)],
        "now": now,
    }
    if request.GET.get("format") != "csv":
        context["charts"] = trend_charts()
    return _answer(
        request, "kpis/dashboard_manager.html", context, sections, f"kpis-team{team.pk}-{kind}-{start.isoformat()}"
    )


# --- the agent's own page ---------------------------------------------------------------------


def _team_for_agent(request) -> tuple[list[Team], Team | None]:
    """Agents see their own figures and their teams' aggregates, never another agent's."""
    if not request.user.works_tickets:
        raise PermissionDenied
    teams = list(request.user.teams.order_by("tier", "name"))
    asked = request.GET.get("team")
    if not asked:
        return teams, teams[0] if teams else None
    team = next((team for team in teams if str(team.pk) == asked), None)
    if team is None:
        raise PermissionDenied
    return teams, team


@login_required
def agent(request):
    teams, team = _team_for_agent(request)
    user = request.user
    now = timezone.now()
    zone = team.time_zone if team else timezone.get_current_timezone()
    current = period_start(Period.MONTH, timezone.localdate(now, zone))
    previous = dashboards.previous_start(Period.MONTH, current)
    months = dashboards.period_starts(Period.MONTH, current)
    own_rows: dict = {}

    def own() -> dict:
        if not own_rows:
            own_rows.update(dashboards.agent_months(user, months))
        return own_rows

    def figures() -> Table:
        scorecard, rules, bands = dashboards.scoring_rules(team)
        metrics = [rule.metric for rule in rules]
        medians = dashboards.team_medians(team, [current, previous], metrics) if team else {}
        this_month, last_month = own().get(current, {}), own().get(previous, {})
        scores = {
            start: {item.metric: item for item in dashboards.score(rules, values, bands).items}
            for start, values in ((current, this_month), (previous, last_month))
        }
        rows = []
        for rule in rules:
            metric = METRICS[rule.metric]
            rows.append(
                [
                    metric.label,
                    this_month.get(rule.metric),
                    scores[current][rule.metric].points,
                    last_month.get(rule.metric),
                    medians.get(current, {}).get(rule.metric),
                    rule.target,
                    rule.floor,
                ]
            )
        table = Table(
            "figures",
            _("My figures against the targets"),
            [
                Column(pgettext("kpi dashboard", "Measure")),
                Column(period_label(Period.MONTH, current), ROW),
                Column(pgettext("kpi dashboard", "Points"), POINTS),
                Column(period_label(Period.MONTH, previous), ROW),
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
        return table

    def trend() -> Table:
        rows = own()
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
                    int(rows.get(month, {}).get("tickets_resolved") or 0),
                    rows.get(month, {}).get("frt_median_s"),
                    rows.get(month, {}).get("resolution_final_median_s"),
                    rows.get(month, {}).get("fcr_rate"),
                    rows.get(month, {}).get("sla_resolution_rate"),
                    rows.get(month, {}).get("csat_positive_rate"),
                ]
                for month in months
            ],
        )

    def comments() -> Table:
        answers = dashboards.recent_comments(user)
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

    def trend_chart_list() -> list[Chart]:
        rows = own()
        labels = [short_label(Period.MONTH, month) for month in months]
        return [
            line_chart(
                "my_volume",
                _("Tickets resolved"),
                labels,
                [(_("Tickets resolved"), [rows.get(month, {}).get("tickets_resolved") or 0 for month in months])],
                COUNT,
                bars=True,
            ),
            line_chart(
                "my_times",
                _("Response and resolution times (median)"),
                labels,
                [
                    (_("First response"), [rows.get(month, {}).get("frt_median_s") for month in months]),
                    (_("Resolution"), [rows.get(month, {}).get("resolution_final_median_s") for month in months]),
                ],
                SECONDS,
            ),
            line_chart(
                "my_csat",
                _("Satisfied requesters (CSAT 4–5)"),
                labels,
                [
                    (
                        pgettext("kpi dashboard", "CSAT"),
                        [rows.get(month, {}).get("csat_positive_rate") for month in months],
                    )
                ],
                RATE,
            ),
        ]

    sections = {"figures": figures, "trend": trend, "comments": comments}
    context = {"teams": teams, "team": team, "month_label": period_label(Period.MONTH, current)}
    if request.GET.get("format") != "csv":
        context["charts"] = trend_chart_list()
    return _answer(request, "kpis/dashboard_agent.html", context, sections, f"my-kpis-{current:%Y-%m}")
