"""Write e-mails to the outbox (inside the caller's transaction) and deliver them later.

Delivery (``deliver_due``: a worker runs it when asked after a commit, and beat every
OUTBOX_SWEEP_SECONDS) claims a few due rows at a time with ``SELECT … FOR UPDATE SKIP LOCKED`` in
a short transaction of its own, then sends them over one SMTP connection, outside any
transaction. Each row's lease starts when its own send starts, and every write after the claim
is conditional on the sweep's claim token, so no two sweeps send the same row — unless a send
outlasts its lease, or the worker dies between the server's acceptance and the sent mark
(docs/operations.md, "Outbox").
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from helpdesk.broker import send_now
from notifications.models import OutboxEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# The server refused this one e-mail and is still talking: the batch goes on over the same
# connection. Any other OSError (a timeout, a dropped connection) ends the sweep.
PER_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)

_silenced: ContextVar[bool] = ContextVar("outbox_silenced", default=False)


@contextmanager
def silenced() -> Iterator[None]:
    """Queue no e-mail inside this block: replaying history (the import) must tell nobody.

    The services still decide everything else; only the e-mails they would queue are not
    rendered or stored.
    """
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


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
) -> OutboxEmail | None:
    """Render ``emails/<template>_subject.txt`` and ``emails/<template>.txt`` and store them.

    Call inside the transaction of the change: the e-mail exists exactly when the change does.
    None inside :func:`silenced`.
    """
    if _silenced.get():
        return None
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


def _lease() -> timedelta:
    """How long one e-mail may take to send before another sweep may take its row over.

    Taken afresh for each row just before it is sent, so the lease never depends on how long the
    e-mails before it in the batch took. It must outlast one send through a hung relay: every
    SMTP round trip (connect, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA) may wait EMAIL_TIMEOUT.
    """
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _due(now) -> QuerySet[OutboxEmail]:
    # A row another sweep holds has next_attempt_at in the future (its lease), so it is not due.
    return OutboxEmail.objects.filter(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now)


@transaction.atomic(durable=True)
def _claim_batch(size: int, token: uuid.UUID) -> list[OutboxEmail]:
    """Take up to ``size`` due rows for this sweep; committed before anything is sent.

    durable: the claim must commit on its own, or the row locks would be held across SMTP.
    """
    now = timezone.now()
    # SKIP LOCKED: a sweep claiming at the same moment takes the next rows instead of waiting.
    batch = list(_due(now).select_for_update(skip_locked=True).order_by("next_attempt_at", "id")[:size])
    OutboxEmail.objects.filter(pk__in=[email.pk for email in batch]).update(
        next_attempt_at=now + _lease(), claim_token=token
    )
    return batch


def _renew_claim(email_id: int, token: uuid.UUID) -> bool:
    """Start this row's lease now, if the row is still ours (its batch lease may have run out
    while earlier e-mails were sent, and another sweep may have taken it)."""
    return OutboxEmail.objects.filter(id=email_id, claim_token=token, sent_at__isnull=True).update(
        next_attempt_at=timezone.now() + _lease()
    ) == 1  # fmt: skip


def _release(email_ids: list[int], token: uuid.UUID) -> None:
    """Give back rows this sweep did not try: due again at once, no attempt counted."""
    OutboxEmail.objects.filter(id__in=email_ids, claim_token=token, sent_at__isnull=True).update(
        next_attempt_at=timezone.now(), claim_token=None
    )


def _mark_sent(email: OutboxEmail, token: uuid.UUID) -> bool:
    return OutboxEmail.objects.filter(id=email.pk, claim_token=token, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1, claim_token=None
    ) == 1  # fmt: skip


def _record_failure(email: OutboxEmail, token: uuid.UUID, exc: Exception) -> None:
    attempts = email.attempts + 1
    update = {"attempts": attempts, "last_error": str(exc)[:2000], "claim_token": None}
    if attempts >= MAX_ATTEMPTS:
        update["failed_at"] = timezone.now()
    else:
        update["next_attempt_at"] = timezone.now() + timedelta(minutes=2**attempts)
    OutboxEmail.objects.filter(id=email.pk, claim_token=token, sent_at__isnull=True).update(**update)
    logger.warning("outbox: sending %s failed (attempt %s): %s", email.pk, attempts, exc)


def _message(email: OutboxEmail, connection) -> EmailMessage:
    message_id = f"<outbox-{email.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
    if email.ticket_id is not None and not email.headers.get("In-Reply-To"):
        # The first e-mail about a ticket is the thread's root; the others answer it.
        message_id = thread_id(email.ticket_id)
    return EmailMessage(
        subject=email.subject,
        body=email.body,
        to=[email.to],
        headers={"Message-ID": message_id, **email.headers},
        connection=connection,
    )


def _drop(connection) -> None:
    """Close a connection without waiting on the server: a polite QUIT to a hung relay would wait
    EMAIL_TIMEOUT again."""
    smtp = getattr(connection, "connection", None)  # the SMTP backend's socket, when open
    if smtp is not None:
        smtp.close()
        connection.connection = None


def _send_batch(batch: list[OutboxEmail], token: uuid.UUID) -> tuple[int, bool]:
    """Send a claimed batch over one connection; return (how many were sent, whether the server
    stopped answering, in which case the rest of the batch is given back untried)."""
    connection = get_connection()  # the SMTP backend applies EMAIL_TIMEOUT to every socket operation
    sent = 0
    try:
        for position, email in enumerate(batch):
            if not _renew_claim(email.pk, token):
                continue
            try:
                connection.open()  # once per batch; send_messages would open and close per call
                connection.send_messages([_message(email, connection)])
            except Exception as exc:
                _record_failure(email, token, exc)
                if isinstance(exc, OSError) and not isinstance(exc, PER_MESSAGE_ERRORS):
                    # A timeout or a dropped connection: the next e-mail would wait just as long.
                    _drop(connection)
                    _release([later.pk for later in batch[position + 1 :]], token)
                    return sent, True
                continue
            # A crash between the server's acceptance and this mark is the one way an e-mail can
            # go out twice: the lease runs out and another sweep sends the row again.
            if _mark_sent(email, token):
                sent += 1
            else:
                # The send outlasted its lease and another sweep took the row: it may go out twice.
                logger.error("outbox: %s was sent after another sweep took it over", email.pk)
    finally:
        try:
            connection.close()
        except Exception as exc:  # the e-mails are marked already; a failed QUIT changes nothing
            _drop(connection)
            logger.warning("outbox: closing the mail connection failed: %s", exc)
    return sent, False


def deliver_due(limit: int = 200) -> int:
    """Send what is due, one small claimed batch at a time; return how many were sent.

    Safe to run concurrently and repeatedly: concurrent sweeps claim different rows. Stops at
    ``limit`` rows tried, when nothing is due, or when the mail server stops answering.
    """
    sent = tried = 0
    while tried < limit:
        token = uuid.uuid4()
        batch = _claim_batch(min(settings.OUTBOX_BATCH_SIZE, limit - tried), token)
        if not batch:
            break
        tried += len(batch)
        batch_sent, server_down = _send_batch(batch, token)
        sent += batch_sent
        if server_down:
            break
    return sent
