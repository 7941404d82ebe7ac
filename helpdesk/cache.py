"""Django's Redis cache, with one redis-py client per connection pool, that treats Redis down as a miss.

The cache only makes pages faster: nothing that decides who someone is or what they may see
is read from it (sessions and users are in PostgreSQL). So when Redis cannot be reached, a read
gives what a miss gives and a write is dropped, the error is logged, and the page is computed
from PostgreSQL (slower). Only connection errors and timeouts are turned into misses; any other
error (a bug, a wrong command) still raises. ``incr`` and ``clear`` raise too: a caller of
either wants to know. What is cached must therefore be safe to lose and to find again: a
clear key and a short timeout, never an invalidation that has to reach Redis.

Django builds a new ``redis.Redis`` for every cache operation; building one copies its ~170
response callbacks, about 0.1 ms — as long as the round trip to a local Redis. A client is
thread-safe and its pool reconnects after a fork, so one per pool serves every thread.
"""

from __future__ import annotations

import functools
import logging
import pickle

import redis
from django.core.cache.backends import redis as django_redis

logger = logging.getLogger(__name__)

_UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)


def _miss_when_unreachable(missed):
    """Run the operation; if Redis cannot be reached, log it and return ``missed(*args)`` instead."""

    def decorate(method):
        @functools.wraps(method)
        def operation(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except _UNREACHABLE as exc:
                logger.warning("cache unreachable, %s treated as a miss: %s", method.__name__, exc)
                return missed(*args)

        return operation

    return decorate


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

    get = _miss_when_unreachable(lambda key, default: default)(django_redis.RedisCacheClient.get)
    get_many = _miss_when_unreachable(lambda keys: {})(django_redis.RedisCacheClient.get_many)
    has_key = _miss_when_unreachable(lambda key: False)(django_redis.RedisCacheClient.has_key)
    add = _miss_when_unreachable(lambda key, value, timeout: False)(django_redis.RedisCacheClient.add)
    set = _miss_when_unreachable(lambda key, value, timeout: None)(django_redis.RedisCacheClient.set)
    set_many = _miss_when_unreachable(lambda data, timeout: list(data))(django_redis.RedisCacheClient.set_many)
    touch = _miss_when_unreachable(lambda key, timeout: False)(django_redis.RedisCacheClient.touch)
    delete = _miss_when_unreachable(lambda key: False)(django_redis.RedisCacheClient.delete)
    delete_many = _miss_when_unreachable(lambda keys: None)(django_redis.RedisCacheClient.delete_many)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key) -> None:
        """Nothing to check: Redis takes any key.

        Django's checks are memcached's limits (250 characters, no spaces or control
        characters), run per key on every read: a signed-in page reads seven.
        """
