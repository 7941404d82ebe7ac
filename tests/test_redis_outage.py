"""With Redis stopped (the real server), people sign in, work and submit over HTTP; e-mails wait.

The Redis here is a private redis-server (``private_redis``): the shared embedded one serves
other test runs and is never stopped. What must keep working: sign-in, the queue, the ticket page
and a reply, the requester's web form and the API. Pages are slower (every cache read is a miss),
never an error page, and the e-mails the changes cause wait in the outbox until Redis is back.

The first test is the whole story with real processes: gunicorn serving the site, two Celery
workers with beat sweeping the outbox, a real SMTP server, Redis stopped and started again on the
same port. The tests after it check each part in this process (Django's test client), quickly.
"""

import contextlib
import os
import time
from collections import Counter

import kombu.pools
import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tokens import token_create
from helpdesk.celery import app as celery_app
from notifications.models import OutboxEmail
from notifications.outbox import deliver_due
from tests.conftest import _database_url
from tests.live_site import MailRelay, Response, Visitor, WebServer
from tests.reliability.processes import wait_for
from tickets.models import Ticket
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = reverse("accounts:login")
REQUEST_BUDGET = 5.0  # seconds any one request may take with Redis down


HEALTHY = {"database": "ok", "cache": "ok", "broker": "ok", "worker": "ok"}
REDIS_DOWN = {"database": "ok", "cache": "error", "broker": "error", "worker": "error"}


# --- the whole story, real processes --------------------------------------------------------


@pytest.fixture
def start_web_server(transactional_db, tmp_path):
    """``start_web_server(redis_url=...)``: gunicorn on this test's database, starting (see
    ``WebServer.wait_until_up``); stopped at teardown, before the database is flushed."""
    started: list[WebServer] = []

    def start(*, redis_url: str) -> WebServer:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis_url,
            "PYTHONUNBUFFERED": "1",
        }
        server = WebServer(env, tmp_path / f"gunicorn{len(started)}.log")
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@contextlib.contextmanager
def redis_stopped_until_the_end(server):
    """Stop ``server``; start it again on the same port however the block ends, so that a failed
    assertion never leaves the workers and later tests without their Redis."""
    server.stop()
    try:
        yield
    finally:
        if not server.answers():
            server.start()


def _on_time(response: Response, *statuses: int) -> Response:
    assert response.status in statuses, f"{response.url}: {response.status}\n{response.text[:1000]}"
    assert response.seconds < REQUEST_BUDGET, f"{response.url} took {response.seconds:.1f} s"
    return response


def _answer_if_ok(response: Response) -> Response | None:
    return response if response.status == 200 else None


def _signs_in(visitor: Visitor, user, password) -> None:
    page = _on_time(visitor.get(LOGIN), 200)
    answer = _on_time(visitor.fill_in(page, LOGIN, {"username": user.email, "password": password}), 302)
    assert not answer.location.startswith(LOGIN), answer.location


