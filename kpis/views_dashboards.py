"""The KPI dashboards: the manager's team page (/manage/kpis/) and the agent's own page (/agent/me/).

Each view decides who may see which team and what the query string asks for; the sections are
made in ``kpis/manager_dashboard.py`` and ``kpis/agent_dashboard.py``. Each table is also a CSV
download: the same URL with ``?format=csv&table=<key>``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import urlencode

from accounts.models import Role, Team
from accounts.permissions import managed_teams
from kpis import agent_dashboard, dashboards, manager_dashboard
from kpis.charts import Chart, HeatMap, Table, csv_response
from kpis.dashboards import period_label
from kpis.models import Period
from kpis.rollups import period_start


def _kind(request) -> str:
    return Period.WEEK if request.GET.get("period") == Period.WEEK else Period.MONTH


def _chosen_start(request, kind: str, current: date) -> date:
    """The period the page is about: ``?start=`` if it is one of the last twelve, else the current one."""
    try:
        asked = parse_date(request.GET.get("start") or "")
    except ValueError:  # well formed but impossible ("2026-13-45"): as if not asked
        asked = None
    if asked is None:
        return current
    start = period_start(kind, asked)
    return start if start in dashboards.period_starts(kind, current) else current


def _csv_link(request, key: str) -> str:
    query = {name: value for name, value in request.GET.items() if name not in ("format", "table")}
    return f"{request.path}?{urlencode({**query, 'format': 'csv', 'table': key})}"


def _table_of(built: Table | Chart | HeatMap) -> Table:
    return built.table if isinstance(built, (Chart, HeatMap)) else built


def _answer(request, template: str, context: dict, sections: dict[str, Callable[[], Any]], filename: str):
    """The page, or one of its tables as CSV: only the asked-for section is computed then."""
    if request.GET.get("format") == "csv":
        key = request.GET.get("table", "")
        if key not in sections:
            raise Http404
        return csv_response(_table_of(sections[key]()), f"{filename}-{key}.csv")
    for key, build in sections.items():
        built = build()
        _table_of(built).csv_url = _csv_link(request, key)
        context[key] = built
    return render(request, template, context)


def _team_from(request, teams: list[Team]) -> Team | None:
    """``?team=`` must be one of ``teams``; without it, the first."""
    asked = request.GET.get("team")
    if not asked:
        return teams[0] if teams else None
    team = next((team for team in teams if str(team.pk) == asked), None)
    if team is None:
        raise PermissionDenied
    return team


@login_required
def manager(request):
    # Managers see the teams they manage, admins every team.
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied
    teams = list(managed_teams(request.user).order_by("tier", "name"))
    team = _team_from(request, teams)
    if team is None:
        return render(request, "kpis/dashboard_manager.html", {"teams": [], "team": None})
    kind = _kind(request)
    now = timezone.now()
    current = period_start(kind, timezone.localdate(now, team.time_zone))
    page = manager_dashboard.TeamPage(team, kind, _chosen_start(request, kind, current), now)
    context = {
        "teams": teams,
        "team": team,
        "kind": kind,
        "start": page.start,
        "period_label": page.label,
        "periods": [(value, period_label(kind, value)) for value in reversed(page.starts)],
        "now": now,
    }
    if request.GET.get("format") != "csv":
        context["charts"] = manager_dashboard.trend_charts(page)
        context["computed_at"] = page.computed_at
    sections = {key: (lambda build=build: build(page)) for key, build in manager_dashboard.SECTIONS.items()}
    filename = f"kpis-team{team.pk}-{kind}-{page.start.isoformat()}"
    return _answer(request, "kpis/dashboard_manager.html", context, sections, filename)


@login_required
def agent(request):
    # Agents see their own figures and their teams' aggregates, never another agent's.
    if not request.user.works_tickets:
        raise PermissionDenied
    teams = list(request.user.teams.order_by("tier", "name"))
    team = _team_from(request, teams)
    page = agent_dashboard.AgentPage(request.user, team, timezone.now())
    context = {"teams": teams, "team": team, "month_label": period_label(Period.MONTH, page.current)}
    if request.GET.get("format") != "csv":
        context["charts"] = agent_dashboard.trend_charts(page)
        context["computed_at"] = page.own.computed_at
    sections = {key: (lambda build=build: build(page)) for key, build in agent_dashboard.SECTIONS.items()}
    return _answer(request, "kpis/dashboard_agent.html", context, sections, f"my-kpis-{page.current:%Y-%m}")
