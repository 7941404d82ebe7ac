"""The benchmark database every bench script shares: where it lives, filling it, dropping it.

    from dataset.database import add_arguments, bench_database

    parser = argparse.ArgumentParser()
    add_arguments(parser, repeat=30)
    args = parser.parse_args()
    with bench_database(args) as fill_seconds:   # Django is set up inside
        ...

``helpdesk_bench`` lives on the development PostgreSQL server (DATABASE_URL's, or the embedded
one under var/) and the cache in Redis database 15: the development data is never touched. The
first run migrates it and fills it with COPY (``fill.py``); a later run reuses it when a completed
fill left at least ``--tickets`` tickets, ``--fresh`` rebuilds it. Without ``--keep`` the
database is dropped at the end (1.4 GB at a million tickets).

Importable before ``django.setup()``: Django is imported inside the functions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from dataset import filled_tickets

BENCH_DATABASE = "helpdesk_bench"
BENCH_REDIS_DB = 15
SEED = 20260101


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def reference_loop_ms() -> float:
    """Milliseconds a fixed pure-Python loop takes now, best of five.

    This VM's speed drifts (the same loop has taken 37 ms at the start of a run and 52 ms at its
    end); printed beside a run's figures, it tells a slower page from a slower machine.
    """
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for number in range(1_000_000):
            total += number % 7
        best = min(best, time.perf_counter() - started)
    return best * 1000


def add_arguments(parser: argparse.ArgumentParser, *, repeat: int) -> None:
    """The options every bench script takes: size, repetitions, and what to do with the data."""
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets to fill (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=repeat, help=f"timed runs per measurement (default {repeat})")
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DATABASE} database for the next run")
    parser.add_argument("--fresh", action="store_true", help="rebuild the data even if enough is there")


def server_urls(database: str = BENCH_DATABASE) -> tuple[str, str]:
    """(database URL of helpdesk_bench, Redis URL of db 15) on the development servers."""
    database_url = os.environ.get("DATABASE_URL", "").strip()
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if not database_url or not redis_url:
        from helpdesk import embedded

        try:
            database_url = database_url or embedded.database_url()
            redis_url = redis_url or embedded.redis_url()
        except embedded.EmbeddedServerError as exc:
            raise SystemExit(f"bench: {exc}") from exc
    database_url = urlunsplit(urlsplit(database_url)._replace(path=f"/{database}"))
    redis_url = urlunsplit(urlsplit(redis_url)._replace(path=f"/{BENCH_REDIS_DB}"))
    return database_url, redis_url


def admin_connection(database_url: str):
    """A connection to the server's ``postgres`` database, to create and drop bench databases."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    return psycopg.connect(make_conninfo(database_url, dbname="postgres"), autocommit=True)


def create_database(database_url: str, *, fresh: bool, name: str = BENCH_DATABASE) -> None:
    with admin_connection(database_url) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(database_url: str, *, name: str = BENCH_DATABASE) -> None:
    from django.db import connections

    for connection in connections.all():
        connection.close()
        if hasattr(connection, "close_pool"):
            connection.close_pool()
    with admin_connection(database_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def bench_database(args: argparse.Namespace) -> Iterator[float | None]:
    """Point Django at the benchmark database, set it up, fill it when needed; drop it unless --keep.

    ``args.database``, where a script offers it, names another database than helpdesk_bench (a
    10-million-ticket fill of its own). Yields the seconds the fill took, or None when an earlier
    fill was reused.
    """
    name = getattr(args, "database", BENCH_DATABASE)
    database_url, redis_url = server_urls(name)
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    # The cache in the same database 15, the benchmark's own: its cache.clear() touches nothing else.
    os.environ["REDIS_CACHE_URL"] = redis_url
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

    have = 0
    if not args.fresh:
        create_database(database_url, fresh=False, name=name)
        have = filled_tickets(database_url)
    fill_needed = have < args.tickets
    if fill_needed:
        create_database(database_url, fresh=True, name=name)

    import django

    # whitenoise's notice that collectstatic has not run: the benchmarks serve no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0, interactive=False)
        # Redis database 15 is the benchmarks' own: nothing cached for another fill of the data
        # (users, team ids, counts under the same primary keys) survives into this run.
        cache.clear()
        fill_seconds = None
        if fill_needed:
            from dataset.fill import fill

            log(f"filling {name} with {args.tickets:,} tickets")
            fill_seconds = fill(database_url, args.tickets, seed=SEED, log=log)
            log(f"filled in {fill_seconds:.0f} s")
        else:
            log(f"reusing {name}: {have:,} tickets (--fresh rebuilds)")
        yield fill_seconds
    finally:
        if not args.keep:
            drop_database(database_url, name=name)
            log(f"dropped {name} (--keep keeps it)")
