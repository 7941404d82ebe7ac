"""The Redis cache keeps one redis-py client per connection pool (helpdesk/cache.py)."""

from django.core.cache import cache


def test_one_client_serves_every_call_and_it_works():
    client = cache._cache.get_client("a")

    assert cache._cache.get_client("b") is client
    assert cache._cache.get_client("a", write=True) is client  # one server: one pool
    cache.set("helpdesk-cache-test", {"value": 1}, 30)
    assert cache.get_many(["helpdesk-cache-test", "missing"]) == {"helpdesk-cache-test": {"value": 1}}
    cache.delete("helpdesk-cache-test")


def test_integers_and_pickles_both_come_back_as_they_were_stored():
    values = {"int": 42, "negative": -7, "bool": True, "text": "1234", "bytes": b"\x80not a pickle", "list": [1, "a"]}
    cache.set_many({f"helpdesk-cache-test:{key}": value for key, value in values.items()}, 30)

    found = cache.get_many([f"helpdesk-cache-test:{key}" for key in values])

    assert {key.split(":", 1)[1]: value for key, value in found.items()} == values
    assert cache.incr("helpdesk-cache-test:int") == 43
    cache.delete_many([f"helpdesk-cache-test:{key}" for key in values])


def test_any_key_redis_takes_is_stored_without_a_memcached_warning():
    import warnings

    keys = ["helpdesk-cache-test:with space", "helpdesk-cache-test:" + "x" * 300, "helpdesk-cache-test:tab\there"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a CacheKeyWarning would fail the test
        cache.set_many(dict.fromkeys(keys, "v"), 30)
        assert cache.get_many(keys) == dict.fromkeys(keys, "v")
        cache.delete_many(keys)
