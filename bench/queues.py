"""How fast are the agent's queue pages and search at a million tickets?

    .venv/bin/python bench/queues.py [--tickets 1000000] [--keep] [--fresh] [--repeat 100]

Works in the benchmark database, ``helpdesk_bench``, and Redis database 15 on the development
servers (bench/dataset/database.py, shared with the other bench scripts): the development data
is never touched. The first run migrates it and fills it with COPY (bench/dataset/); a later run
reuses it when it already holds at least --tickets tickets, ``--fresh`` rebuilds it. Without
``--keep`` the database is dropped at the end (1.4 GB at a million tickets).

Before measuring, the active tickets get SLA clocks (bench/dataset/clocks.py, as for
bench/sla_scan.py): the rows' SLA badges then compute business time left or overdue, and
"breaching soon" holds tickets.

Each page is requested from Django's WSGI application as a WSGI server calls it (``Server``:
the whole stack, signals, middleware, session, auth, view, template, the database connection
as the settings keep it between requests; no HTTP parsing), signed in through ``force_login``,
with DEBUG off. For each page: warm-up, one request whose statements are recorded (query count,
and the SELECT that fetches the page's tickets, with its parameters and the kind of cursor it
ran on). Then --repeat rounds of one timed request of every page in turn (``measure_pages``),
each next to a run of the same SELECT on a raw psycopg connection of its own, rows fetched
("bare", on the same kind of cursor: prepared after five runs when the application's is), and
to a signed-in request of a page that does not exist (``FLOOR_PATH``): Django's 404 page goes
through the same middleware, session and user and renders the site's chrome, and does nothing
else, the floor of every page in that moment. Then the selector alone (``queues.page`` over the
view's ``view_condition`` as the view does, or ``run_search``; no request, no template). The
ratio is server time ÷ bare SQL time.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))

from dataset.database import (  # noqa: E402
    BENCH_DATABASE,
    add_arguments,
    bench_database,
    log,
    p50,
    p95,
    reference_loop_ms,
)

WARM_UP = 5
DEEP_PAGE = 21  # the page reached by following "Next page" 20 times
FLOOR_PATH = "/no-such-page/"
SEARCH_WORDS = ("printer", "打印机")


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    rows: int
    queries: int
    server: list[float]
    cpu: list[float]
    sql_in_view: list[float]
    selector: list[float]
    bare: list[float]
    statements: list[Statement]
    # A signed-in "page not found", requested next to each page: the floor of any page
    # (middleware, session, user, the site's chrome) on the machine at that moment.
    floor: list[float] | None = None


@dataclass(frozen=True)
class Statement:
    """One statement as the application sent it: its SQL, its parameters, and which cursor ran it.

    ``server_binding``: it ran on a cursor that binds on the server (``helpdesk.db.prepared_cursor``,
    prepared after a few runs); else on Django's usual cursor, which writes the parameters into the
    SQL. Bare runs each on the same kind of cursor, so both sides plan (or skip planning) alike.
    """

    sql: str
    params: tuple | None
    server_binding: bool


def capture(run: Callable[[], object]) -> list[Statement]:
    """The statements ``run()`` sends through Django's connection, in order."""
    import psycopg
    from django.db import connection

    statements = []

    def record(execute, sql, params, many, context):
        raw = context["cursor"].cursor
        statements.append(
            Statement(sql, None if params is None else tuple(params), not isinstance(raw, psycopg.ClientCursor))
        )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run()
    return statements


def _page_selects(statements: list[Statement]) -> list[Statement]:
    """The SELECTs that fetch the page's tickets (a search may run a second, relaxed one)."""
    return [
        statement
        for statement in statements
        if statement.sql.startswith("SELECT")
        and 'FROM "tickets_ticket"' in statement.sql
        and " LIMIT " in statement.sql
    ]


