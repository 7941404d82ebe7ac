"""Password reset: an e-mailed link through the outbox, limited, and silent about who has an account."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.audit import AuditAction, AuditEntry
from accounts.password_reset import PasswordResetRequest, send_pending_resets
from notifications.models import OutboxEmail
from notifications.outbox import deliver_due

LOGIN = reverse("accounts:login")
RESET = reverse("accounts:password_reset")
SENT = reverse("accounts:password_reset_sent")
NEW_PASSWORD = "a brand new passphrase 42"
# A CSRF token differs per visitor: blanked before two pages are compared.
CSRF = re.compile(r"\b[A-Za-z0-9]{64}\b")


def _ask(client, email, ip="10.0.0.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip)


def _link_in(email: OutboxEmail) -> str:
    return re.search(r"http://\S+/accounts/password-reset/\S+/\S+/", email.body).group(0).split("8000", 1)[-1]


def _reset_emails(to=None):
    emails = OutboxEmail.objects.filter(kind="password_reset")
    return list(emails.filter(to=to) if to else emails)


def _set_new_password(client, link, ip="10.0.0.1"):
    form_page = client.get(link, REMOTE_ADDR=ip, follow=True)
    assert form_page.context["validlink"], "the link should still work"
    return client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=ip,
    )


def test_the_sign_in_page_offers_a_reset(client, db):
    page = client.get(LOGIN).content.decode()

    assert f'href="{RESET}"' in page


def test_known_and_unknown_addresses_get_the_same_answer_from_the_same_queries(client, carol):
    answers, queries = [], []
    for number, email in enumerate(["carol@helpdesk.example", "nobody@helpdesk.example"]):
        with CaptureQueriesContext(connection) as captured:
            response = _ask(client, email, ip=f"10.0.1.{number}")
        answers.append((response.status_code, response["Location"]))
        queries.append([query["sql"] for query in captured.captured_queries])

    assert answers[0] == answers[1] == (302, SENT)
    # The request never looks the address up: same statements, so the same time, for both.
    # (The parameters differ: the address itself.)
    normalised = [[re.sub(r"'[^']*'|\"s\d+_x\d+\"|\b\d+\b", "?", sql) for sql in run] for run in queries]
    assert normalised[0] == normalised[1]
    assert not any("accounts_user" in sql for sql in queries[0])
    page = client.get(SENT).content.decode()
    assert "If an account uses that address" in page


def test_the_e_mail_goes_through_the_outbox_and_the_link_sets_a_new_password(client, carol, password):
    _ask(client, "Carol@HelpDesk.example", ip="10.0.2.1")
    _ask(client, "nobody@helpdesk.example", ip="10.0.2.1")
    assert mail.outbox == [] and _reset_emails() == []  # nothing from the request itself

    assert send_pending_resets() == 1
    [email] = _reset_emails()
    assert email.to == "carol@helpdesk.example" and "60 minutes" in email.body
    assert deliver_due() == 1 and mail.outbox[0].to == ["carol@helpdesk.example"]

    response = _set_new_password(client, _link_in(email), ip="10.0.2.1")

    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_complete")
    assert client.post(LOGIN, {"username": carol.email, "password": password}).status_code == 200
    assert client.post(LOGIN, {"username": carol.email, "password": NEW_PASSWORD}).status_code == 302
    entries = AuditEntry.objects.filter(target_user=carol).order_by("id")
    requested, completed = [e for e in entries if e.action.startswith("password_reset")]
    assert (requested.action, requested.actor, requested.ip_address) == (
        AuditAction.PASSWORD_RESET_REQUESTED,
        None,
        "10.0.2.1",
    )
    assert (completed.action, completed.actor) == (AuditAction.PASSWORD_RESET_COMPLETED, carol)


def test_the_link_works_once(client, carol):
    _ask(client, carol.email)
    send_pending_resets()
    link = _link_in(_reset_emails()[0])
    _set_new_password(client, link)

    again = client.get(link, follow=True)

    assert again.status_code == 200 and not again.context["validlink"]
    assert 'data-testid="invalid-reset-link"' in again.content.decode()


def test_the_link_expires_after_an_hour(client, carol):
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        _ask(client, carol.email)
        send_pending_resets()
    link = _link_in(_reset_emails()[0])

    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        late = client.get(link, follow=True)

    assert not late.context["validlink"]


def test_inactive_people_and_people_without_a_password_get_no_e_mail(client, carol, dave):
    carol.is_active = False
    carol.save()
    dave.set_unusable_password()
    dave.save()

    for email in (carol.email, dave.email):
        assert _ask(client, email)["Location"] == SENT
    send_pending_resets()

    assert _reset_emails() == []


@pytest.mark.parametrize("email", ["carol@helpdesk.example", "nobody@helpdesk.example"])
def test_three_requests_an_hour_per_e_mail_known_or_not(client, carol, email):
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    answers = []
    with time_machine.travel(start, tick=False):
        for number in range(5):
            response = _ask(client, email.upper() if number % 2 else email, ip=f"10.0.3.{number}")
            answers.append((response.status_code, response["Location"]))
    assert set(answers) == {(302, SENT)}  # over the limit looks the same
    assert PasswordResetRequest.objects.filter(email=email).count() == 3

    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        _ask(client, email, ip="10.0.3.9")
    assert PasswordResetRequest.objects.filter(email=email).count() == 4
    send_pending_resets()
    assert len(_reset_emails()) == (4 if email.startswith("carol") else 0)


def test_five_requests_an_hour_per_client_address(client, carol):
    for number in range(7):
        assert _ask(client, f"someone{number}@example.com", ip="10.0.4.1")["Location"] == SENT

    assert PasswordResetRequest.objects.filter(ip_address="10.0.4.1").count() == 5
    _ask(client, "someone@example.com", ip="10.0.4.2")
    assert PasswordResetRequest.objects.filter(ip_address="10.0.4.2").count() == 1


def test_a_new_password_signs_out_every_other_session(client, carol, password):
    elsewhere = type(client)()
    assert elsewhere.post(LOGIN, {"username": carol.email, "password": password}).status_code == 302
    queue = reverse("tickets:agent_queue")
    assert elsewhere.get(queue).status_code == 200

    _ask(client, carol.email)
    send_pending_resets()
    _set_new_password(client, _link_in(_reset_emails()[0]))

    response = elsewhere.get(queue)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_completing_a_reset_lifts_the_lockout_of_that_address(client, carol, password):
    for _ in range(6):
        client.post(LOGIN, {"username": carol.email, "password": "wrong"}, REMOTE_ADDR="10.0.5.1")
    locked = client.post(LOGIN, {"username": carol.email, "password": password}, REMOTE_ADDR="10.0.5.1")
    assert locked.status_code == 429

    assert _ask(client, carol.email, ip="10.0.5.1")["Location"] == SENT  # the reset page stays open
    send_pending_resets()
    _set_new_password(client, _link_in(_reset_emails()[0]), ip="10.0.5.1")

    signed_in = client.post(LOGIN, {"username": carol.email, "password": NEW_PASSWORD}, REMOTE_ADDR="10.0.5.1")
    assert signed_in.status_code == 302
    completed = AuditEntry.objects.get(action=AuditAction.PASSWORD_RESET_COMPLETED)
    assert completed.after["login_failures_cleared"] >= 1


def test_a_lockout_looks_the_same_for_a_known_and_an_unknown_e_mail(client, carol):
    pages = []
    for email, ip in (("carol@helpdesk.example", "10.0.6.1"), ("nobody@helpdesk.example", "10.0.6.2")):
        visitor = type(client)()
        for _ in range(6):
            visitor.post(LOGIN, {"username": email, "password": "wrong"}, REMOTE_ADDR=ip)
        response = visitor.post(LOGIN, {"username": email, "password": "wrong"}, REMOTE_ADDR=ip)
        pages.append((response.status_code, CSRF.sub("", response.content.decode())))

    assert pages[0][0] == pages[1][0] == 429
    assert pages[0][1] == pages[1][1]


def test_a_real_worker_sends_the_e_mail_without_the_request_waiting(client, carol, celery_worker):
    response = _ask(client, carol.email, ip="10.0.7.1")
    assert response.status_code == 302

    deadline = time.monotonic() + 60
    while not OutboxEmail.objects.filter(kind="password_reset", sent_at__isnull=False).exists():
        assert time.monotonic() < deadline, "the worker did not send the reset e-mail"
        time.sleep(0.2)
    assert OutboxEmail.objects.get(kind="password_reset").to == carol.email
