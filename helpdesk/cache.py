"""Django's Redis cache, with one redis-py client per connection pool, and a stamp of this process's writes.

Django builds a new ``redis.Redis`` for every cache operation; building one copies its ~170
response callbacks, about 0.1 ms — as long as the round trip to a local Redis. A client is
thread-safe and its pool reconnects after a fork, so one per pool serves every thread.

``last_write()`` changes whenever this process has written to the cache: values read earlier
in a request (``accounts.backends.cached_values``) are used only while it has not.
"""

from __future__ import annotations

import itertools
import pickle

from django.core.cache.backends import redis as django_redis

_stamps = itertools.count(1)
_last_write = 0


def last_write() -> int:
    """A stamp that changes whenever this process finishes a write to the cache (any key)."""
    return _last_write


def _writes(method):
    def write(self, *args, **kwargs):
        global _last_write
        try:
            return method(self, *args, **kwargs)
        finally:
            _last_write = next(_stamps)

    write.__name__ = method.__name__
    return write


class _Serializer(django_redis.RedisSerializer):
    """Django's (integers as they are, the rest pickled), reading a pickle without trying ``int`` on it first.

    Django's ``loads`` tries ``int()`` on every value and falls back to pickle on the
    ValueError: one exception per value read, a page reads eight.
    """

    def loads(self, data):
        if data[:1] == b"\x80":  # every pickle of protocol 2 and later starts with PROTO
            return pickle.loads(data)
        return super().loads(data)


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("serializer", _Serializer)
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write: bool = False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    add = _writes(django_redis.RedisCacheClient.add)
    set = _writes(django_redis.RedisCacheClient.set)
    touch = _writes(django_redis.RedisCacheClient.touch)
    delete = _writes(django_redis.RedisCacheClient.delete)
    incr = _writes(django_redis.RedisCacheClient.incr)
    set_many = _writes(django_redis.RedisCacheClient.set_many)
    delete_many = _writes(django_redis.RedisCacheClient.delete_many)
    clear = _writes(django_redis.RedisCacheClient.clear)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key) -> None:
        """Nothing to check: Redis takes any key.

        Django's checks are memcached's limits (250 characters, no spaces or control
        characters), run per key on every read: a signed-in page reads seven.
        """