class Bare:
    """The page's statements on a raw psycopg connection of their own, rows fetched.

    Its own connection, so that it can run between two requests (Django closes its connection
    at the end of each) and each bare run sits right next to the request it is compared with:
    on a shared 2-core machine the speed drifts within seconds, and timing the two apart made
    the ratio swing between 2.3× and 4× from run to run. psycopg's defaults: a statement bound
    on the server is prepared after five runs, as the application's are.
    """

    def __init__(self, statements: list[Statement]):
        import psycopg
        from django.db import connection

        self.statements = statements
        # Not Django's: a connection of its own, closed at the end.
        database = connection.settings_dict
        self.raw = psycopg.connect(
            dbname=database["NAME"],
            user=database["USER"],
            password=database["PASSWORD"] or None,
            host=database["HOST"],
            port=database["PORT"],
            autocommit=True,
        )
        self.server_cursor = psycopg.Cursor(self.raw)
        self.client_cursor = psycopg.ClientCursor(self.raw)
        self.rows = 0

    def once(self) -> float:
        started = time.perf_counter()
        rows = 0
        for statement in self.statements:
            cursor = self.server_cursor if statement.server_binding else self.client_cursor
            if statement.params is None:
                cursor.execute(statement.sql)
            else:
                cursor.execute(statement.sql, statement.params)
            rows += len(cursor.fetchall())
        self.rows = rows
        return time.perf_counter() - started

    def close(self) -> None:
        self.server_cursor.close()
        self.client_cursor.close()
        self.raw.close()


def bare(statements: list[Statement], repeat: int) -> tuple[list[float], int]:
    """``repeat`` runs of the statements after the warm-up; (seconds per run, rows)."""
    runner = Bare(statements)
    try:
        timings = [runner.once() for _ in range(WARM_UP + repeat)][WARM_UP:]
        return timings, runner.rows
    finally:
        runner.close()


class Server:
    """Django's WSGI application, called the way a WSGI server (gunicorn) calls it, as ``user``.

    Signed in through a session made by the test client's ``force_login``, keeping the cookies
    it is given as a browser does; each request goes
    through the whole stack (request and response signals, middleware, session, auth, view,
    template; the database connection as the settings keep it between requests), and the time
    stops when the body has been read and closed, as a server would send it. Not the test
    client itself: its bookkeeping (signal receivers, cookie jar, response decorations) is
    no part of serving a page.
    """

    def __init__(self, user):
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import Client

        client = Client()
        client.force_login(user)
        self.cookies = {name: morsel.value for name, morsel in client.cookies.items()}
        self.application = WSGIHandler()

    def get(self, url: str) -> tuple[int, bytes]:
        path, _, query = url.partition("?")
        query = quote(query, safe="=&")  # as a browser sends it: WSGI strings are Latin-1
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "localhost",
            "HTTP_COOKIE": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
        }
        status, headers = [], []

        def start_response(line, response_headers, exc_info=None):
            status.append(line)
            headers.extend(response_headers)

        started = time.perf_counter()
        body = self.application(environ, start_response)
        try:
            content = b"".join(body)
        finally:
            body.close()
        self.seconds = time.perf_counter() - started  # the server's part: no URL or cookie work
        # Like a browser: the cookies set (the CSRF cookie on the first page) go with the next.
        for name, value in headers:
            if name.lower() == "set-cookie":
                self.cookies.update({key: morsel.value for key, morsel in SimpleCookie(value).items()})
        return int(status[0].split()[0]), content


