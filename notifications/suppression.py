"""Addresses the outbox must not write to: mail to them bounced.

The e-mail import (mail/, a higher layer) calls :func:`mark_failing` when a bounce names a
recipient; the outbox and the ticket notifications ask :func:`is_failing` before sending. An
agent clears a mark in the admin (notifications/admin.py) once the address works again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import FailingAddress

# The reason on an outbox row that was not sent because of a mark (no SMTP attempt was made).
ADDRESS_FAILING = "address failing"


def _normalise(address: str) -> str:
    return (address or "").strip().strip("<>").strip().lower()


@transaction.atomic
def mark_failing(address: str, *, reason: str, at: datetime | None = None) -> None:
    """Record one more failure for ``address`` (created on the first one)."""
    address = _normalise(address)
    if not address:
        return
    at = at or timezone.now()
    reason = (reason or "")[:2000]
    # get_or_create retries the read if a concurrent bounce created the row first; the update
    # is relative, so two bounces for one address count twice and neither fails.
    row, created = FailingAddress.objects.get_or_create(
        address=address, defaults={"reason": reason, "first_failed_at": at, "last_failed_at": at}
    )
    if not created:
        FailingAddress.objects.filter(pk=row.pk).update(failures=F("failures") + 1, reason=reason, last_failed_at=at)


def is_failing(address: str) -> bool:
    return FailingAddress.objects.filter(address=_normalise(address)).exists()


def failing_among(addresses: Iterable[str]) -> set[str]:
    """The lower-cased addresses of these that are marked failing, in one query."""
    wanted = {_normalise(address) for address in addresses} - {""}
    if not wanted:
        return set()
    return set(FailingAddress.objects.filter(address__in=wanted).values_list("address", flat=True))


def clear(address: str) -> bool:
    """Forget the mark (the address works again); True when there was one."""
    deleted, _ = FailingAddress.objects.filter(address=_normalise(address)).delete()
    return deleted > 0
