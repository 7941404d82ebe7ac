"""Redis stopped while 200 tickets come in over HTTP; each e-mail goes out once when it is back.

Real processes, as in tests/test_redis_outage.py (whose fixtures this reuses): gunicorn serving
the site, two Celery workers whose embedded beat sweeps the outbox every second, a real SMTP
server, and a private redis-server that is stopped before the first submission and started
again on the same port after the last. Requesters sign in and fill in the web form (120 tickets)
while others create tickets through the API with their tokens (80), a few at a time from a
small thread pool. Every submission must succeed; nothing may be sent while Redis is down; once
it is back, each e-mail the submissions queued reaches the relay exactly once.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from accounts.tokens import token_create
from notifications.models import OutboxEmail
from tests import test_redis_outage as outage
from tests.factories import UserFactory
from tests.live_site import MailRelay, Visitor
from tests.test_redis_outage import _answer_if_ok, _on_time, _signs_in, redis_stopped_until_the_end, wait_for
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

start_web_server = outage.start_web_server  # the fixture: gunicorn on this test's database

FORM_TICKETS = 120
API_TICKETS = 80
REQUESTERS = 8  # each submits FORM_TICKETS / REQUESTERS forms and API_TICKETS / REQUESTERS tickets
THREADS = 4


def _submit_forms(visitor: Visitor, email: str, count: int) -> list[str]:
    subjects = []
    for number in range(count):
        subject = f"Form {email} #{number}"
        form = _on_time(visitor.get(reverse("tickets:submit")), 200)
        answer = visitor.fill_in(form, reverse("tickets:submit"), {"subject": subject, "description": "Down again."})
        _on_time(answer, 302)
        subjects.append(subject)
    return subjects


def _create_over_api(visitor: Visitor, token: str, email: str, count: int) -> list[str]:
    subjects = []
    for number in range(count):
        subject = f"API {email} #{number}"
        created = visitor.post_json(
            reverse("tickets_api:ticket-list"),
            {"subject": subject, "description": "Created by a script."},
            headers={"Authorization": f"Token {token}"},
        )
        assert _on_time(created, 201).json()["subject"] == subject
        subjects.append(subject)
    return subjects


def test_200_tickets_submitted_with_redis_stopped_each_email_goes_out_once_when_it_is_back(
    private_redis, start_web_server, start_celery_worker, carol, password, service_desk, record_property
):
    requesters = [
        UserFactory(email=f"requester{n}@acme.example", full_name=f"Requester {n}") for n in range(REQUESTERS)
    ]
    tokens = {user.email: token_create(user, name="outage")[1] for user in requesters}
    with MailRelay() as relay:
        mail = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(relay.port),
            "EMAIL_USE_TLS": "0",
        }
        site = start_web_server(redis_url=private_redis.url())
        workers = [start_celery_worker(redis_url=private_redis.url(), beat_every=1, env=mail) for _ in range(2)]
        site.wait_until_up()
        health = Visitor(site.url)
        assert wait_for(lambda: health.get("/healthz").status == 200, timeout=30), site.log[-3000:]

        started = time.monotonic()
        with redis_stopped_until_the_end(private_redis):
            assert not private_redis.answers()
            _on_time(health.get("/healthz"), 503)

            def form_requester(user) -> list[str]:
                visitor = Visitor(site.url)
                _signs_in(visitor, user, password)
                return _submit_forms(visitor, user.email, FORM_TICKETS // REQUESTERS)

            def api_client(user) -> list[str]:
                return _create_over_api(Visitor(site.url), tokens[user.email], user.email, API_TICKETS // REQUESTERS)

            with ThreadPoolExecutor(max_workers=THREADS) as pool:
                jobs = [pool.submit(form_requester, user) for user in requesters]
                jobs += [pool.submit(api_client, user) for user in requesters]
                submitted = [subject for job in jobs for subject in job.result()]
            outage = time.monotonic() - started

            assert len(submitted) == FORM_TICKETS + API_TICKETS == 200
            tickets = Ticket.objects.filter(subject__in=submitted)
            assert sorted(tickets.values_list("subject", flat=True)) == sorted(submitted)  # each once
            assert {t.subject: t.requester.email for t in tickets.select_related("requester")} == {
                subject: subject.split()[1] for subject in submitted
            }
            waiting = list(OutboxEmail.objects.filter(ticket__in=tickets).order_by("id"))
            acknowledgements = Counter(e.ticket_id for e in waiting if e.kind == "ticket_created")
            assert acknowledgements == Counter({ticket.pk: 1 for ticket in tickets})
            assert all(e.sent_at is None for e in waiting)
            assert relay.received == []  # the sweeps fell due in both workers, none could be sent

        back = wait_for(lambda: _answer_if_ok(health.get("/healthz")), timeout=40, interval=1)
        assert back, f"{health.get('/healthz').text} 40 s after Redis came back:\n{workers[0].log[-3000:]}"

        ids = [e.pk for e in waiting]
        delivered = wait_for(lambda: not OutboxEmail.objects.filter(pk__in=ids, sent_at=None).exists(), timeout=120)
        logs = "\n".join(worker.log[-2000:] for worker in workers)
        assert delivered, f"{OutboxEmail.objects.filter(pk__in=ids, sent_at=None).count()} not delivered:\n{logs}"
        delivery = time.monotonic() - started - outage
        time.sleep(3)  # a few more sweeps in each worker: nothing may go out again

        by_message = Counter(d.message_id for d in relay.received)
        assert len(by_message) == len(waiting) and set(by_message.values()) == {1}, by_message.most_common(3)
        expected = Counter(((e.to,), e.subject) for e in waiting)
        assert Counter((d.recipients, d.subject) for d in relay.received) == expected
        assert OutboxEmail.objects.filter(pk__in=ids, attempts=1, claim_token=None).count() == len(waiting)
        assert all(worker.process.poll() is None for worker in workers), "a worker exited instead of reconnecting"
        record_property(
            "terminal_summary",
            f"Redis outage: 200 submissions in {outage:.1f} s, {len(waiting)} e-mails delivered {delivery:.1f} s later",
        )
