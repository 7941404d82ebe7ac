"""With Redis stopped, submissions still succeed, and every notification goes out once it is back.

The shared embedded Redis serves other test runs, so these tests stop and restart a private
redis-server of their own (``private_redis``), with the in-process Celery app and a real worker
(with an embedded beat running the outbox sweep every 2 s) pointed at it.
"""

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import kombu.pools
import pytest
from django.conf import settings

from helpdesk.celery import app as celery_app
from notifications.models import OutboxEmail
from tickets.services import ticket_create, ticket_reply

pytestmark = pytest.mark.django_db(transaction=True)

SUBMISSION_BUDGET = 5.0  # seconds a submission may take while the broker is down


def forget_connections(app):
    # kombu keeps pools in a process-wide registry keyed by URL: reset it, or a closed pool
    # would be handed to the next test that publishes.
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def broker_url(private_redis):
    """Point this process's Celery app at the private Redis (same db number as the worker's settings pick)."""
    url = f"redis://127.0.0.1:{private_redis.port}{urlsplit(settings.REDIS_URL).path}"
    saved = (celery_app.conf.broker_url, celery_app.conf.result_backend)
    celery_app.conf.broker_url = celery_app.conf.result_backend = url
    forget_connections(celery_app)
    try:
        yield url
    finally:
        celery_app.conf.broker_url, celery_app.conf.result_backend = saved
        forget_connections(celery_app)


@pytest.fixture
def worker_mail_dir(monkeypatch, tmp_path):
    directory = tmp_path / "mail"
    directory.mkdir()
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(directory))
    return directory


def submit(requester, subject):
    started = time.monotonic()
    ticket = ticket_create(requester=requester, subject=subject, description="Urgent.", acting_user=requester)
    return ticket, time.monotonic() - started


def wait_for(condition, timeout, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def subjects_written(directory: Path) -> list[str]:
    text = "\n".join(path.read_text(errors="replace") for path in sorted(directory.iterdir()))
    return re.findall(r"^Subject: (.*)$", text, flags=re.MULTILINE)


def test_notifications_queued_during_a_redis_outage_go_out_once_redis_is_back(
    worker_mail_dir, private_redis, broker_url, start_celery_worker, alice, carol, service_desk
):
    worker = start_celery_worker(redis_url=private_redis.url(), beat_every=2)
    private_redis.stop()
    assert wait_for(lambda: "Connection to broker lost" in worker.log, timeout=10), worker.log[-3000:]

    ticket, _took = submit(alice, "Wi-Fi is down")
    ticket_reply(ticket, "Which building?", acting_user=carol)

    emails = list(OutboxEmail.objects.order_by("id"))
    assert [(e.kind, e.to) for e in emails] == [("ticket_created", alice.email), ("public_reply", alice.email)]
    time.sleep(3)  # sweeps fall due meanwhile, but nothing can reach the worker
    assert OutboxEmail.objects.filter(sent_at__isnull=False).count() == 0

    private_redis.start()

    ids = [e.pk for e in emails]
    sent = wait_for(lambda: not OutboxEmail.objects.filter(pk__in=ids, sent_at__isnull=True).exists(), timeout=40)
    assert sent, f"not delivered 40 s after Redis came back; worker log:\n{worker.log[-4000:]}"
    assert worker.process.poll() is None, "the worker exited instead of reconnecting"
    assert sorted(subjects_written(worker_mail_dir)) == sorted(e.subject for e in emails)  # each exactly once
    assert OutboxEmail.objects.filter(pk__in=ids, attempts=1).count() == 2


def test_submission_during_a_redis_outage_does_not_wait_for_the_broker(private_redis, broker_url, alice, service_desk):
    submit(alice, "Before the outage")  # a web process that has been publishing all along
    private_redis.stop()

    timings = [submit(alice, f"During the outage {n}")[1] for n in range(3)]

    assert OutboxEmail.objects.filter(sent_at__isnull=True).count() == 4
    assert max(timings) < SUBMISSION_BUDGET, f"submissions took {[round(t, 1) for t in timings]} s"


def test_submission_from_a_process_that_starts_during_the_outage_does_not_wait(
    private_redis, broker_url, alice, service_desk
):
    private_redis.stop()

    ticket, took = submit(alice, "During the outage")

    assert OutboxEmail.objects.filter(ticket=ticket, sent_at__isnull=True).count() == 1
    assert took < SUBMISSION_BUDGET, f"the submission took {took:.1f} s"
