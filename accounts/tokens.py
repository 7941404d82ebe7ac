"""Per-user API tokens: created, named and revoked by their owner on the preferences page.

Only a SHA-256 of the token is stored; the token itself is shown once, when it is created. A
token reads ``hd_<prefix>_<secret>``: the public ``prefix`` finds the row with an index, the
hash of the whole token (compared in constant time) proves it.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import audit
from helpdesk.bearer import token_digest
from helpdesk.errors import ApplicationError

SCHEME = "hd"
PREFIX_BYTES = 6  # 8 characters in URL-safe base64
SECRET_BYTES = 32
# last_used_at is written at most this often per token: no write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_MAX = 100


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now: datetime | None = None) -> ApiTokenQuerySet:
        now = now or timezone.now()
        not_expired = models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        return self.filter(not_expired, revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        app_label = "accounts"
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({SCHEME}_{self.prefix}_…)"

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def _split(raw: str) -> tuple[str, str] | None:
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != SCHEME or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


@transaction.atomic
def token_create(user, *, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row and the token itself, which is never stored or shown again."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the token a name."), extra={"field": "name"})
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(_("The expiry date must be in the future."), extra={"field": "expires_at"})
    prefix = secrets.token_urlsafe(PREFIX_BYTES)
    while "_" in prefix or ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_urlsafe(PREFIX_BYTES)
    raw = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken.objects.create(
        user=user, name=name[:NAME_MAX], prefix=prefix, key_hash=token_digest(raw), expires_at=expires_at
    )
    audit.record(
        audit.AuditAction.TOKEN_CREATED,
        target_user=user,
        target_token=token,
        target=f"{user.email} · {token}",
        after={"name": token.name, "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return token, raw


def token_revoke(token: ApiToken, *, acting_user) -> ApiToken:
    """Revoke at once: the next request with it is a 401. Only the owner revokes their tokens."""
    if token.user_id != acting_user.pk:
        raise ApplicationError(_("This is not your token."))
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db(fields=["revoked_at"])
        if revoked:  # revoking a revoked token changes nothing and records nothing
            audit.record(
                audit.AuditAction.TOKEN_REVOKED,
                actor=acting_user,
                target_user=acting_user,
                target_token=token,
                target=f"{acting_user.email} · {token}",
                before={"revoked_at": None},
                after={"revoked_at": token.revoked_at.isoformat()},
            )
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The usable token ``raw`` names, with its user, or None (unknown, wrong, revoked, expired)."""
    parts = _split(raw)
    if parts is None:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[0]).first()
    if token is None or not hmac.compare_digest(token.key_hash, token_digest(raw)):
        return None
    now = timezone.now()
    if not token.is_usable(now):
        return None
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        # One conditional UPDATE: concurrent requests within the minute write nothing more.
        ApiToken.objects.filter(pk=token.pk).filter(
            models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
