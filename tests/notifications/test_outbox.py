"""The e-mail outbox: written with the change, in the recipient's language, delivered once."""

import re
import smtplib
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connections
from django.test import override_settings
from django.utils import timezone, translation

from notifications.models import OutboxEmail
from notifications.outbox import MAX_ATTEMPTS, deliver_due, thread_id
from tests.factories import UserFactory
from tickets.models import ResolutionCode
from tickets.services import (
    guest_requester,
    ticket_add_note,
    ticket_assign,
    ticket_change_status,
    ticket_create,
    ticket_reply,
    ticket_resolve,
)

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
CJK = re.compile(r"[\u4e00-\u9fff]")


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("mail server went away")


class RacingBackend(LocmemBackend):
    """While the first e-mail is being sent, a second sweep runs; ``other_sweep`` holds what it sent."""

    other_sweep: list[int] | None = None

    def send_messages(self, messages):
        if RacingBackend.other_sweep is None:
            RacingBackend.other_sweep = []  # set first: the second sweep's own sends start no third
            RacingBackend.other_sweep.append(deliver_due())
        return super().send_messages(messages)


def open_ticket(requester, subject="Printer jams"):
    return ticket_create(requester=requester, subject=subject, description="On every page.", acting_user=requester)


def headers_of(message):
    return message.extra_headers


# --- what is queued ---------------------------------------------------------------------------


def test_creating_a_ticket_queues_an_email_to_the_requester(alice, service_desk):
    ticket = open_ticket(alice)

    email = OutboxEmail.objects.get()
    root = f"<ticket-{ticket.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
    assert (email.kind, email.to, email.language, email.ticket_id) == ("ticket_created", alice.email, "en", ticket.pk)
    assert email.subject == f"[{ticket.reference}] We received your request: Printer jams"
    # The first e-mail starts the thread (its Message-ID is the root), so it answers nothing.
    assert "In-Reply-To" not in email.headers and "References" not in email.headers
    assert root == thread_id(ticket.pk)
    assert ticket.reference in email.body
    assert f"{settings.SITE_URL}/my/tickets/{ticket.reference}/" in email.body
    assert (email.sent_at, email.failed_at, email.attempts) == (None, None, 0)


def test_chinese_speaking_requester_gets_the_email_in_chinese(acme, service_desk):
    mei = UserFactory(email="mei@acme.example", full_name="Li Mei", organisation=acme, language="zh-hans")

    ticket = open_ticket(mei, subject="打印机卡纸")

    email = OutboxEmail.objects.get()
    assert email.language == "zh-hans"
    assert email.subject.startswith(f"[{ticket.reference}] ")
    assert CJK.search(email.subject.replace("打印机卡纸", ""))
    assert "We received" not in email.subject
    assert "Thank you" not in email.body and CJK.search(email.body)
    assert translation.get_language() == "en"  # the request's own language is left alone


def test_guest_gets_a_private_tracking_link(service_desk):
    gina = guest_requester(name="Gina Guest", email="Gina@Example.org", language="en")

    ticket = open_ticket(gina)

    email = OutboxEmail.objects.get()
    assert email.to == "gina@example.org"
    assert f"{settings.SITE_URL}/t/{ticket.access_token}/" in email.body
    assert "/my/tickets/" not in email.body


def test_every_email_about_a_ticket_belongs_to_its_thread(alice, carol, service_desk):
    ticket = open_ticket(alice)
    ticket_reply(ticket, "Which tray?", acting_user=carol)
    ticket_change_status(ticket, "pending", acting_user=carol)
    ticket_reply(ticket, "Tray 2.", acting_user=alice)
    ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Cleaned the rollers.", acting_user=carol)

    emails = list(OutboxEmail.objects.order_by("id"))
    assert [(e.kind, e.to) for e in emails] == [
        ("ticket_created", alice.email),
        ("public_reply", alice.email),
        ("status_changed", alice.email),
        ("requester_reply", carol.email),
        ("resolved", alice.email),
    ]
    root = thread_id(ticket.pk)
    thread_headers = [{k: v for k, v in e.headers.items() if k in ("In-Reply-To", "References")} for e in emails]
    assert thread_headers[0] == {}
    assert all(headers == {"In-Reply-To": root, "References": root} for headers in thread_headers[1:])


