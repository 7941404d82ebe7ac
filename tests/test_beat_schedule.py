"""Every beat entry names a task the worker knows: a typo would fail silently, once a minute, forever."""

from django.conf import settings

from helpdesk.celery import app


def test_every_beat_task_is_registered():
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py
    registered = set(app.tasks)
    unknown = {
        name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if entry["task"] not in registered
    }
    assert unknown == {}


def test_mail_is_polled_every_minute():
    assert settings.CELERY_BEAT_SCHEDULE["mail-poll-imap"] == {"task": "mail.poll_mailboxes", "schedule": 60.0}
