"""What the fault tests do to real processes and observe of them: kill a worker, see its database
session in ``pg_stat_activity`` / ``pg_locks``, hand its unacknowledged task back to the queue.

A worker started with ``PGAPPNAME`` in its environment names its database sessions (libpq reads
the variable), so that the test can tell them from its own.
"""

from __future__ import annotations

import json
import os
import signal
import time
from urllib.parse import urlsplit

import psycopg
from django.db import connection
from kombu import Connection

from tests.conftest import _database_url


def queue_url(private_redis) -> str:
    """The URL a worker started with ``REDIS_URL=private_redis.url()`` really uses: the test
    settings move it to this test run's database number (helpdesk/settings_test.py)."""
    from django.conf import settings

    return private_redis.url(int(urlsplit(settings.REDIS_URL).path.strip("/") or 0))


def wait_for(condition, timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    return condition()


def kill_hard(worker) -> None:
    """SIGKILL: no warm shutdown, no message handed back, the database connection just drops."""
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)


def sessions(application_name: str) -> list[dict]:
    """The database sessions of processes started with ``PGAPPNAME=application_name``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, wait_event_type, xact_start IS NOT NULL FROM pg_stat_activity"
            " WHERE application_name = %s AND datname = current_database()",
            [application_name],
        )
        return [
            {"pid": pid, "state": state, "waiting_on": wait, "in_transaction": in_transaction}
            for pid, state, wait, in_transaction in cursor.fetchall()
        ]


def advisory_locks(application_name: str, key: int) -> list[tuple[int, str, bool]]:
    """(pid, mode, granted) of the advisory locks on the bigint ``key`` held or awaited by those sessions."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT lock.pid, lock.mode, lock.granted FROM pg_locks AS lock
            JOIN pg_stat_activity AS activity ON activity.pid = lock.pid
            WHERE lock.locktype = 'advisory' AND lock.classid = %s AND lock.objid = %s AND lock.objsubid = 1
              AND activity.application_name = %s AND lock.database = (
                  SELECT oid FROM pg_database WHERE datname = current_database()
              )
            """,
            [key >> 32, key & 0xFFFFFFFF, application_name],
        )
        return cursor.fetchall()


def blocker() -> psycopg.Connection:
    """A connection of the test's own, outside Django's, to hold a lock across the worker's run."""
    return psycopg.connect(_database_url(), autocommit=False)


def restore_unacknowledged(redis_url: str) -> list[str]:
    """Put the tasks a dead worker had taken but not acknowledged back on their queue, as the
    Redis transport does once their visibility timeout (an hour) has passed.

    Returns the names of the tasks on the queue then."""
    with Connection(redis_url, transport_options={"visibility_timeout": 0}) as broker:
        channel = broker.default_channel
        channel.qos.restore_visible(num=1000, interval=1)
        assert channel.client.hlen(channel.unacked_key) == 0
        return [json.loads(message)["headers"]["task"] for message in channel.client.lrange("celery", 0, -1)]
