"""How fast are the KPI dashboards at scale, and how many queries do they make?

    .venv/bin/python bench/dashboards.py [--tickets 1000000] [--keep] [--fresh] [--repeat 30]

Uses the benchmark database ``helpdesk_bench`` (bench/dataset/database.py) with the event log of
``dataset/events.py`` and the KPI figures rebuilt once (``refresh_full``). Then requests the
manager dashboard (``/manage/kpis/``, month and week, and one CSV export) as a manager of the
busiest team and the agent dashboard (``/agent/me/``) as its busiest agent, through Django's
test client (the whole request: middleware, views, queries, templates), and prints the number of
queries and:

- **first**: the first request of each page, with the cache empty (``bench_database`` clears the
  benchmarks' Redis database 15), so every chart is drawn;
- **cold** p50 / p95: ``--repeat`` requests with the cache emptied before each (charts drawn
  every time, as with Redis down);
- **warm** p50 / p95: ``--repeat`` requests with the charts' SVG in the cache.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))

from dataset.database import SEED, add_arguments, bench_database, log, p50, p95, server_urls  # noqa: E402

BUDGET_P95_S = 0.300


def ensure_figures() -> None:
    from dataset.events import fill_events, filled_events
    from django.db import connection

    url, _redis = server_urls()
    if not filled_events(url):
        log("writing the event log")
        fill_events(url, seed=SEED, log=log)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM kpis_periodfigure")
        figures = cursor.fetchone()[0]
    if not figures:
        from kpis.rollups import refresh_full

        log("refresh_full()")
        started = time.perf_counter()
        refresh_full()
        log(f"refresh_full() in {time.perf_counter() - started:.0f} s")
    store_sections()


def store_sections():
    """Figures filled before the snapshots and period sections existed: store those without a full rebuild."""
    from kpis.models import Period, PeriodSection, TeamSnapshot
    from kpis.period_sections import store_period_sections
    from kpis.rollups import _fact_day_range, period_end, period_start
    from kpis.snapshots import refresh_team_snapshots

    if not TeamSnapshot.objects.exists():
        started = time.perf_counter()
        refresh_team_snapshots()
        log(f"refresh_team_snapshots() in {time.perf_counter() - started:.2f} s")
    if not PeriodSection.objects.exists():
        first, last = _fact_day_range()
        for period in Period.values:
            started = time.perf_counter()
            store_period_sections(
                period, None, period_start(period, first), period_end(period, period_start(period, last))
            )
            log(f"store_period_sections({period}) for all periods in {time.perf_counter() - started:.1f} s")


def busiest():
    """The team with most resolutions, one of its managers (made one if none) and its busiest agent."""
    from django.db.models import Count

    from accounts.models import Role, Team, User
    from kpis.models import ResolutionFact

    team_id = ResolutionFact.objects.values("team_id").annotate(n=Count("event_id")).order_by("-n").first()["team_id"]
    team = Team.objects.get(pk=team_id)
    manager = team.managers.filter(is_active=True).first()
    if manager is None:
        manager = User.objects.filter(role=Role.MANAGER, is_active=True).first()
        team.managers.add(manager)
    agent_id = (
        ResolutionFact.objects.filter(team_id=team_id, agent__is_active=True)
        .values("agent_id")
        .annotate(n=Count("event_id"))
        .order_by("-n")
        .first()["agent_id"]
    )
    return team, manager, User.objects.get(pk=agent_id)


def _timed(client, url: str) -> float:
    started = time.perf_counter()
    client.get(url)
    return time.perf_counter() - started


def measure(client, url: str, repeat: int) -> tuple[float, list[float], list[float], int, int]:
    """(first request, cold timings, warm timings, queries, bytes) of ``url``."""
    from django.core.cache import cache
    from django.db import connection

    # Counted by a wrapper: the test client's request_started signal resets connection.queries.
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        response = client.get(url)
        first = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    cold = []
    for _ in range(repeat):
        # Redis database 15 is the benchmarks' own (bench/dataset/database.py).
        cache.clear()
        cold.append(_timed(client, url))
    client.get(url)
    warm = [_timed(client, url) for _ in range(repeat)]
    return first, cold, warm, len(statements), len(response.content)


def run(args: argparse.Namespace) -> None:
    import os

    from django.db import connection
    from django.test import Client

    ensure_figures()
    team, manager, agent = busiest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM tickets_ticket), (SELECT count(*) FROM tickets_ticketevent), "
            "(SELECT count(*) FROM kpis_periodfigure)"
        )
        tickets, events, figures = cursor.fetchone()
    managers_client, agents_client = Client(), Client()
    managers_client.force_login(manager)
    agents_client.force_login(agent)
    pages = [
        ("manager, month", managers_client, f"/manage/kpis/?team={team.pk}&period=month"),
        ("manager, week", managers_client, f"/manage/kpis/?team={team.pk}&period=week"),
        ("manager, agents CSV", managers_client, f"/manage/kpis/?team={team.pk}&format=csv&table=agents"),
        ("agent (own page)", agents_client, "/agent/me/"),
    ]
    rows = []
    load_before = os.getloadavg()[0]
    for label, client, url in pages:
        log(label)
        first, cold, warm, queries, size = measure(client, url, args.repeat)
        rows.append((label, first, p50(cold), p95(cold), p50(warm), p95(warm), queries, size))
    print()
    print(
        f"{tickets:,} tickets, {events:,} events, {figures:,} period figures; team {team.name}; "
        f"{os.cpu_count()} cores, load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print(
        f"\nDashboards, {args.repeat} requests each cold (cache emptied before each) and warm "
        f"(budget: p95 ≤ {BUDGET_P95_S * 1000:.0f} ms)\n"
    )
    print("| page | first ms | cold p50 / p95 ms | warm p50 / p95 ms | queries | bytes |")
    print("|---|---|---|---|---|---|")
    for label, first, cold_median, cold_high, median, high, queries, size in rows:
        print(
            f"| {label} | {first * 1000:.0f} | {cold_median * 1000:.0f} / {cold_high * 1000:.0f} "
            f"| {median * 1000:.0f} / {high * 1000:.0f} | {queries} | {size:,} |"
        )
    worst = max(row[5] for row in rows)
    print(f"\nworst warm p95 {worst * 1000:.0f} ms: {'within' if worst <= BUDGET_P95_S else 'OVER'} the budget")
    print(f"(median of warm medians {statistics.median(row[4] for row in rows) * 1000:.0f} ms)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser, repeat=30)
    args = parser.parse_args(argv)
    with bench_database(args):
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
