"""What does the site sustain with 50 agents and 20 requesters working at once, at 100,000 tickets?

    .venv/bin/python bench/load.py [--tickets 100000] [--minutes 3] [--agents 50] [--requesters 20]
                                   [--web-workers 4] [--logs DIR] [--keep] [--fresh]

Works in a database of its own, ``helpdesk_load``, and Redis database 15 (broker and cache, as
the other bench scripts use it) on the development servers: the development and test data are
never touched. The first run migrates it and fills it with bench/dataset's COPY fill (the
``helpdesk_bench`` data: 20,000 requesters, 60 agents in 10 teams, --tickets tickets over two
years, SLA clocks on the active ones from bench/dataset/clocks.py); a later run reuses it when
its fill had exactly --tickets tickets (with what earlier load runs added), ``--fresh`` rebuilds
it. Without ``--keep`` it is dropped at the end.

The site runs as in production, on 127.0.0.1 only: gunicorn (``--web-workers`` sync workers,
default 2 per core, as tests/live_site.py's ``WebServer`` starts it), a Celery worker (prefork,
2 processes) and beat (its database schedule: the SLA scan every minute, the outbox, KPI
refreshes…), DEBUG off, e-mails sent over SMTP to a local sink (tests/live_site.py's
``MailRelay``, aiosmtpd). Development settings otherwise: production's secure-only cookies and
HTTPS redirect would refuse plain HTTP on 127.0.0.1 (docs/security.md covers those).

The simulated people (bench/load_users.py, run by locust headless): --agents agents, one account
each (accounts reused past the 60 agents), who open their queue, open a ticket, reply and assign
it; --requesters requesters (a seeded sample of those with tickets) who submit a request through
the web form and read their tickets; browsers without JavaScript (cookies, CSRF tokens from the
forms, redirects followed as requests of their own), 1–6 s of thinking between steps. Two phases:
everyone signs in through the sign-in page (started over the first 20 seconds; PBKDF2 as in
production, with a password this script gives the chosen accounts), then, once the last one is
in, everyone works for --minutes and finishes the round they are in. A sign-in costs about a
second of CPU: 70 at once are a storm that would drown the pages' figures, so the phases are
measured apart.

Printed: for each phase p50/p95/p99 per page (locust's percentiles: exact below 100 ms, then in
steps of 10 ms to 1 s, 100 ms to 10 s, 1 s above) and the errors, each with its page and message
(goal: 0); requests/s over the work phase; the CPU the machine, the site's processes, locust and the
database's connections used while locust ran (on a shared machine, how much of it the site had);
what the access log and the worker's log say (5xx answers, task errors, SLA scans run); and
whether every e-mail the run caused reached the sink, once. The exit status is 1 if anything
went wrong. Run it alone: the other bench scripts clear Redis database 15 too.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))

from dataset import filled_tickets  # noqa: E402
from dataset.database import SEED, create_database, drop_database, log, server_urls  # noqa: E402

LOAD_DATABASE = "helpdesk_load"
LOCUSTFILE = Path(__file__).resolve().parent / "load_users.py"
RAMP_UP_SECONDS = 20
WORKER_PROCESSES = 2
MAIL_DRAIN_SECONDS = 120
# At the end each person finishes the round they are in (a form half-sent is no measure).
STOP_SECONDS = 40
# The sign-in phase may take this long at most (bench/load_users.py waits as long).
SIGN_IN_CAP_SECONDS = 900
ACCESS_LINE = re.compile(r'"[A-Z]+ (\S+) HTTP/[\d.]+" (\d{3}) ')


# --- the database ----------------------------------------------------------------------------


@contextmanager
def load_database(args: argparse.Namespace) -> Iterator[float | None]:
    """Point Django at helpdesk_load, migrate it, fill it when needed; drop it unless --keep.

    The same steps as ``bench_database`` (bench/dataset/database.py) for a database of its own:
    a load run writes tickets, replies and e-mails, which the read-only benchmarks must not meet.
    """
    database_url, redis_url = server_urls(LOAD_DATABASE)
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["REDIS_CACHE_URL"] = redis_url
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings"

    have = 0
    if not args.fresh:
        create_database(database_url, fresh=False, name=LOAD_DATABASE)
        have = filled_tickets(database_url)
    fill_needed = have != args.tickets
    if fill_needed:
        create_database(database_url, fresh=True, name=LOAD_DATABASE)

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0, interactive=False)
        cache.clear()  # Redis database 15 is the benchmarks' own: no queued task or cached page survives
        fill_seconds = None
        if fill_needed:
            from dataset.fill import fill

            log(f"filling {LOAD_DATABASE} with {args.tickets:,} tickets")
            fill_seconds = fill(database_url, args.tickets, seed=SEED, log=log)
            log(f"filled in {fill_seconds:.0f} s")
        else:
            log(f"reusing {LOAD_DATABASE}: filled with {have:,} tickets (--fresh rebuilds)")
        yield fill_seconds
    finally:
        if not args.keep:
            drop_database(database_url, name=LOAD_DATABASE)
            log(f"dropped {LOAD_DATABASE} (--keep keeps it)")


def choose_accounts(agents: int, requesters: int, password: str) -> dict[str, list[str]]:
    """The agents and requesters to sign in as, given ``password`` (one hash, PBKDF2 as in production)."""
    import random

    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.db.models import Exists, OuterRef

    from accounts.models import Role, User
    from tickets.models import Ticket

    staff = list(User.objects.filter(role=Role.AGENT, is_active=True).order_by("pk").values_list("pk", "email"))
    asking = list(
        User.objects.filter(role=Role.REQUESTER, is_active=True)
        .filter(Exists(Ticket.objects.filter(requester=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "email")
    )
    if not staff or len(asking) < requesters:
        raise SystemExit(f"bench: {LOAD_DATABASE} has {len(staff)} agents and {len(asking)} requesters with tickets")
    chosen_staff = staff[:agents]
    chosen_asking = random.Random(SEED).sample(asking, requesters)
    User.objects.filter(pk__in=[pk for pk, _email in chosen_staff + chosen_asking]).update(
        password=make_password(password)
    )
    connection.close()
    return {"agents": [email for _pk, email in chosen_staff], "requesters": [email for _pk, email in chosen_asking]}


def describe() -> dict[str, object]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status IN ('new', 'open', 'pending', 'on_hold')) "
            "FROM tickets_ticket"
        )
        total, active = cursor.fetchone()
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return {"total": total, "active": active, "version": version}


def outbox_counts(since) -> dict[str, int]:
    """E-mails written since ``since``: sent, still waiting, given up; and all e-mails sent since."""
    from django.db import connection
    from django.db.models import Count, Q

    from notifications.models import OutboxEmail

    counts = OutboxEmail.objects.filter(created_at__gte=since).aggregate(
        written=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        failed=Count("pk", filter=Q(failed_at__isnull=False)),
    )
    counts["waiting"] = counts["written"] - counts["sent"] - counts["failed"]
    counts["sent_since"] = OutboxEmail.objects.filter(sent_at__gte=since).count()
    connection.close()
    return counts


# --- the site's processes ---------------------------------------------------------------------


class Process:
    """A background process of the site (Celery worker, beat) in a process group of its own."""

    def __init__(self, name: str, arguments: list[str], env: dict, directory: Path, ready: str | None = None):
        self.name = name
        self.log_path = directory / f"{name}.log"
        with open(self.log_path, "w") as output:
            self.process = subprocess.Popen(
                arguments, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.ready = ready

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.ready and self.ready not in self.log:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench: the {self.name} did not start:\n{self.log[-3000:]}")
            time.sleep(0.3)

    def stop(self) -> None:
        import signal

        if self.process.poll() is None:
            self.process.terminate()  # a warm shutdown: the worker finishes its tasks, then stops its pool
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own group: the pool's children too
                self.process.wait()


def start_site(stack: ExitStack, args: argparse.Namespace, directory: Path):
    """Mail sink, gunicorn, Celery worker and beat on 127.0.0.1; stopped when ``stack`` closes."""
    from tests.live_site import MailRelay, WebServer

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per SMTP command
    relay = stack.enter_context(MailRelay())
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(relay.port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_TIMEOUT": "10",
    }
    web = WebServer(env, directory / "gunicorn.log", workers=args.web_workers)
    stack.callback(web.stop)
    celery = [sys.executable, "-m", "celery", "-A", "helpdesk"]
    worker = Process(
        "worker",
        [*celery, "worker", "--concurrency", str(WORKER_PROCESSES), "--without-gossip", "--without-mingle",
         "--loglevel", "INFO"],
        env, directory, ready=" ready.",
    )  # fmt: skip
    stack.callback(worker.stop)
    beat = Process("beat", [*celery, "beat", "--loglevel", "INFO", "--pidfile="], env, directory)
    stack.callback(beat.stop)
    web.wait_until_up()
    worker.wait_until_ready()
    return relay, web, worker, beat


def wait_until_quiet(log_path: Path, quiet: float = 3.0, timeout: float = 120) -> None:
    """Until the server's log has not grown for ``quiet`` seconds: no request is being served."""
    deadline = time.monotonic() + timeout
    size = -1
    while time.monotonic() < deadline:
        if log_path.stat().st_size == size:
            return
        size = log_path.stat().st_size
        time.sleep(quiet)


