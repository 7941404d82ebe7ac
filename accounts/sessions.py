"""Sessions whose key names the signed-in user, so that one Redis round trip loads both.

Django's cached_db sessions (Redis, written through to the database), with one change: once
someone signs in, the session's key ends in their user id (``<30 random characters>.<id in
base 36>``), and loading the session fetches, in the same ``MGET``, what loading the user reads
(accounts/backends.py: the user's cached columns and the keys other apps fetch with them).
Without it a signed-in page made two round trips before its view ran. The random part keeps
the key as hard to guess as Django's (30 characters of 36: 155 bits); the id is no secret.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends import cached_db
from django.core.cache import DEFAULT_CACHE_ALIAS
from django.dispatch import receiver
from django.utils.crypto import get_random_string
from django.utils.http import base36_to_int, int_to_base36

from accounts import backends
from helpdesk import cache as helpdesk_cache

_KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
_SEPARATOR = "."


def user_id_in(session_key: str | None) -> int | None:
    """The user id a session key ends in, or None."""
    if not session_key or _SEPARATOR not in session_key:
        return None
    try:
        return base36_to_int(session_key.rsplit(_SEPARATOR, 1)[1])
    except ValueError:
        return None


class SessionStore(cached_db.SessionStore):
    def _get_new_session_key(self) -> str:
        user_id = getattr(self, "_session_cache", {}).get(SESSION_KEY)
        if user_id is None:
            return super()._get_new_session_key()
        # The session table's key holds 40 characters: 30 + 1 + up to 8 (ids below 36⁸).
        suffix = _SEPARATOR + int_to_base36(int(user_id))
        while True:
            session_key = get_random_string(30, _KEY_CHARS) + suffix
            if not self.exists(session_key):
                return session_key

    def load(self) -> dict:
        user_id = user_id_in(self.session_key)
        if user_id is None or settings.SESSION_CACHE_ALIAS != DEFAULT_CACHE_ALIAS:
            return super().load()
        user_keys = backends.user_cache_keys(user_id)
        stamp = helpdesk_cache.last_write()
        try:
            found = self._cache.get_many([self.cache_key, *user_keys])
        except Exception:
            return super().load()
        data = found.get(self.cache_key)
        if data is None:
            return super().load()  # from the database; the user is then fetched on their own
        if data.get(SESSION_KEY) == str(user_id):
            backends.hand_over(user_id, found, stamp)
        return data


@receiver(user_logged_in)
def _name_the_user_in_the_key(sender, request, user, **kwargs) -> None:
    """Django gives a new key at sign-in before it stores the user: give one that names them."""
    session = getattr(request, "session", None)
    if isinstance(session, SessionStore) and user_id_in(session.session_key) != user.pk:
        session.cycle_key()
