"""Publishing a task from inside a user's request without waiting on a broker that is down."""

from __future__ import annotations

from celery import Task


def send_now(task: Task, **kwargs) -> None:
    """Queue ``task`` at once, or raise at once: kombu's own retries would hold the request for
    seconds. Callers decide what "later" means (a periodic sweep, or running it in-process)."""
    with task.app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        task.apply_async(kwargs=kwargs or None, connection=connection, retry=False)