@dataclass
class CpuUse:
    """CPU seconds: the machine's busy time, each site process with its children, locust (a reaped child)."""

    wall: float
    busy: float
    site: list[float]
    locust: float
    cores: int = os.cpu_count() or 1
    database: float = 0.0

    @classmethod
    def now(cls, pids: list[int]) -> CpuUse:
        import psutil

        machine = psutil.cpu_times()
        site = []
        for pid in pids:
            try:
                process = psutil.Process(pid)
                family = [process, *process.children(recursive=True)]
            except psutil.NoSuchProcess:
                site.append(0.0)
                continue
            seconds = 0.0
            for member in family:
                try:
                    times = member.cpu_times()
                except psutil.NoSuchProcess:
                    continue
                seconds += times.user + times.system
            site.append(seconds)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return cls(
            wall=time.monotonic(),
            busy=sum(machine) - machine.idle - getattr(machine, "iowait", 0.0),
            site=site,
            locust=children.ru_utime + children.ru_stime,
        )

    def __sub__(self, earlier: CpuUse) -> CpuUse:
        return CpuUse(
            self.wall - earlier.wall,
            self.busy - earlier.busy,
            [after - before for after, before in zip(self.site, earlier.site, strict=True)],
            self.locust - earlier.locust,
        )


def database_cpu() -> float:
    """CPU seconds of the PostgreSQL backends now connected to helpdesk_load, over their lives.

    The site's connections are kept (CONN_MAX_AGE): opened as the load started, they carry
    about all of its database work.
    """
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    connection.close()
    seconds = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        seconds += times.user + times.system
    return seconds


