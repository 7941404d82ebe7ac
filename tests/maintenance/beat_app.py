"""The project's Celery app with only the maintenance beat entry, every second: for the beat restart
test (``celery -A tests.maintenance.beat_app beat``). Everything else is the real configuration."""

from helpdesk.celery import app

app.conf.beat_schedule = {"maintenance-open-due-runs": {"task": "maintenance.open_due_runs", "schedule": 1.0}}

__all__ = ["app"]