class Page:
    """One page of the run: its client, its statements, its bare runner and its timings."""

    def __init__(self, label: str, user, path: str, selector: Callable):
        self.label, self.user, self.path, self.selector = label, user, path, selector
        self.server_app = Server(user)
        for _ in range(WARM_UP):
            status, _content = self.server_app.get(path)
            if status != 200:
                raise SystemExit(f"bench: {path} answered {status}")
        for _ in range(WARM_UP):
            if self.server_app.get(FLOOR_PATH)[0] != 404:
                raise SystemExit(f"bench: {FLOOR_PATH} did not answer 404")
        self.statements = capture(lambda: self.server_app.get(path))
        self.selects = _page_selects(self.statements)
        if not self.selects:
            raise SystemExit(f"bench: no SELECT ... FROM tickets_ticket ... LIMIT among the queries of {path}")
        self.runner = Bare(self.selects)
        for _ in range(WARM_UP):
            self.runner.once()
        self.server, self.cpu, self.sql_in_view, self.bare, self.floor = [], [], [], [], []

    def once(self, sql_clock: list[float], bare_first: bool) -> None:
        """One timed request, the signed-in 404 after it, and the bare SELECT before or after."""
        if bare_first:
            self.bare.append(self.runner.once())
        sql_clock[0] = 0.0
        cpu_started = time.process_time()
        self.server_app.get(self.path)
        self.server.append(self.server_app.seconds)
        self.cpu.append(time.process_time() - cpu_started)
        self.sql_in_view.append(sql_clock[0])
        self.server_app.get(FLOOR_PATH)
        self.floor.append(self.server_app.seconds)
        if not bare_first:
            self.bare.append(self.runner.once())

    def result(self, repeat: int) -> Result:
        """Closes the bare runner, times the selector alone, and gives the page's figures."""
        from django.db import connection

        rows = self.runner.rows
        self.runner.close()
        selector_times = []
        for attempt in range(WARM_UP + repeat):
            fresh = type(self.user).objects.get(pk=self.user.pk)  # as a request loads it: nothing cached on it
            started = time.perf_counter()
            self.selector(fresh)
            if attempt >= WARM_UP:
                selector_times.append(time.perf_counter() - started)
        connection.close()
        return Result(
            self.label,
            rows,
            len(self.statements),
            self.server,
            self.cpu,
            self.sql_in_view,
            selector_times,
            self.bare,
            self.selects,
            self.floor,
        )