def test_internal_notes_never_reach_the_requester(alice, carol, service_desk):
    secret = "the admin password is hunter2"
    ticket = open_ticket(alice)
    ticket_assign(ticket, carol, acting_user=carol)
    before = OutboxEmail.objects.count()

    ticket_add_note(ticket, f"Internal: {secret}", acting_user=carol)

    assert OutboxEmail.objects.count() == before
    ticket_reply(ticket, "We are on it.", acting_user=carol)
    ticket_change_status(ticket, "pending", acting_user=carol)
    ticket_reply(ticket, "Thanks!", acting_user=alice)
    ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Cleaned the rollers.", acting_user=carol)
    to_requester = OutboxEmail.objects.filter(to=alice.email)
    assert set(to_requester.values_list("kind", flat=True)) == {
        "ticket_created",
        "public_reply",
        "status_changed",
        "resolved",
    }
    assert not OutboxEmail.objects.filter(body__contains=secret).exists()
    assert not OutboxEmail.objects.filter(subject__contains=secret).exists()


# --- delivering -------------------------------------------------------------------------------


def test_deliver_due_sends_each_email_once(alice, carol, service_desk):
    ticket = open_ticket(alice)
    ticket_reply(ticket, "Which tray?", acting_user=carol)
    created, reply = OutboxEmail.objects.order_by("id")

    assert deliver_due() == 2

    assert [(m.subject, m.to) for m in mail.outbox] == [
        (created.subject, [alice.email]),
        (reply.subject, [alice.email]),
    ]
    root = thread_id(ticket.pk)
    first, second = (headers_of(m) for m in mail.outbox)
    assert first["Message-ID"] == root
    assert "In-Reply-To" not in first
    assert second["In-Reply-To"] == second["References"] == root
    assert second["Message-ID"] != root
    assert "Which tray?" in mail.outbox[1].body
    for email in OutboxEmail.objects.all():
        assert email.sent_at is not None
        assert email.attempts == 1

    assert deliver_due() == 0
    assert len(mail.outbox) == 2


def test_a_sweep_starting_while_a_batch_is_sent_takes_none_of_its_rows(alice, carol, service_desk, monkeypatch):
    ticket = open_ticket(alice)
    ticket_reply(ticket, "Which tray?", acting_user=carol)
    monkeypatch.setattr(RacingBackend, "other_sweep", None)

    with override_settings(EMAIL_BACKEND="tests.notifications.test_outbox.RacingBackend"):
        outer = deliver_due()

    assert (outer, RacingBackend.other_sweep) == (2, [0])  # both rows were claimed before the first send
    assert sorted(m.subject for m in mail.outbox) == sorted(OutboxEmail.objects.values_list("subject", flat=True))
    assert OutboxEmail.objects.filter(sent_at__isnull=False, attempts=1, claim_token=None).count() == 2


def test_a_row_whose_lease_ran_out_while_its_batch_waited_is_sent_by_one_sweep_only(
    alice, carol, service_desk, monkeypatch, time_machine
):
    """The reported double send: a relay slower than the lease, and a sweep arriving meanwhile."""
    time_machine.move_to(MONDAY, tick=False)
    ticket = open_ticket(alice)
    ticket_reply(ticket, "Which tray?", acting_user=carol)
    ticket_reply(ticket, "And which floor?", acting_user=carol)
    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    real_send = LocmemBackend.send_messages
    sends, other_sweep = [], []

    def slow_relay(self, messages):
        sends.append(messages[0].subject)
        if len(sends) <= 2:  # the first sweep's e-mails take 0.6 of a lease each
            time_machine.shift(lease * 0.6)
        if len(sends) == 2:
            # The third row was claimed with the batch 1.2 leases ago: due again, and taken.
            other_sweep.append(deliver_due())
        return real_send(self, messages)

    monkeypatch.setattr(LocmemBackend, "send_messages", slow_relay)

    outer = deliver_due()

    assert (outer, other_sweep) == (2, [1])
    subjects = list(OutboxEmail.objects.order_by("id").values_list("subject", flat=True))
    assert sorted(m.subject for m in mail.outbox) == sorted(subjects)  # each exactly once
    assert OutboxEmail.objects.filter(sent_at__isnull=False, attempts=1, claim_token=None).count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_email_once():
    now = timezone.now()
    OutboxEmail.objects.bulk_create(
        OutboxEmail(
            kind="test", to=f"person{n}@example.org", language="en", subject=f"Mail {n}", body="Hello",
            created_at=now, next_attempt_at=now,
        )
        for n in range(30)
    )  # fmt: skip
    start = threading.Barrier(4)
    sent = []

    def worker():
        try:
            start.wait()
            sent.append(deliver_due())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(sent) == 30
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Mail {n}" for n in range(30))
    assert OutboxEmail.objects.filter(sent_at__isnull=False, attempts=1).count() == 30


