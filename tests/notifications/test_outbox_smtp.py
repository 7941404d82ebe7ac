"""The outbox against a real SMTP server (aiosmtpd in a thread) that is slow, or hangs.

The reported double send: a relay took minutes per message and a concurrent sweep sent a row
again. Here two sweeps run at once in threads, each with its own database connection.
"""

import asyncio
import socket
import threading
import time
from collections import Counter
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.mail import get_connection
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from notifications.models import OutboxEmail
from notifications.outbox import deliver_due

pytestmark = pytest.mark.django_db(transaction=True)


class SlowRelay:
    """Takes ``delay`` seconds to accept each message; records what it accepted and from which
    connection (the client's address and port)."""

    def __init__(self, delay: float):
        self.delay = delay
        self.received: list[tuple[str, tuple]] = []
        self.on_data = None  # called with how many were accepted so far, as each message arrives

    async def handle_DATA(self, server, session, envelope):
        if self.on_data is not None:
            self.on_data(len(self.received))
        await asyncio.sleep(self.delay)
        subject = message_from_bytes(envelope.content)["Subject"]
        self.received.append((subject, session.peer))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """``smtp_server(handler)`` starts aiosmtpd and returns the settings override pointing Django at it."""
    controllers = []

    def start(handler):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append(controller)
        return override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
        )

    yield start
    for controller in controllers:
        controller.stop()


def queue(count: int) -> list[str]:
    now = timezone.now()
    subjects = [f"Mail {n}" for n in range(count)]
    OutboxEmail.objects.bulk_create(
        OutboxEmail(kind="test", to=f"person{n}@example.org", language="en", subject=subject, body="Hello",
                    created_at=now, next_attempt_at=now)
        for n, subject in enumerate(subjects)
    )  # fmt: skip
    return subjects


def sweep_in_thread(name: str, results: dict, start: threading.Event | threading.Barrier | None = None):
    """Run ``deliver_due`` in a thread of its own (its own database connection), once ``start`` lets it."""

    def run():
        try:
            if start is not None:
                start.wait(timeout=30)
            results[name] = deliver_due()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_two_sweeps_against_a_slow_relay_deliver_each_message_once_one_connection_per_batch(smtp_server):
    relay = SlowRelay(delay=1.0)
    # Five, not six: two sweeps coming back together to two rows may split them one each (both
    # outcomes are right), while a single fifth row can only go to one of them.
    subjects = queue(5)
    results = {}

    with smtp_server(relay), override_settings(OUTBOX_BATCH_SIZE=2):
        start = threading.Barrier(2)
        threads = [sweep_in_thread(name, results, start) for name in ("one", "two")]
        for thread in threads:
            thread.join(timeout=60)

    assert sorted(subject for subject, _peer in relay.received) == subjects  # each exactly once
    # Each took a batch at once; one of them took the fifth row.
    assert sorted(results.values()) == [2, 3], results
    # Three batches (two, two, one), each sent over a connection of its own.
    assert sorted(Counter(peer for _subject, peer in relay.received).values()) == [1, 2, 2]
    assert OutboxEmail.objects.filter(sent_at__isnull=False, attempts=1, claim_token=None).count() == 5


def test_a_row_whose_lease_ran_out_behind_a_slow_relay_goes_to_another_sweep_and_is_sent_once(smtp_server):
    """The first sweep claims all six with a 3 s lease; at one second a message, the sixth row's
    claim has run out by the time the fifth message is on the wire. A second sweep starting then
    takes the sixth row; the first, whose claim on it is gone, skips it instead of sending it again."""
    relay = SlowRelay(delay=1.0)
    subjects = queue(6)
    results = {}
    fifth_message = threading.Event()
    relay.on_data = lambda accepted_so_far: accepted_so_far == 4 and fifth_message.set()

    with smtp_server(relay), override_settings(OUTBOX_BATCH_SIZE=6, OUTBOX_LEASE_SECONDS=3.0):
        threads = [sweep_in_thread("first", results), sweep_in_thread("second", results, fifth_message)]
        for thread in threads:
            thread.join(timeout=60)

    assert sorted(subject for subject, _peer in relay.received) == subjects  # each exactly once
    assert results == {"first": 5, "second": 1}
    assert OutboxEmail.objects.filter(sent_at__isnull=False, attempts=1, claim_token=None).count() == 6


def test_email_timeout_is_set_on_the_smtp_connection():
    assert settings.EMAIL_TIMEOUT > 0
    connection = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert connection.timeout == settings.EMAIL_TIMEOUT
    # A send through a hung relay cannot outlast its lease.
    assert settings.OUTBOX_LEASE_SECONDS >= 10 * settings.EMAIL_TIMEOUT


def test_a_hung_relay_fails_the_send_and_reschedules_instead_of_blocking(smtp_server):
    relay = SlowRelay(delay=30.0)  # answers the end of DATA never, as far as the client is concerned
    queue(3)

    with smtp_server(relay), override_settings(EMAIL_TIMEOUT=1.0, OUTBOX_BATCH_SIZE=3):
        started = time.monotonic()
        sent = deliver_due()
        took = time.monotonic() - started

    assert sent == 0
    assert took < 10, f"the sweep waited {took:.1f} s on a hung relay"
    tried, *rest = OutboxEmail.objects.order_by("id")
    assert (tried.attempts, tried.sent_at, tried.claim_token) == (1, None, None)
    assert "timed out" in tried.last_error
    assert tried.next_attempt_at > timezone.now()  # retried later, with back-off
    # The rest of the batch was given back untried: due again at once, no attempt counted.
    assert [(e.attempts, e.claim_token, e.next_attempt_at <= timezone.now()) for e in rest] == [(0, None, True)] * 2