# --- locust ----------------------------------------------------------------------------------


def run_locust(args: argparse.Namespace, url: str, accounts_path: Path, password: str, prefix: Path) -> dict:
    """Sign everyone in, then the work phase; the phases' times and the sign-in figures."""
    users = args.agents + args.requesters
    seconds = round(args.minutes * 60)
    phases_path = prefix.with_suffix(".phases.json")
    env = {
        **os.environ,
        "LOAD_ACCOUNTS": str(accounts_path),
        "LOAD_AGENTS": str(args.agents),
        "LOAD_REQUESTERS": str(args.requesters),
        "LOAD_PASSWORD": password,
        "LOAD_WORK_SECONDS": str(seconds),
        "LOAD_PHASES": str(phases_path),
    }
    cap = SIGN_IN_CAP_SECONDS + seconds + STOP_SECONDS  # the work phase stops itself before
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", url,
        "--users", str(users), "--spawn-rate", f"{max(1.0, users / RAMP_UP_SECONDS):.2f}",
        "--run-time", f"{cap}s", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
        "--exit-code-on-error", "0", "--stop-timeout", str(STOP_SECONDS),
    ]  # fmt: skip
    with open(prefix.with_suffix(".log"), "w") as output:
        finished = subprocess.run(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, timeout=cap + 120
        )
    if finished.returncode != 0:
        raise SystemExit(f"bench: locust failed:\n{prefix.with_suffix('.log').read_text()[-3000:]}")
    if not phases_path.exists():
        raise SystemExit(f"bench: not everyone signed in:\n{prefix.with_suffix('.log').read_text()[-3000:]}")
    return json.loads(phases_path.read_text())


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


# --- reporting --------------------------------------------------------------------------------


def server_side(web_log: str, worker_log: str) -> dict[str, object]:
    """What the servers' own logs say: statuses answered, 500s and their paths, task outcomes."""
    statuses = Counter(match.group(2) for match in ACCESS_LINE.finditer(web_log))
    server_errors = [f"{match.group(2)} {match.group(1)}" for match in ACCESS_LINE.finditer(web_log)]
    server_errors = [line for line in server_errors if line.startswith("5")]
    tracebacks = [line for line in web_log.splitlines() if line.startswith(("Internal Server Error", "Traceback"))]
    task_errors = [line for line in worker_log.splitlines() if " ERROR/" in line or "raised unexpected" in line]
    succeeded = Counter(match.group(1) for match in re.finditer(r"Task ([\w.]+)\[[^\]]+\] succeeded", worker_log))
    return {
        "statuses": statuses,
        "server_errors": server_errors,
        "tracebacks": tracebacks,
        "task_errors": task_errors,
        "succeeded": succeeded,
    }


def milliseconds(value) -> str:
    return "—" if value in ("", "N/A", None) else f"{float(value):,.0f}"


