"""Rate limits per token and per address; with Redis unreachable, a per-process count (no 500)."""

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api import throttling

LIST = reverse("tickets_api:ticket-list")


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"token": "3/minute", "address": "100/minute"})
    cache.clear()
    throttling._local.clear()
    yield
    cache.clear()
    throttling._local.clear()
    assert api_settings.DEFAULT_THROTTLE_RATES["token"]  # the real rates are untouched


def test_a_token_over_its_rate_gets_a_429_with_retry_after(with_token, alice, low_rates):
    api = with_token(alice)

    statuses = [api.get(LIST).status_code for _ in range(4)]
    refused = api.get(LIST)

    assert statuses == [200, 200, 200, 429]
    assert refused.json()["code"] == "throttled" and int(refused["Retry-After"]) > 0


def test_each_token_has_its_own_count(with_token, alice, low_rates):
    first = with_token(alice, name="one")
    for _ in range(3):
        first.get(LIST)
    assert first.get(LIST).status_code == 429

    second = with_token(alice, name="two")

    assert second.get(LIST).status_code == 200


class Missing:
    """What helpdesk.cache does with Redis unreachable: every read a miss, every write dropped."""

    def get(self, key, default=None):
        return default

    def set(self, *args, **kwargs):
        pass


class Raising:
    """Another backend that raises instead."""

    def get(self, *args, **kwargs):
        raise redis.ConnectionError("Redis is down")

    set = get


@pytest.mark.parametrize("down", [Missing, Raising])
def test_with_redis_unreachable_the_limit_holds_per_process(with_token, alice, low_rates, monkeypatch, down):
    monkeypatch.setattr(throttling, "shared_cache", down())
    api = with_token(alice)

    statuses = [api.get(LIST).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
