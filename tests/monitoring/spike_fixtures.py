"""A VPN spike with three requesters' tickets, shared by the spike and major-incident tests,
their API and browser tests: the fixtures are registered for every test (tests/conftest.py
``pytest_plugins``); ``open_tickets`` and ``STARTED`` are imported."""

from datetime import UTC, datetime, timedelta

import pytest

from monitoring.models import Spike
from tickets.models import Category
from tickets.services import ticket_create

STARTED = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)


def open_tickets(category, requesters, *, at, count, team=None, spacing=timedelta(minutes=3)):
    """``count`` tickets in ``category``, the last one at ``at``, from the requesters in turn."""
    return [
        ticket_create(
            requester=requesters[i % len(requesters)],
            subject=f"VPN does not connect ({i})",
            description="The VPN client times out.",
            acting_user=requesters[i % len(requesters)],
            category=category,
            team=team,
            at=at - spacing * (count - 1 - i),
        )
        for i in range(count)
    ]


@pytest.fixture
def vpn(db):
    return Category.objects.create(name="VPN")


@pytest.fixture
def children(vpn, alice, bob, oscar, service_desk):
    """Three requesters' tickets in the spike, in the Service Desk's queue."""
    return open_tickets(vpn, [alice, bob, oscar], at=STARTED + timedelta(minutes=5), count=3, team=service_desk)


@pytest.fixture
def spike(vpn, children):
    return Spike.objects.create(
        category=vpn, started_at=STARTED, last_seen_at=STARTED, tickets_in_window=3, baseline=0.5, notified_at=STARTED
    )
