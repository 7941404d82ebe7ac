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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from helpdesk.broker import send_now
from notifications.models import OutboxEmail
from notifications.suppression import ADDRESS_FAILING, failing_among

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


def is_silenced() -> bool:
    """Inside :func:`silenced`: callers may skip reading whom they would have written to."""
    return _silenced.get()


# RFC 3834 "Auto-Submitted" values. Everything the helpdesk writes by itself carries one, so
# that autoresponders (out-of-office, another helpdesk) do not answer it and no loop starts; an
# e-mail a person wrote (an agent's reply) carries none, because answering it is what we want.
AUTO_GENERATED = "auto-generated"  # a notification (status, SLA, escalation, assignment, ...)
AUTO_REPLIED = "auto-replied"  # an automatic answer to a message (the acknowledgement of an e-mail)


def automatic_headers(auto_submitted: str) -> dict[str, str]:
    """The headers that keep autoresponders quiet.

    ``Auto-Submitted`` is the standard (RFC 3834 §5) and what Sieve vacation (RFC 5230) and
    most modern responders check. ``X-Auto-Response-Suppress: All`` is what Exchange and Outlook
    out-of-office look at instead. ``Precedence: bulk`` is not a standard and RFC 3834 §3.1.8
    discourages relying on it, but many older vacation programs and helpdesks only check
    Precedence (bulk/junk/list); it costs nothing on an automatic e-mail, so we send it too —
    never on a person's reply, where a filter treating it as bulk mail would hide an answer.
    """
    return {"Auto-Submitted": auto_submitted, "X-Auto-Response-Suppress": "All", "Precedence": "bulk"}


# Which address a requester's reply should go to, for one ticket: the mail app (a higher layer)
# registers a function at ready() that returns the address of the active mailbox routing to the
# ticket's team (mail/replies.py), or None. Unset or None: the reply goes to DEFAULT_FROM_EMAIL.
ReplyAddressResolver = Callable[[int], str | None]
reply_address_resolver: ReplyAddressResolver | None = None


def set_reply_address_resolver(resolver: ReplyAddressResolver | None) -> None:
    global reply_address_resolver
    reply_address_resolver = resolver


# The addresses of every mailbox the helpdesk reads (registered by the mail app, like the reply
# address): a ticket must never write to them, or its own e-mails would come back as new mail.
OwnAddresses = Callable[[], set[str]]
own_addresses_provider: OwnAddresses | None = None


def set_own_addresses_provider(provider: OwnAddresses | None) -> None:
    global own_addresses_provider
    own_addresses_provider = provider


def own_addresses() -> set[str]:
    """The helpdesk's own addresses, lower case: DEFAULT_FROM_EMAIL and every mailbox."""
    addresses = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    if own_addresses_provider is not None:
        addresses |= {address.lower() for address in own_addresses_provider()}
    return addresses - {""}


def reply_headers(ticket_id: int) -> dict[str, str]:
    """Reply-To (and From, with MAIL_SEND_FROM_MAILBOX) for an e-mail about this ticket."""
    address = reply_address_resolver(ticket_id) if reply_address_resolver is not None else None
    if not address:
        return {}
    headers = {"Reply-To": address}
    if settings.MAIL_SEND_FROM_MAILBOX:
        # Keep the display name of DEFAULT_FROM_EMAIL ("Helpdesk"), with the mailbox's address.
        name, _default = parseaddr(settings.DEFAULT_FROM_EMAIL)
        headers["From"] = formataddr((name, address))
    return headers


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
    auto_submitted: str | None = AUTO_GENERATED,
) -> OutboxEmail | None:
    """Render ``emails/<template>_subject.txt`` and ``emails/<template>.txt`` and store them.

    Call inside the transaction of the change: the e-mail exists exactly when the change does.
    None inside :func:`silenced`. ``auto_submitted``: :data:`AUTO_GENERATED` (the default: the
    helpdesk writes most e-mails by itself), :data:`AUTO_REPLIED`, or None for a person's words.
    """
    if _silenced.get():
        return None
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context, using="plain_text").split())
        body = render_to_string(f"emails/{template}.txt", context, using="plain_text")
    headers = {}
    if ticket_id is not None and not starts_thread:
        root = thread_id(ticket_id)
        headers = {"In-Reply-To": root, "References": root}
    if ticket_id is not None:
        headers |= reply_headers(ticket_id)
    if auto_submitted:
        headers |= automatic_headers(auto_submitted)
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


def _give_up_failing(email: OutboxEmail, token: uuid.UUID) -> None:
    """Mail to this address bounced (notifications.suppression): fail the row, no SMTP attempt."""
    OutboxEmail.objects.filter(id=email.pk, claim_token=token, sent_at__isnull=True).update(
        failed_at=timezone.now(), last_error=ADDRESS_FAILING, claim_token=None
    )
    logger.info("outbox: %s not sent, %s is marked failing", email.pk, email.to)


def _message(email: OutboxEmail, connection) -> EmailMessage:
    message_id = f"<outbox-{email.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
    if email.ticket_id is not None and not email.headers.get("In-Reply-To"):
        # The first e-mail about a ticket is the thread's root; the others answer it.
        message_id = thread_id(email.ticket_id)
    # From the team's mailbox (reply_headers) also on the envelope, so that bounces come back to
    # a mailbox the helpdesk reads and mark the address failing.
    from_email = email.headers.get("From") or settings.DEFAULT_FROM_EMAIL
    return EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=from_email,
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
    failing = failing_among(email.to for email in batch)
    try:
        for position, email in enumerate(batch):
            if email.to.lower() in failing:
                _give_up_failing(email, token)
                continue
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
