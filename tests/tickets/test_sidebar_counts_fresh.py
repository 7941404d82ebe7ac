"""The sidebar counts show the agent's own change on the very next page, cache or not."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets import queues
from tickets.services import bulk_apply, ticket_assign, ticket_create, ticket_resolve

QUEUE = reverse("tickets:agent_queue")


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()


def _counts(client) -> dict:
    response = client.get(QUEUE, {"view": "mine"})
    return {str(key): count for key, _label, count in response.context["views"] if count is not None}


@pytest.fixture
def tickets(alice, carol, service_desk):
    return [ticket_create(requester=alice, subject=f"T{n}", description="…", acting_user=alice) for n in range(3)]


def test_taking_and_resolving_show_in_the_counts_on_the_next_page(client, carol, tickets):
    client.force_login(carol)
    assert _counts(client)["mine"] == 0

    ticket_assign(tickets[0], carol, acting_user=carol)
    assert _counts(client)["mine"] == 1
    assert _counts(client)["unassigned"] == 2

    ticket_resolve(tickets[0], code="fixed", summary="Done", acting_user=carol)
    assert _counts(client)["mine"] == 0


def test_a_bulk_assignment_shows_at_once(client, carol, tickets):
    client.force_login(carol)
    assert _counts(client)["unassigned"] == 3

    bulk_apply(tickets[1:], "assign", acting_user=carol, assignee=carol)

    assert (_counts(client)["mine"], _counts(client)["unassigned"]) == (2, 1)


def test_without_a_change_the_cached_counts_are_used(client, carol, tickets):
    client.force_login(carol)
    _counts(client)

    with CaptureQueriesContext(connection) as again:
        _counts(client)

    assert not any("COUNT(" in query["sql"] for query in again.captured_queries)
    # The key is the user's last event: one indexed step, and it changes with each action.
    before = queues.counts_cache_key(carol)
    ticket_assign(tickets[0], carol, acting_user=carol)
    assert queues.counts_cache_key(carol) != before