TABLE_HEADER = f"{'page':<36} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6}"


def table_row(name, requests, p50, p95, p99, largest, errors) -> str:
    return (
        f"{name:<36} {int(requests):>8,} {milliseconds(p50):>7} {milliseconds(p95):>7} {milliseconds(p99):>7} "
        f"{milliseconds(largest):>7} {int(errors):>6}"
    )


def print_report(args, facts, fill_seconds, phases, stats, failures, exceptions, servers, mail, load, cpu) -> int:
    """The figures; 1 if anything went wrong (an error seen by a person, a server or the e-mails)."""
    rows = [row for row in stats if row["Name"] != "Aggregated"]
    total = next((row for row in stats if row["Name"] == "Aggregated"), None)
    sign_in = phases["sign_in"]
    work_seconds = phases.get("work_stopped", phases["work_started"]) - phases["work_started"]
    print()
    print(
        f"{facts['total']:,} tickets ({facts['active']:,} active), PostgreSQL {facts['version']}, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} → {load[1]:.1f}"
        + (f"; filled in {fill_seconds:.0f} s" if fill_seconds else "")
    )
    print(
        f"{args.agents} agents + {args.requesters} requesters, gunicorn {args.web_workers} sync workers, "
        f"Celery worker ({WORKER_PROCESSES} processes) + beat, on 127.0.0.1; DEBUG off"
    )

    sign_in_requests = sum(row["requests"] for row in sign_in["rows"])
    sign_in_errors = sum(row["failures"] for row in sign_in["rows"])
    print(
        f"\nSign-in phase: everyone signed in, started over {RAMP_UP_SECONDS} s, in {sign_in['seconds']:.0f} s "
        f"({sign_in_requests:,} requests, errors: {sign_in_errors})\n"
    )
    print(TABLE_HEADER)
    print("-" * len(TABLE_HEADER))
    for row in sign_in["rows"]:
        print(table_row(row["name"], row["requests"], row["p50"], row["p95"], row["p99"], row["max"], row["failures"]))
    for error in sign_in["errors"]:
        print(f"ERROR {error['method']} {error['name']} ×{error['count']}: {error['error']}")

    requests = int(total["Request Count"]) if total else 0
    errors = int(total["Failure Count"]) if total else 0
    print(
        f"\nWork phase: {work_seconds:.0f} s ({args.minutes:g} min, then each person finished their round): "
        f"{requests:,} requests, {requests / max(work_seconds, 1):.1f} requests/s"
        + (
            f", p50 {milliseconds(total['50%'])} ms, p95 {milliseconds(total['95%'])} ms, "
            f"p99 {milliseconds(total['99%'])} ms"
            if total
            else ""
        )
        + f"; errors: {errors}\n"
    )
    print(TABLE_HEADER)
    print("-" * len(TABLE_HEADER))
    for row in sorted(rows, key=lambda row: -int(row["Request Count"])):
        print(
            table_row(
                row["Name"], row["Request Count"], row["50%"], row["95%"], row["99%"], row["Max Response Time"],
                row["Failure Count"],
            )
        )  # fmt: skip
    for failure in failures:
        print(f"ERROR {failure['Method']} {failure['Name']} ×{failure['Occurrences']}: {failure['Error']}")
    for exception in exceptions:
        print(f"ERROR in the simulated people ×{exception['Count']}: {exception['Message']}")

    print(
        f"\nCPU while locust ran ({cpu.wall:.0f} s, both phases; {cpu.cores} cores: {cpu.wall * cpu.cores:.0f} CPU-s): "
        f"the machine was busy {cpu.busy:.0f} CPU-s; gunicorn {cpu.site[0]:.0f}, Celery worker {cpu.site[1]:.0f}, "
        f"beat {cpu.site[2]:.0f}, locust {cpu.locust:.0f}, PostgreSQL's connections to {LOAD_DATABASE} "
        f"{cpu.database:.0f} CPU-s; other processes on the machine the rest"
    )
    statuses = ", ".join(f"{status}: {count:,}" for status, count in sorted(servers["statuses"].items()))
    print(f"\ngunicorn's access log, both phases: {statuses}")
    for line in servers["server_errors"][:20]:
        print(f"ERROR server answered {line}")
    for line in servers["tracebacks"][:20]:
        print(f"ERROR in gunicorn's log: {line}")
    succeeded = servers["succeeded"]
    print(
        f"Celery: {sum(succeeded.values()):,} tasks succeeded ({succeeded.get('notifications.deliver_outbox', 0):,} "
        f"outbox sweeps, {succeeded.get('escalation.sla_scan', 0)} SLA scans, "
        f"{succeeded.get('escalation.run_rules', 0)} escalation-rule runs), {len(servers['task_errors'])} task errors"
    )
    for line in servers["task_errors"][:20]:
        print(f"ERROR in the worker's log: {line}")
    print(
        f"e-mails caused by the run: {mail['written']:,} written, {mail['sent']:,} sent, "
        f"{mail['waiting']:,} still waiting, {mail['failed']:,} failed; the SMTP sink received {mail['received']:,} "
        f"(e-mails marked sent meanwhile: {mail['sent_since']:,})"
    )
    if mail["received"] != mail["sent_since"]:
        print("ERROR the sink did not receive each e-mail marked sent exactly once")
    problems = (
        errors
        + sign_in_errors
        + sum(int(exception["Count"]) for exception in exceptions)
        + len(servers["server_errors"])
        + len(servers["tracebacks"])
        + len(servers["task_errors"])
        + mail["failed"]
        + mail["waiting"]
        + (mail["received"] != mail["sent_since"])
    )
    return 1 if problems else 0


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to fill (default 100,000)")
    parser.add_argument("--minutes", type=float, default=3.0, help="how long the load runs (default 3)")
    parser.add_argument("--agents", type=int, default=50, help="simulated agents (default 50)")
    parser.add_argument("--requesters", type=int, default=20, help="simulated requesters (default 20)")
    parser.add_argument(
        "--web-workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn sync workers (default 2 per core)"
    )
    parser.add_argument("--logs", type=Path, help="copy the logs of gunicorn, the worker, beat and locust here")
    parser.add_argument("--keep", action="store_true", help=f"keep the {LOAD_DATABASE} database for the next run")
    parser.add_argument("--fresh", action="store_true", help="rebuild the data even if it is there")
    args = parser.parse_args(argv)
    if args.agents < 1 or args.requesters < 1 or args.minutes <= 0:
        parser.error("--agents and --requesters must be at least 1, --minutes above 0")
    with load_database(args) as fill_seconds:
        return run(args, fill_seconds)


