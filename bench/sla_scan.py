"""What does the per-minute SLA scan cost when nothing is due, at a million tickets?

    .venv/bin/python bench/sla_scan.py [--tickets 1000000] [--keep] [--fresh] [--repeat 50]

Uses bench/queues.py's database, ``helpdesk_bench`` (filled with COPY by bench/dataset/ when it
holds fewer than --tickets tickets; ``--fresh`` rebuilds it; without ``--keep`` it is dropped at
the end). The fill generates no SLA clocks, so this script gives the active tickets clocks the way
escalation/clocks.py would on a 24×7 calendar — four policies by priority, the clock running
since creation — and records every crossing already passed as an earlier scan would have. That
is the steady state the scan meets every minute: most running clocks of old open tickets are long
past their deadlines (which stay set while the clock runs), and all of that is recorded.

Measured, with a fixed ``now`` (so that no deadline comes due while measuring):

- ``scan(now)``: the scan every minute; the previous run's mark a minute earlier.
- ``scan(now, everything=True)``: the same without the mark (a first run, or ``sla_scan --all``):
  every running clock past a deadline is read and skipped by its NOT EXISTS.
- the scan's candidate query alone on a raw cursor (one statement: a branch per clock column),
  and its plan.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))

from queues import BENCH_DATABASE, SEED, create_database, drop_database, log, p50, p95, server_urls  # noqa: E402

WARM_UP = 5
# (priority, first response, resolution) in minutes: a common shape of targets.
TARGETS = [(1, 15, 240), (2, 60, 480), (3, 240, 1440), (4, 480, 4320)]


def give_clocks(now) -> dict[str, int]:
    """Policies by priority on a 24×7 calendar; clocks on the active tickets; past crossings recorded."""
    from django.db import connection, transaction

    from escalation.models import BusinessCalendar, SlaEvent, SlaPolicy, SlaScanMark
    from tickets.models import Ticket

    table, events = Ticket._meta.db_table, SlaEvent._meta.db_table
    with transaction.atomic():
        calendar, _ = BusinessCalendar.objects.get_or_create(name="Bench 24x7", defaults={"is_24x7": True})
        for priority, response, resolution in TARGETS:
            SlaPolicy.objects.update_or_create(
                name=f"Bench P{priority}",
                defaults={
                    "position": priority,
                    "calendar": calendar,
                    "priorities": [priority],
                    "first_response_minutes": response,
                    "resolution_minutes": resolution,
                    "warning_percent": 80,
                },
            )
        if not Ticket.objects.filter(sla_policy__isnull=False).exists():
            log("giving the active tickets SLA clocks")
            with connection.cursor() as cursor:
                # Pending tickets are paused (no due times); new, open and on-hold ones run since creation.
                cursor.execute(
                    f"""
                    UPDATE {table} AS t SET
                        sla_policy_id = p.id,
                        sla_running_since = CASE WHEN t.status <> 'pending' THEN t.created_at END,
                        first_response_due_at = CASE WHEN t.status <> 'pending' AND t.first_response_at IS NULL
                            THEN t.created_at + p.first_response_minutes * interval '1 minute' END,
                        first_response_warn_at = CASE WHEN t.status <> 'pending' AND t.first_response_at IS NULL
                            THEN t.created_at + (p.first_response_minutes * 60 * p.warning_percent / 100)
                                * interval '1 second' END,
                        resolution_due_at = CASE WHEN t.status <> 'pending'
                            THEN t.created_at + p.resolution_minutes * interval '1 minute' END,
                        resolution_warn_at = CASE WHEN t.status <> 'pending'
                            THEN t.created_at + (p.resolution_minutes * 60 * p.warning_percent / 100)
                                * interval '1 second' END
                    FROM escalation_slapolicy AS p
                    WHERE t.status IN ('new', 'open', 'pending', 'on_hold') AND p.name = 'Bench P' || t.priority
                    """
                )
        # Every crossing up to now, as the scans before this one would have recorded it.
        with connection.cursor() as cursor:
            for target in ("first_response", "resolution"):
                for kind, column in (("warning", f"{target}_warn_at"), ("breach", f"{target}_due_at")):
                    cursor.execute(
                        f"""
                        INSERT INTO {events} (ticket_id, target, kind, due_at, recorded_at)
                        SELECT id, %s, %s, {column}, {column} + interval '30 seconds'
                        FROM {table} WHERE {column} <= %s
                        ON CONFLICT DO NOTHING
                        """,
                        [target, kind, now],
                    )
        SlaScanMark.objects.update_or_create(pk=1, defaults={"scanned_until": now - timedelta(minutes=1)})
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute(f"VACUUM ANALYZE {events}")
    connection.close()
    running = Ticket.objects.filter(resolution_due_at__isnull=False)
    return {
        "tickets": Ticket.objects.count(),
        "running": running.count(),
        "past_due": running.filter(resolution_due_at__lte=now).count(),
        "sla_events": SlaEvent.objects.count(),
    }


def timed(function, repeat: int) -> list[float]:
    timings = []
    for attempt in range(WARM_UP + repeat):
        started = time.perf_counter()
        function()
        if attempt >= WARM_UP:
            timings.append(time.perf_counter() - started)
    return timings


def candidates_sql(now, since) -> str:
    """The scan's candidate query (four index ranges in one statement) with its parameters filled in."""
    from django.db import connection

    from escalation.scan import CANDIDATES_SQL, EARLIEST, LIMIT

    return connection.ops.compose_sql(CANDIDATES_SQL, {"now": now, "since": since or EARLIEST, "limit": LIMIT})


