"""Beat polls every active IMAP mailbox each minute (CELERY_BEAT_SCHEDULE "mail-poll-imap")."""

from __future__ import annotations

from celery import shared_task

from mail.imap import poll_mailbox as poll
from mail.models import Mailbox, Transport


@shared_task(name="mail.poll_mailboxes", acks_late=True, ignore_result=True)
def poll_mailboxes() -> int:
    """Queue one poll per active IMAP mailbox, so a slow server delays only its own mailbox."""
    ids = list(Mailbox.objects.filter(active=True, transport=Transport.IMAP).values_list("pk", flat=True))
    for mailbox_id in ids:
        poll_mailbox.delay(mailbox_id)
    return len(ids)


@shared_task(name="mail.poll_mailbox", acks_late=True, ignore_result=True)
def poll_mailbox(mailbox_id: int) -> int:
    """Import one mailbox's waiting messages; a poll already running on it makes this a no-op."""
    return poll(mailbox_id)
