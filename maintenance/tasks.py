"""Background work of the maintenance app; the task only calls the service."""

from celery import shared_task

from maintenance.services import open_due_runs as open_due_runs_service


@shared_task(name="maintenance.open_due_runs", acks_late=True, ignore_result=True)
def open_due_runs() -> int:
    """Beat sends this every minute. Idempotent: a run that exists already is never opened again
    (the unique plan + time key), so a duplicate delivery or a restarted beat opens nothing new."""
    return len(open_due_runs_service())