def test_failed_send_is_recorded_and_retried_later(alice, service_desk, time_machine):
    time_machine.move_to(MONDAY, tick=False)
    open_ticket(alice)

    with override_settings(EMAIL_BACKEND="tests.notifications.test_outbox.RefusingBackend"):
        assert deliver_due() == 0

    email = OutboxEmail.objects.get()
    assert (email.attempts, email.last_error, email.sent_at, email.failed_at) == (
        1,
        "mail server went away",
        None,
        None,
    )
    assert email.next_attempt_at == MONDAY + timedelta(minutes=2)
    assert deliver_due() == 0  # not due yet
    assert mail.outbox == []

    time_machine.move_to(MONDAY + timedelta(minutes=2), tick=False)
    assert deliver_due() == 1

    email.refresh_from_db()
    assert (email.attempts, email.sent_at) == (2, MONDAY + timedelta(minutes=2))
    assert len(mail.outbox) == 1


def test_delivery_gives_up_after_the_last_attempt(alice, service_desk, time_machine):
    time_machine.move_to(MONDAY, tick=False)
    open_ticket(alice)
    email = OutboxEmail.objects.get()

    with override_settings(EMAIL_BACKEND="tests.notifications.test_outbox.RefusingBackend"):
        for _ in range(MAX_ATTEMPTS):
            time_machine.move_to(email.next_attempt_at, tick=False)
            deliver_due()
            email.refresh_from_db()

    assert email.attempts == MAX_ATTEMPTS
    assert email.failed_at is not None and email.sent_at is None
    time_machine.move_to(MONDAY + timedelta(days=30), tick=False)
    assert deliver_due() == 0
    assert mail.outbox == []


def test_other_emails_still_go_out_when_one_fails(alice, bob, service_desk, monkeypatch):
    open_ticket(alice)
    open_ticket(bob)
    real_send = LocmemBackend.send_messages

    def refuse_alice(self, messages):
        if messages[0].to == [alice.email]:
            raise smtplib.SMTPRecipientsRefused({alice.email: (550, b"mailbox full")})
        return real_send(self, messages)

    monkeypatch.setattr(LocmemBackend, "send_messages", refuse_alice)

    assert deliver_due() == 1

    assert [m.to for m in mail.outbox] == [[bob.email]]
    assert OutboxEmail.objects.get(to=alice.email).attempts == 1


# --- a real worker ----------------------------------------------------------------------------


@pytest.fixture
def worker_mail_dir(monkeypatch, tmp_path):
    """Where the worker process writes e-mails; set before the worker starts (it reads its environment)."""
    directory = tmp_path / "mail"
    directory.mkdir()
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(directory))
    return directory


def wait_until_sent(email_ids, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not OutboxEmail.objects.filter(pk__in=email_ids, sent_at__isnull=True).exists():
            return True
        time.sleep(0.25)
    return False


def written_mail(directory: Path) -> str:
    return "\n".join(path.read_text(errors="replace") for path in sorted(directory.iterdir()))


@pytest.mark.django_db(transaction=True)
def test_worker_sends_the_email_of_a_new_ticket(worker_mail_dir, celery_worker, alice, service_desk):
    ticket = open_ticket(alice, subject="Monitor is dark")
    email = OutboxEmail.objects.get(ticket=ticket)

    assert wait_until_sent([email.pk], timeout=15), "the worker did not send the e-mail within 15 s"

    written = written_mail(worker_mail_dir)
    assert f"Subject: [{ticket.reference}] We received your request: Monitor is dark" in written
    assert f"To: {alice.email}" in written
    assert written.count("Subject: ") == 1


def test_one_delivery_request_per_transaction(alice, carol, service_desk, django_capture_on_commit_callbacks):
    from django.db import transaction

    from notifications.outbox import request_delivery

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        ticket = open_ticket(alice)
        ticket_reply(ticket, "Which tray?", acting_user=carol)

    assert OutboxEmail.objects.count() == 2
    assert [callback for callback in callbacks if callback is request_delivery] == [request_delivery]
