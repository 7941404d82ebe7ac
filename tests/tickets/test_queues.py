"""/agent/: views, filters, keyset pages, counts and who sees what."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

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

    # the tickets with their requester, team, assignee, SLA calendar and tags in one query
    assert counted == [1, 1]
    assert sorted(result.tickets[0].tag_names) == sorted(["printer", f"floor-{int(result.tickets[0].subject[7:]) % 4}"])


def test_the_queue_page_runs_a_bounded_number_of_queries(
    client, alice, carol, service_desk, django_assert_max_num_queries
):
    for number in range(60):
        _ticket(alice, f"Ticket {number}")
    client.force_login(carol)

    with django_assert_max_num_queries(16):
        response = client.get(QUEUE, {"view": "teams"})
    assert len(_refs(response)) == 50


def test_a_warm_queue_page_costs_four_queries(client, alice, carol, service_desk, django_assert_num_queries):
    for number in range(10):
        _ticket(alice, f"Ticket {number}")
    client.force_login(carol)
    client.get(QUEUE, {"view": "teams"})  # counts and the bulk bar's option lists cached

    # The session, the user with their team ids, the page, the user's last action (counts key).
    with django_assert_num_queries(4):
        response = client.get(QUEUE, {"view": "teams"})
    assert len(_refs(response)) == 10


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


def test_sidebar_counts_equal_the_views_for_every_kind_of_staff(alice, bob, carol, dave, erin, ada, desk):
    # carol escalates a ticket to Network and dave puts it on pending: carol now sees it only as
    # its coordinator, in "pending" and "escalated", which the counts find apart from her teams.
    from tickets.models import Ticket
    from tickets.services.escalation import ticket_escalate

    handed_over = ticket_assign(_ticket(bob, "Handed over"), carol, acting_user=carol)
    ticket_escalate(
        handed_over, to_team=dave.teams.get(), symptoms="VPN", tried="Restart", diagnostics="Log", acting_user=carol
    )
    handed_over = Ticket.objects.get(pk=handed_over.pk)
    ticket_change_status(handed_over, "pending", acting_user=dave)
    assert handed_over.team_id not in {team.pk for team in carol.teams.all()}
    # "Breaching soon" in a team, and for carol a ticket of Network assigned to her.
    carol_elsewhere = _ticket(bob, "Carol's, in Network", team=dave.teams.get())
    Ticket.objects.filter(pk=carol_elsewhere.pk).update(assignee=carol)
    soon, later = timezone.now() + timedelta(hours=1), timezone.now() + timedelta(days=3)
    Ticket.objects.filter(pk__in=[desk["mine"].pk, desk["network"].pk, carol_elsewhere.pk]).update(sla_next_due_at=soon)
    Ticket.objects.filter(pk=desk["unassigned"].pk).update(sla_next_due_at=later)

    for user in (carol, dave, erin, ada):
        cache.clear()
        fresh = type(user).objects.get(pk=user.pk)
        expected = {str(view): queues.view_queryset(fresh, view).count() for view in queues.COUNTED}
        assert queues.view_counts(fresh) == expected, user.email
    cache.clear()
    carol_counts = queues.view_counts(type(carol).objects.get(pk=carol.pk))
    assert (carol_counts["pending"], carol_counts["escalated"]) == (2, 1)
    assert (carol_counts["breaching"], carol_counts["mine"]) == (2, 3)


@pytest.mark.parametrize("persona", ["alice", "carol", "dave", "erin", "ada"])
def test_no_view_holds_a_ticket_the_person_may_not_see(request, persona, desk):
    from accounts.permissions import visible
    from tickets.models import Ticket

    user = request.getfixturevalue(persona)

    for view in queues.View:
        shown = set(queues.view_queryset(user, view).values_list("pk", flat=True))
        allowed = set(visible(user, Ticket.objects.filter(pk__in=shown)).values_list("pk", flat=True))
        assert shown == allowed, view


def test_sidebar_counts_need_only_the_counts_index_for_my_teams_and_my_tickets(carol, desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        queues.view_counts(carol)

    # The cache key's "last event I acted in" (one step down event_actor_id_idx), then the counts.
    assert len(captured.captured_queries) == 7
    last_acted = captured.captured_queries[0]["sql"]
    assert "SELECT max(id) FROM tickets_ticketevent WHERE actor_id = " in last_acted
    in_teams, elsewhere = (query["sql"] for query in captured.captured_queries[1:3])
    # COUNT(id), an OR of team and assignee, or the visibility rule's EXISTS over every active
    # ticket would each make PostgreSQL read the rows (0.3 s at a million tickets).
    for sql in (in_teams, elsewhere):
        assert 'COUNT("tickets_ticket"."id")' not in sql and " OR " not in sql and "EXISTS" not in sql


def test_queue_rows_show_each_ticket_escaped_with_its_link_tags_and_badges(client, alice, carol, service_desk):
    ticket = _ticket(alice, "<script>alert(1)</script> & printer", impact=1, urgency=1)
    ticket_set_tags(ticket, ["printer", "floor-2"], acting_user=carol)
    client.force_login(carol)

    page = client.get(QUEUE, {"view": "teams"}).content.decode()

    url = reverse("tickets:agent_ticket", args=[ticket.reference])
    assert f'<tr data-queue-row data-href="{url}">' in page
    assert f'<a href="{url}">{ticket.reference}</a>' in page
    assert f'aria-label="Select {ticket.reference}"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; printer" in page and "<script>alert(1)" not in page
    assert '<span class="badge rounded-pill text-bg-light border fw-normal">floor-2</span>' in page
    assert '<span class="badge text-bg-info" data-testid="status">New</span>' in page
    assert '<span class="badge text-bg-danger">P1</span>' in page
    assert f'<td class="queue-requester small">{alice.full_name}</td>' in page


def test_queue_rows_name_a_person_without_a_name_by_their_address(client, acme, carol, service_desk):
    from tests.factories import UserFactory

    nameless = UserFactory(email="nameless@acme.example", full_name="", organisation=acme)
    ticket_assign(_ticket(nameless, "Who am I"), carol, acting_user=carol)
    _ticket(nameless, "Nobody on it")
    client.force_login(carol)

    page = client.get(QUEUE, {"view": "teams"}).content.decode()

    assert page.count('<td class="queue-requester small">nameless@acme.example</td>') == 2
    assert page.count(f'<td class="queue-assignee small">{carol.full_name}</td>') == 1
    assert page.count('<td class="queue-assignee small">—</td>') == 1  # unassigned


def test_an_empty_queue_says_so(client, carol, service_desk):
    client.force_login(carol)

    assert "No tickets here." in client.get(QUEUE, {"view": "mine"}).content.decode()


@pytest.mark.parametrize("state", ["none", "paused", "stopped", "ok", "warning", "overdue"])
def test_the_rows_sla_badge_is_the_sla_badge_template(state):
    from django.template.loader import render_to_string

    from tickets.sla.badges import Badge
    from tickets.templatetags.ticket_badges import sla_badge_html

    badge = Badge(state, "" if state == "stopped" else f"3 h <left> {state}")

    assert sla_badge_html(badge) == render_to_string("tickets/_sla_badge.html", {"badge": badge}).strip()


def test_the_bulk_bar_lists_the_agents_as_they_are_now(client, carol, dave, service_desk):
    client.force_login(carol)

    first = client.get(QUEUE).content.decode()
    dave.full_name = "Dave Renamed"
    dave.save(update_fields=["full_name"])
    after = client.get(QUEUE).content.decode()

    assert f'<option value="{dave.pk}">Dave Fischer</option>' in first
    assert f'<option value="{dave.pk}">Dave Renamed</option>' in after


# --- the written-out page statement and the rows in Python ----------------------------------


@pytest.fixture
def busy_desk(alice, bob, carol, dave, erin, service_desk, network_team, desk):
    """More tickets than a page of 5 in every view, with tags, SLA due times and a second team."""
    from tickets.models import Ticket

    for number in range(14):
        ticket = _ticket(bob if number % 2 else alice, f"Busy {number}", impact=1 + number % 3, urgency=1 + number % 2)
        if number % 3 == 0:
            ticket_assign(ticket, carol, acting_user=carol)
        if number % 4 == 0:
            ticket_set_tags(ticket, ["printer", f"floor-{number % 3}"], acting_user=carol)
    carols_in_network = _ticket(bob, "Carol's, in Network", team=network_team)
    Ticket.objects.filter(pk=carols_in_network.pk).update(assignee=carol)
    soon = timezone.now() + timedelta(hours=2)
    Ticket.objects.filter(subject__in=["Busy 1", "Busy 2", "Busy 5", "Network only"]).update(sla_next_due_at=soon)
    Ticket.objects.filter(pk=carols_in_network.pk).update(sla_next_due_at=soon)
    # Two tickets due at the same moment as another: the keyset's id breaks the tie.
    Ticket.objects.filter(subject__in=["Busy 7", "Busy 8"]).update(sla_next_due_at=soon)


@pytest.mark.parametrize("persona", ["carol", "dave", "erin", "ada", "nobody"])
@pytest.mark.parametrize("sort", sorted(queues.SORTS))
def test_a_views_written_out_condition_pages_exactly_like_its_queryset(request, busy_desk, persona, sort):
    from accounts.models import Role
    from tests.factories import UserFactory

    if persona == "nobody":
        user = UserFactory(email="nobody@helpdesk.example", full_name="In No Team", role=Role.AGENT)
    else:
        user = request.getfixturevalue(persona)

    for view in queues.OWN_WORK:
        fresh = type(user).objects.get(pk=user.pk)
        condition = queues.view_condition(fresh, view)
        assert condition is not None
        by_condition, by_queryset, cursors = [], [], [None, None]
        while True:
            written = queues.page(condition, sort_key=sort, cursor=cursors[0], size=5)
            orm = queues.page(queues.view_queryset(fresh, view), sort_key=sort, cursor=cursors[1], size=5)
            by_condition += written.tickets
            by_queryset += orm.tickets
            assert written.next_cursor == orm.next_cursor, (view, sort)
            if not written.next_cursor:
                break
            cursors = [written.next_cursor, orm.next_cursor]
        assert by_condition == by_queryset, (view, sort)
        assert {row.pk for row in by_condition} == set(queues.view_queryset(fresh, view).values_list("pk", flat=True))


def test_the_views_without_a_written_out_condition_use_their_queryset(alice, carol, service_desk):
    for view in set(queues.View) - queues.OWN_WORK:
        assert queues.view_condition(carol, view) is None
    for view in queues.View:
        assert queues.view_condition(alice, view) is None


def test_a_queue_row_carries_what_its_row_shows(alice, carol, service_desk):
    from tickets.sla.models import SlaPolicy

    ticket = _ticket(alice, "With everything", impact=1, urgency=1)
    ticket_assign(ticket, carol, acting_user=carol)
    ticket_set_tags(ticket, ["vpn", "printer"], acting_user=carol)
    ticket.refresh_from_db()

    (row,) = queues.page(queues.view_condition(carol, queues.View.MINE), sort_key="priority", cursor=None).tickets

    assert (row.pk, row.reference, row.subject, row.status, row.priority) == (
        ticket.pk,
        ticket.reference,
        ticket.subject,
        ticket.status,
        ticket.priority,
    )
    assert (row.requester_name, row.team_name, row.assignee_name) == (str(alice), "Service Desk", str(carol))
    assert row.tag_names == ["printer", "vpn"]
    assert (row.updated_at, row.sla_next_due_at) == (ticket.updated_at, ticket.sla_next_due_at)
    if ticket.sla_policy_id is None:
        assert row.sla_policy is None
    else:
        calendar = SlaPolicy.objects.select_related("calendar").get(pk=ticket.sla_policy_id).calendar
        assert row.sla_policy.calendar == (calendar.pk, calendar.updated_at)


def test_an_agent_in_no_team_has_empty_team_views_without_a_query(db, django_assert_num_queries):
    from accounts.models import Role
    from tests.factories import UserFactory

    loner = UserFactory(email="loner@helpdesk.example", full_name="Lone Agent", role=Role.AGENT)
    condition = queues.view_condition(loner, queues.View.TEAMS)

    with django_assert_num_queries(0):
        assert queues.page(condition, sort_key="priority", cursor=None).tickets == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_rows_dates_are_djangos_date_filter_in_the_agents_zone(client, alice, carol, service_desk, language):
    from django.template import Context, Template

    ticket = _ticket(alice, "Printer jams")
    ticket.refresh_from_db()
    carol.language, carol.time_zone = language, "Asia/Shanghai"
    carol.save(update_fields=["language", "time_zone"])
    client.force_login(carol)

    page = client.get(QUEUE, {"view": "teams"}).content.decode()

    with timezone.override("Asia/Shanghai"), translation.override(language):
        expected = Template('{{ when|date:"SHORT_DATETIME_FORMAT" }}').render(Context({"when": ticket.updated_at}))
    assert f'<td class="queue-updated small">{expected}</td>' in page


def test_each_page_holds_only_its_own_users_and_requests_markup(client, carol, erin, service_desk):
    from django.test import Client

    client.force_login(carol)
    other = Client()
    other.force_login(erin)

    carols = client.get(QUEUE, {"view": "teams"})
    erins = other.get(QUEUE, {"view": "mine", "sort": "updated"})
    carols_again = client.get(QUEUE, {"view": "teams"}).content.decode()
    erins_in_chinese = other.get(QUEUE, HTTP_ACCEPT_LANGUAGE="zh-hans")

    carols, erins = carols.content.decode(), erins.content.decode()
    assert "Carol Nguyen" in carols and "Erin Walsh" not in carols.split("<main")[0]
    assert "Erin Walsh" in erins and "Carol Nguyen" not in erins.split("<main")[0]
    # A manager's navigation, not the agent's drawn for carol; each its own CSRF token.
    assert "SLA policies" in erins and "SLA policies" not in carols
    assert carols.count('name="csrfmiddlewaretoken"') == 3 and erins.count('name="csrfmiddlewaretoken"') == 3
    token = carols.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert token not in erins
    # The chosen sort and the current page in the navigation are the request's own.
    assert '<option value="updated" selected>' in erins and '<option value="priority" selected>' in carols_again
    assert erins_in_chinese.status_code == 200


def test_a_chinese_page_after_an_english_one_is_chinese(client, carol, service_desk):
    client.force_login(carol)
    english = client.get(QUEUE).content.decode()
    carol.language = "zh-hans"
    carol.save(update_fields=["language"])

    chinese = client.get(QUEUE).content.decode()

    assert 'lang="en"' in english and 'lang="zh-hans"' in chinese
    assert english.split('<tbody id="queue-rows">')[0] != chinese.split('<tbody id="queue-rows">')[0]
    assert '<option value="zh-hans" selected>' in chinese and '<option value="en" selected>' in english


def test_the_pages_statement_is_prepared_on_its_connection_and_still_counted(
    alice, carol, service_desk, django_assert_num_queries
):
    """helpdesk.db.prepared_cursor: after a few runs PostgreSQL no longer plans the page's SELECT."""
    from django.conf import settings
    from django.db import connection

    _ticket(alice, "Prepared")
    condition = queues.view_condition(carol, queues.View.TEAMS)
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]

    def prepared_statements() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    for _ in range(threshold + 1):
        with django_assert_num_queries(1):
            page = queues.page(condition, sort_key="priority", cursor=None)
        assert [row.subject for row in page.tickets] == ["Prepared"]

    # Bound on the server: the team is a placeholder, the statuses of the partial index literals.
    page_statement = (
        """"tickets_ticket"."status" IN ('new', 'open', 'pending', 'on_hold')"""
        """ AND "tickets_ticket"."team_id" IN ($1)"""
    )
    assert any(page_statement in statement for statement in prepared_statements())