def bare(sql: str, repeat: int) -> list[float]:
    from django.db import connection

    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        return timed(lambda: cursor.execute(sql) and cursor.fetchall(), repeat)


def plan(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def run(repeat: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from escalation.scan import MARGIN, scan

    now = timezone.now().replace(microsecond=0)
    facts = give_clocks(now)
    with CaptureQueriesContext(connection) as captured:
        first = scan(now)
    if first.recorded:
        raise SystemExit(f"bench: the scan found {len(first.recorded)} crossings; nothing should be due")
    queries = len(captured.captured_queries)

    rows = [
        ("scan(), every minute (mark)", timed(lambda: scan(now), repeat)),
        ("scan(everything=True) (no mark)", timed(lambda: scan(now, everything=True), repeat)),
    ]
    sql_mark = candidates_sql(now, now - timedelta(minutes=1) - MARGIN)
    sql_all = candidates_sql(now, None)
    rows.append(("  its candidate query alone (mark)", bare(sql_mark, repeat)))
    rows.append(("  its candidate query alone (no mark)", bare(sql_all, repeat)))

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print()
    print(
        f"{facts['tickets']:,} tickets; {facts['running']:,} with a running resolution clock, "
        f"{facts['past_due']:,} of them past due (recorded); {facts['sla_events']:,} SLA events"
    )
    print(f"PostgreSQL {version}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"ms, {repeat} runs after {WARM_UP} warm-up; nothing due; scan(): {queries} queries\n")
    print(f"{'':<44} {'p50':>8} {'p95':>8}")
    for label, timings in rows:
        print(f"{label:<44} {ms(p50(timings)):>8} {ms(p95(timings)):>8}")
    for title, sql in (("mark", sql_mark), ("no mark", sql_all)):
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the candidate query ({title}), its last branch (resolution breach):")
        lines = plan(sql)
        branches = [number for number, line in enumerate(lines) if line.lstrip().startswith("->  Limit")]
        for line in lines[branches[-1] :] if branches else lines:
            print(f"  {line[:150]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets to fill (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=50, help="timed scans (default 50)")
    parser.add_argument("--keep", action="store_true", help="keep the helpdesk_bench database for the next run")
    parser.add_argument("--fresh", action="store_true", help="rebuild the data even if enough is there")
    args = parser.parse_args(argv)

    database_url, redis_url = server_urls()
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

    from dataset import filled_tickets

    have = 0
    if not args.fresh:
        create_database(database_url, fresh=False)
        have = filled_tickets(database_url)
    fill_needed = have < args.tickets
    if fill_needed:
        create_database(database_url, fresh=True)

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0, interactive=False)
        if fill_needed:
            from dataset.fill import fill

            log(f"filling {BENCH_DATABASE} with {args.tickets:,} tickets")
            log(f"filled in {fill(database_url, args.tickets, seed=SEED, log=log):.0f} s")
        else:
            log(f"reusing {BENCH_DATABASE}: {have:,} tickets (--fresh rebuilds)")
        run(args.repeat)
    finally:
        if not args.keep:
            drop_database(database_url)
            log(f"dropped {BENCH_DATABASE} (--keep keeps it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
