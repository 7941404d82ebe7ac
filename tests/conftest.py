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

from accounts.models import Role
from tests.factories import PASSWORD, OrganisationFactory, TeamFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


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
def celery_worker(transactional_db):
    """A real Celery worker process on the real Redis, reading this test's database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONUNBUFFERED": "1",
    }
    log_path = ROOT / "var" / f"test-worker-{os.environ.get('PYTEST_XDIST_WORKER', 'gw0')}.log"
    log_path.parent.mkdir(exist_ok=True)
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
