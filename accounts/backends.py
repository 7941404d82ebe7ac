"""Finding the signed-in user on every request without a query.

Every signed-in request loads its user (``django.contrib.auth.get_user``); with the session
already in Redis, that query was the only one a page ran besides its own. The backend keeps the
user's columns in the cache under a per-user version token (helpdesk/cache_versions.py, as the
team ids in tickets/permissions.py): any save or deletion of the user replaces the token at once and again
when the transaction commits, so a request that read the row while the change was uncommitted
cannot make its copy current. Password changes, deactivation and role changes are saves, and so
show on the next request. Changes that bypass ``save()`` (``QuerySet.update``, raw SQL) must
call ``forget_user``; the entry lives an hour at most.

The same round trip fetches the cache keys other apps say most pages read next (the agent's
team ids, the queue's counts: ``read_with_user``); a page reads them with ``cached_values``,
which goes back to Redis if this process has written to the cache since.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth.backends import ModelBackend
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.signals import request_started
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import User
from helpdesk import cache as helpdesk_cache
from helpdesk.cache_versions import current_version, replace_version

USER_SECONDS = 60 * 60
VERSION_SECONDS = 24 * 60 * 60
_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)
# The columns are part of the key: after a migration adds one, no entry of the old shape is read.
_SHAPE = hashlib.sha1(",".join(_COLUMNS).encode()).hexdigest()[:8]


# Functions of a user's primary key giving cache keys to fetch with the user (read_with_user).
_COMPANIONS: list[Callable[[int], list[str]]] = []


def read_with_user(keys_of: Callable[[int], list[str]]) -> Callable[[int], list[str]]:
    """Fetch ``keys_of(pk)`` in the round trip that loads the signed-in user (register at start-up)."""
    _COMPANIONS.append(keys_of)
    return keys_of


@dataclass(frozen=True)
class _Snapshot:
    keys: frozenset[str]
    found: dict
    stamp: int  # helpdesk.cache.last_write() before the values were read


def cached_values(user: User, keys: list[str]) -> dict:
    """``cache.get_many(keys)``; without a round trip when they came with the signed-in user.

    Only while this process has not written to the cache since: a request that changed
    something reads it again.
    """
    snapshot = getattr(user, "_cache_snapshot", None)
    if snapshot is not None and snapshot.stamp == helpdesk_cache.last_write() and snapshot.keys.issuperset(keys):
        return {key: snapshot.found[key] for key in keys if key in snapshot.found}
    return cache.get_many(keys)


def _keys(pk: int) -> tuple[str, str]:
    return f"auth-user:{pk}:version", f"auth-user:{pk}:{_SHAPE}"


def user_cache_keys(pk: int) -> list[str]:
    """What loading user ``pk`` reads from the cache: their version and entry, then the companions."""
    return [*_keys(pk), *(key for keys_of in _COMPANIONS for key in keys_of(pk))]


# Values the session fetched for ``cached_user`` in its own round trip (accounts/sessions.py):
# (user id, helpdesk.cache.last_write() before the fetch, what the cache gave). Taken once;
# dropped when a request starts.
_handed_over: ContextVar[tuple[int, int, dict] | None] = ContextVar("helpdesk_user_values", default=None)


def hand_over(pk: int, found: dict, stamp: int) -> None:
    _handed_over.set((pk, stamp, found))


@receiver(request_started)
def _drop_hand_over(**kwargs) -> None:
    _handed_over.set(None)


def cached_user(pk: int) -> User | None:
    """The user with primary key ``pk`` (None if there is none): from the cache when current."""
    keys = user_cache_keys(pk)
    version_key, entry_key, companions = keys[0], keys[1], keys[2:]
    handed, stamp = _handed_over.get(), helpdesk_cache.last_write()
    if handed is not None:
        _handed_over.set(None)
    fresh = handed is not None and handed[0] == pk and handed[1] == stamp
    found = handed[2] if fresh else cache.get_many(keys)
    version, entry = found.get(version_key), found.get(entry_key)
    if version is not None and entry is not None and entry[0] == version:
        user = User.from_db("default", _COLUMNS, entry[1])
    else:
        user = _load_user(pk, version_key, entry_key, found)
    if user is not None and isinstance(caches[DEFAULT_CACHE_ALIAS], helpdesk_cache.RedisCache):
        # Only our backend stamps its writes; with another, every read goes to the cache.
        user._cache_snapshot = _Snapshot(
            frozenset(companions), {key: found[key] for key in companions if key in found}, stamp
        )
    return user


def _load_user(pk: int, version_key: str, entry_key: str, found: dict) -> User | None:
    version = current_version(version_key, found, VERSION_SECONDS)
    user = User._default_manager.filter(pk=pk).first()
    if user is not None and version is not None:
        # Read after the token: a change committed in between replaced it, so this entry is
        # never taken for current.
        cache.set(entry_key, (version, tuple(getattr(user, column) for column in _COLUMNS)), USER_SECONDS)
    return user


def forget_user(pk: int) -> None:
    """Make any cached copy of the user stale (now, and when the transaction commits)."""
    replace_version(_keys(pk)[0], VERSION_SECONDS)


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
