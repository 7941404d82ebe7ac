"""Write e-mails to the outbox (inside the caller's transaction) and deliver them later."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from helpdesk.broker import send_now
from notifications.models import OutboxEmail

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8


def thread_id(ticket_id: int) -> str:
    """The Message-ID every e-mail about one ticket answers, so mail clients thread them."""
    return f"<ticket-{ticket_id}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def queue_email(
    *,
    kind: str,
    to: str,
    language: str,
    template: str,
    context: dict,
    ticket_id: int | None = None,
    starts_thread: bool = False,
) -> OutboxEmail:
    """Render ``emails/<template>_subject.txt`` and ``emails/<template>.txt`` and store them.

    Call inside the transaction of the change: the e-mail exists exactly when the change does.
    """
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        body = render_to_string(f"emails/{template}.txt", context)
    headers = {}
    if ticket_id is not None and not starts_thread:
        root = thread_id(ticket_id)
        headers = {"In-Reply-To": root, "References": root}
    now = timezone.now()
    email = OutboxEmail.objects.create(
        kind=kind,
        to=to,
        language=language,
        subject=subject[:300],
        body=body,
        headers=headers,
        ticket_id=ticket_id,
        created_at=now,
        next_attempt_at=now,
    )
    _request_delivery_on_commit()
    return email


def _request_delivery_on_commit() -> None:
    """One delivery request per transaction, however many e-mails it queues."""
    pending = transaction.get_connection().run_on_commit
    if not any(callback is request_delivery for _savepoints, callback, _robust in pending):
        transaction.on_commit(request_delivery)


def request_delivery() -> None:
    """Ask a worker to deliver now; if the broker is down, the periodic sweep does it later.

    Runs after the commit, inside the user's request: with Redis down it must give up at once
    rather than wait through kombu's connection retries.
    """
    from notifications.tasks import deliver_outbox

    try:
        send_now(deliver_outbox)
    except Exception as exc:  # broker unreachable: nothing is lost, the rows wait in the outbox
        logger.warning("outbox: could not reach the broker, delivery deferred to the sweep: %s", exc)


def _claim(email_id: int, now) -> bool:
    claimed = OutboxEmail.objects.filter(
        id=email_id, sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    return claimed == 1


def _send(email: OutboxEmail) -> None:
    message_id = f"<outbox-{email.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
    if email.ticket_id is not None and not email.headers.get("In-Reply-To"):
        # The first e-mail about a ticket is the thread's root; the others answer it.
        message_id = thread_id(email.ticket_id)
    EmailMessage(
        subject=email.subject,
        body=email.body,
        to=[email.to],
        headers={"Message-ID": message_id, **email.headers},
    ).send()


def deliver_due(limit: int = 200) -> int:
    """Send what is due; return how many were sent. Safe to run concurrently and repeatedly."""
    now = timezone.now()
    due = list(
        OutboxEmail.objects.filter(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    sent = 0
    for email_id in due:
        if not _claim(email_id, now):
            continue  # another worker has it
        email = OutboxEmail.objects.get(pk=email_id)
        try:
            _send(email)
        except Exception as exc:
            attempts = email.attempts + 1
            update = {"attempts": attempts, "last_error": str(exc)[:2000]}
            if attempts >= MAX_ATTEMPTS:
                update["failed_at"] = timezone.now()
            else:
                update["next_attempt_at"] = timezone.now() + timedelta(minutes=2**attempts)
            OutboxEmail.objects.filter(pk=email_id).update(**update)
            logger.warning("outbox: sending %s failed (attempt %s): %s", email_id, attempts, exc)
            continue
        OutboxEmail.objects.filter(pk=email_id).update(sent_at=timezone.now(), attempts=email.attempts + 1)
        sent += 1
    return sent
