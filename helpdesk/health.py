"""``/healthz``: is each part the site depends on answering right now?"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from helpdesk.tasks import ping

logger = logging.getLogger(__name__)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not ok"; the reason goes to the log
        logger.warning("healthz: database check failed: %s", exc)
        return "error"
    return "ok"


def _check_redis(url: str, part: str) -> str:
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2) as client:
            client.ping()
    except Exception as exc:
        logger.warning("healthz: %s check failed: %s", part, exc)
        return "error"
    return "ok"


def check_cache() -> str:
    """The cache's Redis: while it is down pages still render, from PostgreSQL alone (slower)."""
    return _check_redis(settings.REDIS_CACHE_URL, "cache")


def check_broker() -> str:
    """The Celery broker's Redis: while it is down e-mails and SLA work wait in the outbox."""
    return _check_redis(settings.CELERY_BROKER_URL, "broker")


def check_worker() -> str:
    try:
        result = ping.apply_async(expires=settings.HEALTHZ_WORKER_TIMEOUT, retry=False)
        answer = result.get(timeout=settings.HEALTHZ_WORKER_TIMEOUT)
        result.forget()
    except Exception as exc:
        logger.warning("healthz: worker check failed: %s", exc)
        return "error"
    return "ok" if answer == "pong" else "error"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    # Without the broker no task can reach a worker; don't wait for a timeout to learn that.
    checks["worker"] = check_worker() if checks["broker"] == "ok" else "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)
