"""Version tokens for cache entries that a change must make stale at once, even against a race.

An entry is stored with the token current when its data was read; it is taken for current only
while the token is unchanged. A change replaces the token now (this request reads its own
change) and again when its transaction commits (a request that read the old data while the
change was uncommitted may have stored it under the token of "now").
"""

from __future__ import annotations

from uuid import uuid4

from django.core.cache import cache
from django.db import transaction


def current_version(key: str, found: dict, seconds: int | None) -> str | None:
    """The token under ``key`` as ``found`` (a ``get_many`` result) holds it, or a new one.

    A new one is read back: another process may have set one first. None if the cache is down.
    """
    version = found.get(key)
    if version is None:
        cache.add(key, uuid4().hex, seconds)
        version = cache.get(key)
    return version


def replace_version(key: str, seconds: int | None) -> None:
    """Make every entry stored under ``key``'s token stale, now and when the transaction commits."""

    def replace() -> None:
        cache.set(key, uuid4().hex, seconds)

    replace()
    transaction.on_commit(replace)