def measure_pages(cases: list[tuple[str, object, str, Callable]], repeat: int) -> list[Result]:
    """Each ``(label, user, path, selector)``: the page through the WSGI application, its SELECT
    bare, the signed-in 404, and ``selector(user)`` (the page's rows alone).

    In rounds: one request of every page per round, ``repeat`` rounds. This VM slows down for
    seconds at a time; timed one page after another, a slow spell fell on whichever page was
    being timed (the same page took 8 ms and 12 ms a minute apart). Spread over the whole run
    and taken in turn, every page meets the same spells, and the p50 is the typical request.
    """
    from django.db import connection

    # "Not Found: /no-such-page/" on every floor request: noise in the output and in the timing.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    pages = []
    for label, user, path, selector in cases:
        log(f"preparing {label}")
        pages.append(Page(label, user, path, selector))
    sql_clock = [0.0]

    def timed_execute(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_clock[0] += time.perf_counter() - started

    log(f"measuring {len(pages)} pages, {repeat} rounds")
    with connection.execute_wrapper(timed_execute):
        for attempt in range(repeat):
            for page in pages:
                # Bare right next to its request, on the same machine state (see Bare); in turn
                # first and second, so that neither always runs on what the other has just warmed.
                page.once(sql_clock, bare_first=bool(attempt % 2))
    return [page.result(repeat) for page in pages]


def measure_counts(user, repeat: int) -> Result:
    """The sidebar counts the queue page recomputes when its 30-second cache entry has expired."""
    from django.core.cache import cache
    from django.db import connection

    from tickets import queues

    cache.clear()  # Redis db 15 is the benchmark's own
    statements = capture(lambda: queues.view_counts(user))
    counts = [statement for statement in statements if "COUNT(" in statement.sql]
    server, cpu = [], []
    for _ in range(repeat):
        cache.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        queues.view_counts(user)
        server.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    connection.close()
    bare_times, _rows = bare(counts, repeat)
    label = "sidebar counts (cache miss)"
    return Result(label, len(counts), len(statements), server, cpu, server, server, bare_times, counts)


def explain(statement: Statement) -> list[str]:
    """The plan lines that say how the tickets are found: their scan (which index), sorts, time.

    The plan for these parameters (Django's cursor writes them into the SQL); a prepared
    statement may run a generic plan, which takes the same indexes here.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", statement.params)
        plan = [row[0] for row in cursor.fetchall()]
    connection.close()
    kept, keeping = [], False
    for number, line in enumerate(plan):
        detail = not line.lstrip().startswith("->") and number > 0
        if not detail:
            # Join nodes and the small tables' lookups say nothing about the queue.
            keeping = number == 0 or any(word in line for word in ("tickets_ticket", "Sort", "Limit", "Bitmap"))
        if line.startswith(("Planning", "Execution")):
            keeping = line.startswith("Execution")
        if keeping and (not detail or "Buffers" not in line or number < 3):
            kept.append(line.rstrip()[:160])
    return kept


# --- reporting --------------------------------------------------------------------------------


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - columns)


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def print_table(results: list[Result]) -> None:
    header = (
        f"{'page':<30} {'rows':>4} {'qrys':>4} {'server p50':>10} {'p95':>7} {'CPU':>6} {'SQL in view':>11} "
        f"{'selector':>8} {'bare p50':>8} {'p95':>7} {'server/bare':>11} {'p95':>6} {'selector/bare':>13} "
        f"{'404 p50':>7}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        print(
            f"{pad(result.label, 30)} {result.rows:>4} {result.queries:>4} {milliseconds(p50(result.server)):>10} "
            f"{milliseconds(p95(result.server)):>7} {milliseconds(p50(result.cpu)):>6} "
            f"{milliseconds(p50(result.sql_in_view)):>11} "
            f"{milliseconds(p50(result.selector)):>8} {milliseconds(p50(result.bare)):>8} "
            f"{milliseconds(p95(result.bare)):>7} {p50(result.server) / p50(result.bare):>10.1f}× "
            f"{p95(result.server) / p95(result.bare):>5.1f}× {p50(result.selector) / p50(result.bare):>12.1f}× "
            f"{milliseconds(p50(result.floor)) if result.floor else '':>7}"
        )


def describe(persona) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE status IN ('new', 'open', 'pending', 'on_hold')),
                   count(*) FILTER (WHERE status IN ('new', 'open', 'pending', 'on_hold') AND team_id = 1),
                   count(*) FILTER (WHERE status IN ('new', 'open', 'pending', 'on_hold') AND assignee_id = %s)
            FROM tickets_ticket
            """,
            [persona.pk],
        )
        total, active, team, mine = cursor.fetchone()
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return {"total": total, "active": active, "team": team, "mine": mine, "version": version}


def check_search_vectors() -> str:
    """Whether the loaded vectors equal what tickets.search computes for the same tickets.

    Tickets without messages: the KPI benchmark's event log (dataset/events.py) adds a reply of
    one fixed sentence to most tickets without rewriting their vectors, so those lack its few
    words, none of them searched for here.
    """
    from django.db import connection, transaction
    from django.db.models import Exists, OuterRef

    from tickets.models import Message, Ticket
    from tickets.search import refresh_search_vectors

    replied = Message.objects.filter(ticket_id=OuterRef("pk"))
    ids = list(Ticket.objects.filter(~Exists(replied)).order_by("?").values_list("pk", flat=True)[:5])
    loaded = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "search_vector"))
    with transaction.atomic():
        refresh_search_vectors(ids)
        computed = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "search_vector"))
        transaction.set_rollback(True)
    connection.close()
    if loaded == computed:
        return "search vectors: identical to tickets.search.refresh_search_vectors (5 random tickets without replies)"
    return "search vectors: WARNING, they differ from tickets.search.refresh_search_vectors; update the fill"


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser, repeat=100)
    parser.add_argument(
        "--database", default=BENCH_DATABASE, help=f"the database to fill or reuse (default {BENCH_DATABASE})"
    )
    args = parser.parse_args(argv)
    with bench_database(args) as fill_seconds:
        run(args, fill_seconds)
    return 0


def source(user, view):
    """What the queue view pages over without filters: the view's written-out WHERE, else its queryset."""
    from tickets import queues

    return queues.view_condition(user, view) or queues.view_queryset(user, view)


