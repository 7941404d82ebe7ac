"""/agent/: views, filters, keyset pages, counts and who sees what."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tickets import queues
from tickets.services import ticket_assign, ticket_change_status, ticket_create, ticket_set_tags

QUEUE = reverse("tickets:agent_queue")


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()


def _ticket(requester, subject, **extra):
    return ticket_create(requester=requester, subject=subject, description="…", acting_user=requester, **extra)


def _refs(response):
    return [ticket.reference for ticket in response.context["page"].tickets]


@pytest.fixture
def desk(alice, bob, carol, erin, service_desk, network_team, dave):
    mine = _ticket(alice, "Mine")
    ticket_assign(mine, carol, acting_user=carol)
    unassigned = _ticket(bob, "Unassigned")
    pending = _ticket(alice, "Waiting on Alice")
    ticket_assign(pending, carol, acting_user=carol)
    ticket_change_status(pending, "pending", acting_user=carol)
    network = _ticket(alice, "Network only", team=network_team)
    return {"mine": mine, "unassigned": unassigned, "pending": pending, "network": network}


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("mine", {"mine", "pending"}),
        ("unassigned", {"unassigned"}),
        ("teams", {"mine", "unassigned", "pending"}),
        ("pending", {"pending"}),
        ("all", {"mine", "unassigned", "pending"}),
    ],
)
def test_each_view_holds_the_right_tickets_for_carol(client, carol, desk, view, expected):
    client.force_login(carol)

    response = client.get(QUEUE, {"view": view})

    assert set(_refs(response)) == {desk[name].reference for name in expected}


def test_another_teams_agent_sees_nothing_of_the_service_desk(client, dave, desk):
    client.force_login(dave)

    for view in queues.View:
        refs = _refs(client.get(QUEUE, {"view": view}))
        assert desk["mine"].reference not in refs and desk["unassigned"].reference not in refs
    assert queues.view_counts(dave) == {
        "breaching": 0,
        "mine": 0,
        "unassigned": 1,
        "teams": 1,
        "pending": 0,
        "escalated": 0,
    }


def test_sidebar_counts_match_the_views_and_leak_nothing(client, carol, desk):
    client.force_login(carol)

    page = client.get(QUEUE).content.decode()

    assert queues.view_counts(carol) == {
        "breaching": 0,
        "mine": 2,
        "unassigned": 1,
        "teams": 3,
        "pending": 1,
        "escalated": 0,
    }
    assert 'data-testid="count-teams">3<' in page


def test_requesters_may_not_open_the_queues(client, alice, desk):
    client.force_login(alice)

    assert client.get(QUEUE).status_code == 403


@pytest.mark.parametrize("sort", ["priority", "updated", "created"])
def test_keyset_pages_walk_every_ticket_once_in_order(client, alice, carol, service_desk, sort):
    for number in range(120):
        _ticket(alice, f"Ticket {number}", impact=1 + number % 3, urgency=1 + number % 2)
    client.force_login(carol)

    seen, cursor, pages = [], None, 0
    while True:
        response = client.get(QUEUE, {"view": "teams", "sort": sort, **({"after": cursor} if cursor else {})})
        page = response.context["page"]
        seen.extend(page.tickets)
        pages += 1
        cursor = page.next_cursor
        if not cursor:
            break

    assert pages == 3
    assert len({t.pk for t in seen}) == 120
    columns = queues.SORTS[sort].columns
    keys = [tuple(getattr(t, c) for c in columns) for t in seen]
    assert keys == sorted(keys, reverse=queues.SORTS[sort].descending)


def test_a_malformed_cursor_gives_the_first_page(client, alice, carol, service_desk):
    _ticket(alice, "Only one")
    client.force_login(carol)

    for cursor in ["garbage", "W10", "WyJ4IiwgMV0", "WzEsIDJd"]:
        response = client.get(QUEUE, {"view": "teams", "after": cursor})
        assert response.status_code == 200
        assert len(response.context["page"].tickets) == 1


def test_a_page_costs_the_same_queries_whatever_its_size(alice, carol, service_desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(60):
        ticket = _ticket(alice, f"Ticket {number}")
        ticket_set_tags(ticket, ["printer", f"floor-{number % 4}"], acting_user=carol)
    queryset = queues.view_queryset(carol, queues.View.TEAMS)

    counted = []
    for size in (5, 50):
        with CaptureQueriesContext(connection) as captured:
            result = queues.page(queryset, sort_key="updated", cursor=None, size=size)
        assert len(result.tickets) == size
        counted.append(len(captured.captured_queries))

    # the tickets with their requester, team, assignee and category in one query; tags in one more
    assert counted == [2, 2]


def test_the_queue_page_runs_a_bounded_number_of_queries(
    client, alice, carol, service_desk, django_assert_max_num_queries
):
    for number in range(60):
        _ticket(alice, f"Ticket {number}")
    client.force_login(carol)

    with django_assert_max_num_queries(16):
        response = client.get(QUEUE, {"view": "teams"})
    assert len(_refs(response)) == 50


def test_filters_narrow_the_queue_and_stay_in_the_url(client, alice, bob, carol, service_desk):
    printer = _ticket(alice, "Printer jam", impact=1, urgency=1)
    ticket_set_tags(printer, ["printer"], acting_user=carol)
    _ticket(bob, "Mail", impact=3, urgency=3)
    client.force_login(carol)

    assert _refs(client.get(QUEUE, {"view": "teams", "priority": "1"})) == [printer.reference]
    assert _refs(client.get(QUEUE, {"view": "teams", "tag": "printer"})) == [printer.reference]
    assert _refs(client.get(QUEUE, {"view": "teams", "requester": alice.email})) == [printer.reference]
    assert _refs(client.get(QUEUE, {"view": "teams", "requester": "Alice"})) == [printer.reference]
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert _refs(client.get(QUEUE, {"view": "teams", "created_after": tomorrow})) == []
    response = client.get(QUEUE, {"view": "teams", "priority": "1", "sort": "created"})
    assert "priority=1" in response.context["kept_query"]


def test_an_invalid_filter_is_reported_and_ignored(client, alice, carol, service_desk):
    _ticket(alice, "Anything")
    client.force_login(carol)

    response = client.get(QUEUE, {"view": "teams", "priority": "9", "created_after": "not-a-date"})

    assert response.status_code == 200
    assert len(_refs(response)) == 1
    assert "Some filters were not understood" in response.content.decode()


def test_a_chosen_filter_stays_selected_on_the_page(client, alice, carol, service_desk):
    _ticket(alice, "Anything")
    client.force_login(carol)

    page = client.get(QUEUE, {"view": "teams", "team": service_desk.pk}).content.decode()

    assert f'<option value="{service_desk.pk}" selected>' in page


def test_the_filter_panel_is_drawn_only_when_asked_for(client, alice, carol, service_desk):
    _ticket(alice, "Anything")
    client.force_login(carol)

    plain = client.get(QUEUE).content.decode()
    asked = client.get(QUEUE, {"filters": "1"}).content.decode()
    partial = client.get(QUEUE, {"view": "teams", "filters": "1"}, HTTP_HX_REQUEST="true").content.decode()

    assert 'data-testid="queue-filters"' not in plain and 'data-testid="show-filters"' in plain
    assert 'data-testid="queue-filters"' in asked
    assert partial.lstrip().startswith('<form method="get" id="queue-filters"')
    assert "<html" not in partial
