"""With Redis stopped (the real server), people sign in, work and submit over HTTP; e-mails wait.

The cache and the Celery broker of this process are pointed at a private redis-server
(``private_redis``, databases 1 and 0), which the test stops before the first request.
What must keep working: sign-in, the queue, the ticket page and a reply, the requester's web
form and the API. Pages are slower (every cache read is a miss), never an error page, and the
e-mails the changes cause wait in the outbox (tests/notifications covers their delivery once
Redis is back).
"""

import time

import kombu.pools
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from helpdesk.celery import app as celery_app
from notifications.models import OutboxEmail
from tickets.models import Ticket
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = reverse("accounts:login")
REQUEST_BUDGET = 5.0  # seconds any one request may take with Redis down


def _forget_connections(app):
    # kombu keeps pools in a process-wide registry keyed by URL: reset it, or a pool to the
    # old URL would be handed to the next publisher.
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_stopped(private_redis, settings):
    """This process's cache and broker on the private Redis, which is then stopped."""
    cache_url, broker_url = private_redis.url(1), private_redis.url(0)
    # Read before the settings change: the app may load its configuration from them only now.
    saved = (celery_app.conf.broker_url, celery_app.conf.result_backend)
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": cache_url}}
    settings.REDIS_CACHE_URL = cache_url
    settings.CELERY_BROKER_URL = broker_url
    celery_app.conf.broker_url = celery_app.conf.result_backend = broker_url
    _forget_connections(celery_app)
    private_redis.stop()
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.result_backend = saved
        _forget_connections(celery_app)


def _timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    elapsed = time.monotonic() - started
    assert elapsed < REQUEST_BUDGET, f"{args[0]} took {elapsed:.1f} s"
    return response


def _sign_in(client, user, password):
    response = _timed(client.post, LOGIN, {"username": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]


def test_an_agent_signs_in_loads_the_queue_opens_a_ticket_and_replies(
    redis_stopped, client, carol, alice, password, service_desk
):
    ticket = ticket_create(requester=alice, subject="Printer on fire", description="…", acting_user=alice)
    ticket.refresh_from_db()
    waiting = OutboxEmail.objects.count()

    _sign_in(client, carol, password)
    queue = _timed(client.get, reverse("tickets:agent_queue"), {"view": "teams"})
    assert queue.status_code == 200
    assert "Printer on fire" in queue.content.decode()
    page = _timed(client.get, reverse("tickets:agent_ticket", args=[ticket.reference]))
    assert page.status_code == 200
    reply = _timed(
        client.post, reverse("tickets:agent_reply", args=[ticket.reference]), {"body": "Please step back from it."}
    )

    assert reply.status_code == 302
    assert ticket.messages.filter(body="Please step back from it.").exists()
    assert OutboxEmail.objects.filter(sent_at=None).count() > waiting  # alice's copy of the reply waits


def test_a_requester_signs_in_and_submits_the_web_form(redis_stopped, client, alice, password, service_desk):
    _sign_in(client, alice, password)
    assert _timed(client.get, reverse("tickets:submit")).status_code == 200
    response = _timed(
        client.post,
        reverse("tickets:submit"),
        {"subject": "VPN drops", "description": "Every 10 minutes.", "impact": "3", "urgency": "2"},
    )

    assert response.status_code == 302
    assert Ticket.objects.filter(subject="VPN drops", requester=alice).exists()
    assert _timed(client.get, reverse("tickets:my_tickets")).status_code == 200
    assert OutboxEmail.objects.filter(sent_at=None).exists()


def test_the_api_creates_a_ticket(redis_stopped, alice, service_desk):
    api = APIClient()
    api.force_login(alice)

    response = _timed(
        api.post, reverse("tickets_api:ticket-list"), {"subject": "Hello", "description": "x"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert Ticket.objects.filter(subject="Hello", requester=alice).exists()
    assert _timed(api.get, reverse("tickets_api:ticket-list")).status_code == 200


def test_healthz_says_the_cache_and_the_broker_are_down(redis_stopped, client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "error", "broker": "error", "worker": "error"}
