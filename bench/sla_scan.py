"""What does the per-minute SLA scan cost when nothing is due, at a million tickets?

    .venv/bin/python bench/sla_scan.py [--tickets 1000000] [--keep] [--fresh] [--repeat 50]

Uses the benchmark database of bench/queues.py, ``helpdesk_bench`` (bench/dataset/database.py:
filled with COPY when it holds fewer than --tickets tickets; ``--fresh`` rebuilds it; without
``--keep`` it is dropped at the end). The fill generates no SLA clocks, so this script gives the
active tickets clocks the way tickets/sla/clocks.py would on a 24×7 calendar — four policies by
priority, the clock running since creation — and records every crossing already passed as an
earlier scan would have. That is the steady state the scan meets every minute: most running clocks
of old open tickets are long past their deadlines (which stay set while the clock runs), and all
of that is recorded.

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
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))

from dataset.clocks import give_clocks  # noqa: E402
from dataset.database import add_arguments, bench_database, p50, p95  # noqa: E402

WARM_UP = 5


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
    add_arguments(parser, repeat=50)
    args = parser.parse_args(argv)
    with bench_database(args):
        run(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