def run(args: argparse.Namespace, fill_seconds: float | None) -> int:
    from dataset.clocks import give_clocks
    from django.utils import timezone

    give_clocks(timezone.now().replace(microsecond=0))
    facts = describe()
    password = secrets.token_urlsafe(16)
    accounts = choose_accounts(args.agents, args.requesters, password)
    with tempfile.TemporaryDirectory(prefix="helpdesk-load-") as temporary, ExitStack() as stack:
        directory = Path(temporary)
        accounts_path = directory / "accounts.json"
        accounts_path.write_text(json.dumps(accounts))
        log(f"starting gunicorn ({args.web_workers} workers), a Celery worker and beat")
        relay, web, worker, beat = start_site(stack, args, directory)
        started = timezone.now()
        load_before = os.getloadavg()[0]
        log(f"{args.agents} agents and {args.requesters} requesters at {web.url} for {args.minutes:g} min")
        prefix = directory / "locust"
        site = [web.process.pid, worker.process.pid, beat.process.pid]
        cpu_before = CpuUse.now(site)
        phases = run_locust(args, web.url, accounts_path, password, prefix)
        cpu = CpuUse.now(site) - cpu_before
        cpu.database = database_cpu()
        load_after = os.getloadavg()[0]
        # Requests still queued in gunicorn's backlog when locust stopped are served all the same.
        wait_until_quiet(web.log_path)
        web.stop()
        log(f"load over; waiting up to {MAIL_DRAIN_SECONDS} s for the e-mails it caused")
        deadline = time.monotonic() + MAIL_DRAIN_SECONDS
        mail = outbox_counts(started)
        while mail["waiting"] and time.monotonic() < deadline:
            time.sleep(2)
            mail = outbox_counts(started)
        mail["received"] = len(relay.received)
        stack.close()  # web, worker and beat stopped: their logs are complete
        servers = server_side(web.log, worker.log)
        if args.logs:
            args.logs.mkdir(parents=True, exist_ok=True)
            for path in directory.glob("*.log"):
                shutil.copy(path, args.logs / path.name)
            log(f"logs copied to {args.logs}")
        return print_report(
            args,
            facts,
            fill_seconds,
            phases,
            read_csv(Path(f"{prefix}_stats.csv")),
            read_csv(Path(f"{prefix}_failures.csv")),
            read_csv(Path(f"{prefix}_exceptions.csv")),
            servers,
            mail,
            (load_before, load_after),
            cpu,
        )


if __name__ == "__main__":
    sys.exit(main())
