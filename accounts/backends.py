"""Finding the signed-in user on every request without a query.

Every signed-in request loads its user (``django.contrib.auth.get_user``); with the session
already in Redis, that query was the only one a page ran besides its own. The backend keeps the
user's columns in the cache under a per-user version token, the pattern of the team ids
(tickets/permissions.py): any save or deletion of the user replaces the token at once and again
when the transaction commits, so a request that read the row while the change was uncommitted
cannot make its copy current. Password changes, deactivation and role changes are saves, and so
show on the next request. Changes that bypass ``save()`` (``QuerySet.update``, raw SQL) must
call ``forget_user``; the entry lives an hour at most.
"""

from __future__ import annotations

import hashlib
from uuid import uuid4

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import User

USER_SECONDS = 60 * 60
VERSION_SECONDS = 24 * 60 * 60
_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)
# The columns are part of the key: after a migration adds one, no entry of the old shape is read.
_SHAPE = hashlib.sha1(",".join(_COLUMNS).encode()).hexdigest()[:8]


def _keys(pk: int) -> tuple[str, str]:
    return f"auth-user:{pk}:version", f"auth-user:{pk}:{_SHAPE}"


def cached_user(pk: int) -> User | None:
    """The user with primary key ``pk`` (None if there is none): from the cache when current."""
    version_key, entry_key = _keys(pk)
    found = cache.get_many([version_key, entry_key])
    version, entry = found.get(version_key), found.get(entry_key)
    if version is not None and entry is not None and entry[0] == version:
        return User.from_db("default", _COLUMNS, entry[1])
    if version is None:
        cache.add(version_key, uuid4().hex, VERSION_SECONDS)
        version = cache.get(version_key)
    user = User._default_manager.filter(pk=pk).first()
    if user is not None and version is not None:
        # Read after the token: a change committed in between replaced it, so this entry is
        # never taken for current.
        cache.set(entry_key, (version, tuple(getattr(user, column) for column in _COLUMNS)), USER_SECONDS)
    return user


def forget_user(pk: int) -> None:
    """Make any cached copy of the user stale (now, and when the transaction commits)."""
    version_key, _entry_key = _keys(pk)

    def bump() -> None:
        cache.set(version_key, uuid4().hex, VERSION_SECONDS)

    bump()
    transaction.on_commit(bump)


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def _user_changed(sender, instance: User, **kwargs) -> None:
    forget_user(instance.pk)


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions) whose ``get_user`` reads ``cached_user``."""

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = cached_user(pk)
        return user if user is not None and self.user_can_authenticate(user) else None