def test_with_redis_stopped_everyone_works_over_http_and_each_email_goes_out_once_when_it_is_back(
    private_redis, start_web_server, start_celery_worker, alice, bob, carol, password, service_desk
):
    relay = MailRelay(delay=0.5)
    with relay:
        # Production's delivery: workers whose embedded beat runs the outbox sweep, here every
        # second in each of two workers, one e-mail per claim; at half a second a message at the
        # relay, a sweep is still sending when the other worker's starts.
        mail = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(relay.port),
            "EMAIL_USE_TLS": "0",
            "OUTBOX_BATCH_SIZE": "1",
        }
        site = start_web_server(redis_url=private_redis.url())
        workers = [start_celery_worker(redis_url=private_redis.url(), beat_every=1, env=mail) for _ in range(2)]
        site.wait_until_up()
        _, bobs_token = token_create(bob, name="outage")
        health = Visitor(site.url)
        assert wait_for(lambda: health.get("/healthz").status == 200, timeout=30), site.log[-3000:]

        with redis_stopped_until_the_end(private_redis):
            assert not private_redis.answers()
            down = _on_time(health.get("/healthz"), 503)
            assert down.json() == REDIS_DOWN

            requester = Visitor(site.url)
            _signs_in(requester, alice, password)
            form = _on_time(requester.get(reverse("tickets:submit")), 200)
            fields = {"subject": "VPN drops", "description": "Every 10 minutes."}
            _on_time(requester.fill_in(form, reverse("tickets:submit"), fields), 302)
            _on_time(requester.get(reverse("tickets:my_tickets")), 200)
            vpn = Ticket.objects.get(subject="VPN drops", requester=alice)

            api = Visitor(site.url)
            created = _on_time(
                api.post_json(
                    reverse("tickets_api:ticket-list"),
                    {"subject": "Printer on fire", "description": "Smoke."},
                    headers={"Authorization": f"Token {bobs_token}"},
                ),
                201,
            )
            printer = Ticket.objects.get(subject="Printer on fire", requester=bob)
            assert created.json()["reference"] == printer.reference

            agent = Visitor(site.url)
            _signs_in(agent, carol, password)
            queue = _on_time(agent.get(reverse("tickets:agent_queue") + "?view=teams"), 200)
            assert vpn.reference in queue.text
            assert printer.reference in queue.text
            page = _on_time(agent.get(reverse("tickets:agent_ticket", args=[vpn.reference])), 200)
            reply = reverse("tickets:agent_reply", args=[vpn.reference])
            sent = _on_time(agent.fill_in(page, reply, {"body": "Which building are you in?"}), 302)
            assert sent.location.endswith(reverse("tickets:agent_ticket", args=[vpn.reference]))
            assert vpn.messages.filter(body="Which building are you in?", author=carol).exists()

            waiting = list(OutboxEmail.objects.order_by("id"))
            assert [(e.kind, e.to, e.ticket_id) for e in waiting] == [
                ("ticket_created", alice.email, vpn.pk),
                ("ticket_created", bob.email, printer.pk),
                ("public_reply", alice.email, vpn.pk),
            ]
            time.sleep(3)  # sweeps fall due in both workers' beat, but none can reach a worker
            assert not OutboxEmail.objects.filter(sent_at__isnull=False).exists()
            assert relay.received == []

        # Redis is back, on the same port: the workers and the web process reconnect by themselves.
        back = wait_for(lambda: _answer_if_ok(health.get("/healthz")), timeout=40, interval=1)
        assert back, f"{health.get('/healthz').text} 40 s after Redis came back:\n{workers[0].log[-3000:]}"
        assert back.json() == HEALTHY

        ids = [e.pk for e in waiting]
        delivered = wait_for(lambda: not OutboxEmail.objects.filter(pk__in=ids, sent_at=None).exists(), timeout=40)
        logs = "\n".join(worker.log[-2000:] for worker in workers)
        assert delivered, f"not delivered 40 s after Redis came back:\n{logs}"
        time.sleep(3)  # a few more sweeps in each worker: nothing may go out again
        expected = Counter(((e.to,), e.subject) for e in waiting)
        assert Counter((d.recipients, d.subject) for d in relay.received) == expected  # each exactly once
        assert len({d.message_id for d in relay.received}) == len(waiting)
        assert OutboxEmail.objects.filter(pk__in=ids, attempts=1, claim_token=None).count() == len(waiting)

        # One more sweep, the way a late beat tick would run it: nothing is left to send.
        with override_settings(
            EMAIL_BACKEND=mail["EMAIL_BACKEND"], EMAIL_HOST="127.0.0.1", EMAIL_PORT=relay.port, EMAIL_USE_TLS=False
        ):
            assert deliver_due() == 0
        assert len(relay.received) == len(waiting)
        assert all(worker.process.poll() is None for worker in workers), "a worker exited instead of reconnecting"


# --- each part, in this process ---------------------------------------------------------------


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