def deep_cursor(user, view) -> str | None:
    """The cursor of page DEEP_PAGE, as an agent reaches it by following "Next page"."""
    from tickets import queues

    cursor = None
    for _ in range(DEEP_PAGE - 1):
        cursor = queues.page(source(user, view), sort_key=queues.DEFAULT_SORT, cursor=cursor).next_cursor
    return cursor


def run(args, fill_seconds: float | None) -> None:
    from dataset.clocks import give_clocks
    from dataset.people import PERSONA_ONE_TEAM, PERSONA_TWO_TEAMS
    from django.utils import timezone

    from accounts.models import User
    from tickets import queues
    from tickets.search import run_search

    one_team = User.objects.get(email=PERSONA_ONE_TEAM)
    two_teams = User.objects.get(email=PERSONA_TWO_TEAMS)
    log(check_search_vectors())
    # The rows' SLA badges then say what they say on a real desk ("overdue by 3 d 4 h"), and
    # "breaching soon" holds tickets.
    give_clocks(timezone.now().replace(microsecond=0))
    facts = describe(one_team)

    def queue(view, cursor=None, sort_key=queues.DEFAULT_SORT):
        return lambda user: queues.page(source(user, view), sort_key=sort_key, cursor=cursor)

    teams, mine, breaching = queues.View.TEAMS, queues.View.MINE, queues.View.BREACHING
    deep_one, deep_two = deep_cursor(one_team, teams), deep_cursor(two_teams, teams)
    cases = [
        ("team queue, first page", one_team, "/agent/?view=teams", queue(teams)),
        (f"team queue, page {DEEP_PAGE}", one_team, f"/agent/?view=teams&after={deep_one}", queue(teams, deep_one)),
        ("mine", one_team, "/agent/?view=mine", queue(mine)),
        ("breaching, SLA due first", one_team, "/agent/?view=breaching&sort=due", queue(breaching, sort_key="due")),
        ("2 teams, first page", two_teams, "/agent/?view=teams", queue(teams)),
        (f"2 teams, page {DEEP_PAGE}", two_teams, f"/agent/?view=teams&after={deep_two}", queue(teams, deep_two)),
        *(
            (f"search '{word}'", one_team, f"/agent/search/?q={word}", lambda user, w=word: run_search(user, w))
            for word in SEARCH_WORDS
        ),
    ]
    load_before, reference_before = os.getloadavg(), reference_loop_ms()
    results = measure_pages(cases, args.repeat)
    results.append(measure_counts(one_team, args.repeat))
    load_after, reference_after = os.getloadavg(), reference_loop_ms()

    print()
    print(
        f"{facts['total']:,} tickets, {facts['active']:,} active ({facts['active'] / facts['total']:.1%}); "
        f"{one_team.email}: {facts['team']:,} active tickets in her one team, {facts['mine']:,} assigned to her; "
        f"{PERSONA_TWO_TEAMS}: 2 teams"
    )
    print(
        f"PostgreSQL {facts['version']}, {os.cpu_count()} cores, load average {load_before[0]:.1f} → "
        f"{load_after[0]:.1f}; reference loop {reference_before:.0f} → {reference_after:.0f} ms"
        + (f"; filled in {fill_seconds:.0f} s" if fill_seconds else "")
    )
    print(
        f"ms, {args.repeat} rounds of every page in turn, after {WARM_UP} warm-up. "
        "server: the request through the WSGI application "
        "(CPU: this process's CPU time in it, p50;\nSQL in view: time in cursor.execute during it, p50); selector: "
        "the page's rows alone (queues.page / run_search), p50;\nbare: the page's ticket SELECT re-run on a raw "
        "psycopg cursor, rows fetched;\n404: a signed-in request of a page that does not exist, next to each "
        "page's (the floor of any page then: middleware, session, user, the site's chrome), p50.\n"
    )
    print_table(results)
    for result in results[:-1]:
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) — {result.label}:")
        for line in explain(result.statements[0]):
            print(f"  {line}")


if __name__ == "__main__":
    sys.exit(main())
