"""Test settings: the real PostgreSQL and Redis, each pytest-xdist worker on its own Redis db."""

import os
from urllib.parse import urlsplit, urlunsplit

from helpdesk.settings import *  # noqa: F403
from helpdesk.settings import CACHES, DATABASES, REDIS_URL

# Several test runs may share one machine's servers (HELPDESK_TEST_RUN=0..6 keeps them apart).
TEST_RUN = int(os.environ.get("HELPDESK_TEST_RUN", "0"))
if TEST_RUN:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_run{TEST_RUN}"}


def _redis_db_for_worker(url: str) -> str:
    # gw0 -> db 1, gw1 -> db 2 ...; db 0 stays for `make run`, so tests never touch its queues.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
    parts = urlsplit(url)
    # Redis has 16 databases: 0 is development, 15 the benchmarks; tests wrap around 1..14, so
    # runs 0..6 never share one (two xdist workers each).
    return urlunsplit(parts._replace(path=f"/{1 + (int(worker) + 2 * TEST_RUN) % 14}"))


REDIS_URL = _redis_db_for_worker(REDIS_URL)
# In tests one database per worker holds both: sixteen databases do not go round.
REDIS_CACHE_URL = CACHES["default"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
HEALTHZ_WORKER_TIMEOUT = 2.0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker process started by a test writes files the test can read; in-process, locmem.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
