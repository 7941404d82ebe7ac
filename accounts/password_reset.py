"""Password reset by e-mail, that tells nobody whether an address has an account.

Asking for a reset (:func:`reset_request`) never looks at the user table: it counts the recent
requests from the client's address and for the e-mail (in PostgreSQL), stores the request if it
is within both limits, and answers with the same page either way. A worker
(:func:`send_pending_resets`, asked on commit and swept by beat) then looks the address up and
queues the e-mail through the outbox for an active account with a password — so a known and an
unknown address, accepted or over the limit, cost the request the same queries.

The link is Django's token (``PASSWORD_RESET_TIMEOUT``): it is tied to the password hash and the
last sign-in, so it works once and expires. Setting the new password signs out every other
session (they hold the old hash), clears the sign-in failures of the client's address and of
the account, and is written to the audit log.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import audit

logger = logging.getLogger(__name__)

# Requests older than this are deleted by the sweep: they only count towards the hourly limits.
KEEP_REQUESTS = timedelta(days=1)


class PasswordResetRequest(models.Model):
    """One accepted request for a reset e-mail, whether or not the address has an account."""

    email = models.CharField(max_length=254, help_text="Lower case.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "accounts"
        indexes = [
            models.Index(fields=["email", "requested_at"], name="pwreset_email_at_idx"),
            models.Index(fields=["ip_address", "requested_at"], name="pwreset_ip_at_idx"),
            models.Index(fields=["id"], name="pwreset_pending_idx", condition=Q(processed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"reset for {self.email}"


def _lock(key: str) -> None:
    # Two requests at once must not both pass the count: one waits for the other's commit.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"password_reset:{key}"])


@transaction.atomic
def reset_request(email: str, ip_address: str | None, now: datetime | None = None) -> bool:
    """Store a request for a reset e-mail unless the address or the e-mail is over its hourly
    limit; True when stored. The caller shows the same page whatever this returns."""
    email = email.strip().lower()
    now = now or timezone.now()
    since = now - timedelta(hours=1)
    for key in sorted({f"ip:{ip_address}", f"email:{email}"}):
        _lock(key)
    recent = PasswordResetRequest.objects.filter(requested_at__gt=since)
    if ip_address and recent.filter(ip_address=ip_address).count() >= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS:
        return False
    if recent.filter(email=email).count() >= settings.PASSWORD_RESET_LIMIT_PER_EMAIL:
        return False
    PasswordResetRequest.objects.create(email=email, ip_address=ip_address, requested_at=now)
    transaction.on_commit(_request_sending)
    return True


def _request_sending() -> None:
    from accounts.tasks import send_password_resets
    from helpdesk.broker import send_now

    try:
        send_now(send_password_resets)
    except Exception as exc:  # broker down: the beat sweep sends it later
        logger.warning("password reset: could not reach the broker, deferred to the sweep: %s", exc)


def reset_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])


def send_pending_resets(limit: int = 100) -> int:
    """Queue the e-mails of pending requests (in the same transaction that marks them done);
    return how many were queued. Safe to run concurrently: rows are claimed with SKIP LOCKED."""
    from accounts.models import User
    from notifications.outbox import queue_email

    queued = 0
    with transaction.atomic():
        pending = list(
            PasswordResetRequest.objects.filter(processed_at__isnull=True)
            .select_for_update(skip_locked=True)
            .order_by("id")[:limit]
        )
        for row in pending:
            user = User.objects.filter(email__iexact=row.email, is_active=True).first()
            if user is not None and user.has_usable_password():
                queue_email(
                    kind="password_reset",
                    to=user.email,
                    language=user.language,
                    template="password_reset",
                    context={
                        "recipient": user,
                        "link": reset_link(user),
                        "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
                    },
                )
                audit.record(
                    audit.AuditAction.PASSWORD_RESET_REQUESTED,
                    actor=None,
                    target_user=user,
                    ip_address=row.ip_address,
                    after={"valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60},
                )
                queued += 1
        PasswordResetRequest.objects.filter(pk__in=[row.pk for row in pending]).update(processed_at=timezone.now())
        PasswordResetRequest.objects.filter(requested_at__lt=timezone.now() - KEEP_REQUESTS).delete()
    return queued


def clear_login_failures(user, ip_address: str | None) -> int:
    """Forget the failed sign-ins of this client address and of this account (django-axes)."""
    from axes.models import AccessAttempt

    wrong = Q(username__iexact=user.email)
    if ip_address:
        wrong |= Q(ip_address=ip_address)
    return AccessAttempt.objects.filter(wrong).delete()[1].get(AccessAttempt._meta.label, 0)
