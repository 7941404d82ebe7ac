"""Rate limits per token and per address, counted in the cache (Redis).

With Redis down the cache answers misses and drops writes (helpdesk/cache.py), so a shared count
is lost; each process then keeps its own count in memory instead (fail open to a per-process
limit, never a 500).
"""

from __future__ import annotations

import contextlib
import time

from django.core.cache import cache as shared_cache
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

_local = LocMemCache("api-throttle", {"MAX_ENTRIES": 10_000})


class _FallbackCache:
    """The shared cache, or this process's memory when the shared one cannot answer."""

    def get(self, key, default=None):
        try:
            value = shared_cache.get(key, default)
        except Exception:  # a cache backend other than ours may raise
            value = default
        local = _local.get(key)
        # A miss in Redis while this process counts locally: Redis is (or was) down.
        return local if value in (None, default) and local is not None else value

    def set(self, key, value, timeout=None):
        _local.set(key, value, timeout)
        with contextlib.suppress(Exception):  # a cache backend other than ours may raise
            shared_cache.set(key, value, timeout)


fallback_cache = _FallbackCache()


class TokenRateThrottle(SimpleRateThrottle):
    """Per API token when one is used, else per signed-in user (``scope = "token"``)."""

    scope = "token"
    cache = fallback_cache
    timer = time.time

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        auth = request.auth
        ident = f"t{auth.pk}" if getattr(auth, "pk", None) else f"u{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressRateThrottle(AnonRateThrottle):
    """Per client address, whoever is signed in (``scope = "address"``)."""

    scope = "address"
    cache = fallback_cache

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