def test_the_sort_form_keeps_the_filters_but_not_the_sort_or_the_cursor(client, carol, service_desk):
    client.force_login(carol)

    html = client.get(
        QUEUE, {"view": "teams", "priority": "2", "sort": "updated", "after": "abc", "q": '"><b>'}
    ).content
    form = html.decode().split('id="queue-sort"')[0].rsplit("<form", 1)[1]

    assert '<input type="hidden" name="view" value="teams">' in form
    assert '<input type="hidden" name="priority" value="2">' in form
    assert 'value="&quot;&gt;&lt;b&gt;"' in form
    assert 'name="sort"' not in form.split("<label")[0] and 'name="after"' not in form


def test_a_row_changes_with_anything_it_shows(client, alice, carol, service_desk):
    ticket = _ticket(alice, "Printer jams")
    client.force_login(carol)
    client.get(QUEUE, {"view": "teams"})

    alice.full_name = "Alice Renamed"
    alice.save()
    ticket_set_tags(ticket, ["paper"], acting_user=carol)
    page = client.get(QUEUE, {"view": "teams"}).content.decode()

    assert "Alice Renamed" in page and "Alice Smith" not in page
    assert ">paper</span>" in page


def test_the_bulk_bar_menus_follow_a_new_agent_and_team(client, alice, carol, service_desk):
    from accounts.models import Role
    from tests.factories import TeamFactory, UserFactory

    _ticket(alice, "Anything")
    client.force_login(carol)
    before = client.get(QUEUE, {"view": "teams"}).content.decode()  # both menus cached
    nora = UserFactory(email="nora@helpdesk.example", full_name="Nora Newcomer", role=Role.AGENT)
    field = TeamFactory(name="Field Service")

    after = client.get(QUEUE, {"view": "teams"}).content.decode()

    assert "Nora Newcomer" not in before and "Field Service" not in before
    assert f'<option value="{nora.pk}">Nora Newcomer</option>' in after
    assert f'<option value="{field.pk}">Field Service</option>' in after
    assert f'<option value="{carol.pk}">{carol.full_name}</option>' in after
