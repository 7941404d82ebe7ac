"""The Redis cache keeps one redis-py client per connection pool (helpdesk/cache.py)."""

from django.core.cache import cache


def test_one_client_serves_every_call_and_it_works():
    client = cache._cache.get_client("a")

    assert cache._cache.get_client("b") is client
    assert cache._cache.get_client("a", write=True) is client  # one server: one pool
    cache.set("helpdesk-cache-test", {"value": 1}, 30)
    assert cache.get_many(["helpdesk-cache-test", "missing"]) == {"helpdesk-cache-test": {"value": 1}}
    cache.delete("helpdesk-cache-test")
