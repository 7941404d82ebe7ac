"""The KPI dashboards: /manage/kpis/ (managers) and /agent/me/ (agents): who sees what, and the figures."""

import csv
import datetime as dt
import io
import socket

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from kpis.charts import line_chart
from kpis.export import export_figures
from kpis.models import Dimension, Period, PeriodFigure, TeamSnapshot
from kpis.rollups import refresh_full
from kpis.scorecards import rules_of, scorecard_for
from kpis.scoring import score
from kpis.snapshots import refresh_team_snapshots
from kpis.tasks import refresh_kpis_snapshots
from tests.factories import UserFactory
from tickets.models import Category, EventKind, TicketEvent
from tickets.notifications import survey_token
from tickets.services import ticket_create, ticket_reply, ticket_resolve
from tickets.services.escalation import ticket_escalate
from tickets.services.satisfaction import satisfaction_answer

T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)  # a Monday
VIEWED_AT = dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.UTC)
OCTOBER = {"period": "month", "start": "2026-10-01"}
MANAGER_URL = reverse("kpis_dashboards:manager")
AGENT_URL = reverse("kpis_dashboards:agent")


def minutes(n):
    return dt.timedelta(minutes=n)


@pytest.fixture
def history(alice, bob, carol, dave, service_desk, network_team):
    """October 2026: carol answers and resolves three Service Desk tickets, escalates one to
    Network, leaves one open; dave resolves a Network ticket; alice comments on carol's work."""
    printers = Category.objects.create(name="打印机")
    tickets = []
    for number, waited in enumerate((10, 20, 40, 30, 15)):
        at = T0 + dt.timedelta(days=number)
        requester = alice if number % 2 else bob
        ticket = ticket_create(
            requester=requester,
            subject=f"Printer {number}",
            description="jammed",
            acting_user=requester,
            category=printers,
            team=service_desk,
            at=at,
        )
        ticket_reply(ticket, "Looking", acting_user=carol, at=at + minutes(waited))
        tickets.append(ticket)
    for number, ticket in enumerate(tickets[:3]):
        ticket_resolve(
            ticket, code="fixed", summary="Cleared", acting_user=carol, at=T0 + dt.timedelta(days=number, hours=2)
        )
    ticket_escalate(
        tickets[3],
        to_team=network_team,
        symptoms="No link",
        tried="Restart",
        diagnostics="ping fails",
        acting_user=carol,
        at=T0 + dt.timedelta(days=3, hours=1),
    )
    network = ticket_create(
        requester=alice, subject="Switch", description="down", acting_user=alice, team=network_team, at=T0
    )
    ticket_reply(network, "On it", acting_user=dave, at=T0 + minutes(5))
    ticket_resolve(network, code="fixed", summary="Replaced", acting_user=dave, at=T0 + minutes(50))
    resolution = TicketEvent.objects.filter(ticket=tickets[0], kind=EventKind.RESOLVED).get()
    satisfaction_answer(survey_token(resolution), score=5, comment="很快就修好了", at=T0 + dt.timedelta(days=1))
    refresh_full()
    return tickets


@pytest.fixture
def viewed():
    with time_machine.travel(VIEWED_AT, tick=False):
        yield


def _table(response, key):
    return response.context[key]


def _csv(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


# --- who may open what ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [MANAGER_URL, AGENT_URL])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", [MANAGER_URL, AGENT_URL])
def test_requesters_may_not_open_dashboards(client, alice, url):
    client.force_login(alice)
    assert client.get(url).status_code == 403


def test_agents_may_not_open_the_manager_dashboard(client, carol, service_desk):
    client.force_login(carol)
    assert client.get(MANAGER_URL).status_code == 403
    assert client.get(MANAGER_URL, {"team": service_desk.pk, "format": "csv", "table": "agents"}).status_code == 403


def test_a_manager_may_not_open_another_teams_dashboard(client, erin, service_desk, network_team):
    client.force_login(erin)
    assert client.get(MANAGER_URL, {"team": network_team.pk}).status_code == 403
    assert client.get(MANAGER_URL, {"team": network_team.pk, "format": "csv", "table": "agents"}).status_code == 403
    response = client.get(MANAGER_URL)
    assert response.status_code == 200
    assert [team.name for team in response.context["teams"]] == ["Service Desk"]


def test_an_admin_sees_every_team(client, ada, service_desk, network_team):
    client.force_login(ada)
    response = client.get(MANAGER_URL, {"team": network_team.pk})
    assert response.status_code == 200
    assert response.context["team"] == network_team
    assert {team.name for team in response.context["teams"]} == {"Service Desk", "Network"}


def test_a_manager_without_teams_sees_an_empty_page(client, service_desk):
    lonely = UserFactory(email="mia@helpdesk.example", full_name="Mia Manager", role="manager")
    client.force_login(lonely)
    response = client.get(MANAGER_URL)
    assert response.status_code == 200
    assert b'data-testid="no-teams"' in response.content


def test_an_agent_sees_only_their_own_figures_and_team_aggregates(client, carol, dave, history, viewed):
    client.force_login(carol)
    response = client.get(AGENT_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Dave Fischer" not in content
    assert "很快就修好了" in content
    # Another team's aggregates are not hers to compare with.
    network = dave.teams.get()
    assert client.get(AGENT_URL, {"team": network.pk}).status_code == 403


def test_an_agent_page_has_no_way_to_name_another_agent(client, carol, dave, history, viewed):
    """Whatever the query string says, the page is about the signed-in agent."""
    client.force_login(dave)
    response = client.get(AGENT_URL, {"agent": carol.pk, "user": carol.pk})
    assert "很快就修好了" not in response.content.decode()
    trend = _table(response, "trend")
    assert sum(row[1] for row in trend.rows) == 1  # dave's one Network resolution


def test_an_agent_sees_only_comments_on_their_own_resolutions(client, dave, history, viewed):
    client.force_login(dave)
    assert _table(client.get(AGENT_URL), "comments").rows == []


def test_unknown_csv_table_is_not_found(client, erin, service_desk):
    client.force_login(erin)
    assert client.get(MANAGER_URL, {"format": "csv", "table": "nope"}).status_code == 404


# --- the figures --------------------------------------------------------------------------------


def test_manager_dashboard_figures_match_the_export(client, erin, carol, service_desk, history, viewed):
    client.force_login(erin)
    response = client.get(MANAGER_URL, OCTOBER)
    assert response.status_code == 200
    by_agent = export_figures(dt.date(2026, 10, 1), dt.date(2026, 10, 31), "agent")
    by_team = export_figures(dt.date(2026, 10, 1), dt.date(2026, 10, 31), "team")

    agents = _table(response, "agents")
    carol_row = next(row for row in agents.rows if row[0] == "Carol Nguyen")
    assert carol_row[1] == by_agent[carol.pk]["tickets_resolved"] == 3
    scorecard = scorecard_for(service_desk)
    expected = score(rules_of(scorecard), by_agent[carol.pk], scorecard.bands)
    assert carol_row[2] == pytest.approx(expected.composite)
    assert carol_row[4:] == pytest.approx([item.points for item in expected.items], nan_ok=True)

    trend = _table(response, "trend")
    october = trend.rows[-1]
    team = by_team[service_desk.pk]
    assert october[0] == "October 2026"
    assert october[1] == 5  # arrived
    assert october[2] == team["tickets_resolved"] == 3
    assert october[3] == 1  # the open one; the escalated one moved to Network
    assert october[4] == pytest.approx(team["frt_median_s"])
    assert october[5] == pytest.approx(team["resolution_final_median_s"])
    assert october[8] == team["csat_positive_rate"]

    categories = _table(response, "categories")
    assert categories.rows[0][:2] == ["打印机", 3]

    escalations = _table(response, "escalations")
    assert escalations.rows == [["Service Desk", "Tier 1 – service desk", "Network", "Tier 2 – specialists", 1]]

    # When the month's figures were computed: the running month is recomputed every quarter hour.
    computed_at = PeriodFigure.objects.get(
        period=Period.MONTH, dimension=Dimension.TEAM, key=service_desk.pk, start=dt.date(2026, 10, 1)
    ).computed_at
    assert response.context["computed_at"] == computed_at
    with translation.override("en"):
        shown = date_format(timezone.localtime(computed_at), "DATETIME_FORMAT")
    assert f"Figures as of {shown}" in response.content.decode()


def test_agent_dashboard_compares_with_targets_and_the_team_median(client, carol, service_desk, history):
    with time_machine.travel(dt.datetime(2026, 10, 20, tzinfo=dt.UTC), tick=False):
        client.force_login(carol)
        response = client.get(AGENT_URL)
    own = export_figures(dt.date(2026, 10, 1), dt.date(2026, 10, 31), "agent")[carol.pk]
    figures = _table(response, "figures")
    frt = next(row for row in figures.rows if str(row[0]) == "First response time (median)")
    # [label, this month, points, last month, team median, target, floor]
    assert frt[1] == pytest.approx(own["frt_median_s"])
    assert frt[4] == pytest.approx(own["frt_median_s"])  # carol is the team's only agent
    assert frt[5] == 30 * 60
    review = next(row for row in figures.rows if str(row[0]) == "Ticket quality review score")
    assert review[1] is None and review[2] is None  # no reviews yet: no data, not zero
    trend = _table(response, "trend")
    assert len(trend.rows) == 12 and trend.rows[-1][1] == own["tickets_resolved"]
    newest = PeriodFigure.objects.filter(period=Period.MONTH, dimension=Dimension.AGENT, key=carol.pk)
    assert response.context["computed_at"] == newest.latest("computed_at").computed_at
    assert "Figures as of" in response.content.decode()


def test_backlog_by_age_is_stored_for_every_team_in_four_queries(
    service_desk, network_team, history, django_assert_num_queries
):
    with django_assert_num_queries(4):  # backlog, arrivals, the teams, one upsert
        refresh_team_snapshots(VIEWED_AT)
    # The open ticket was created Oct 9: 25 days before.
    assert TeamSnapshot.objects.get(team=service_desk).backlog == {
        "under_1d": 0,
        "1_3d": 0,
        "3_7d": 0,
        "7_30d": 1,
        "over_30d": 0,
    }
    # Network holds the ticket escalated to it (created Oct 8) and no other open one.
    assert TeamSnapshot.objects.get(team=network_team).backlog["7_30d"] == 1
    refresh_team_snapshots(VIEWED_AT + dt.timedelta(days=10))  # the same ticket, older: rewritten, not added
    assert TeamSnapshot.objects.get(team=service_desk).backlog["over_30d"] == 1
    assert TeamSnapshot.objects.filter(team=service_desk).count() == 1


def test_arrivals_are_counted_by_local_weekday_and_hour(service_desk, network_team, history):
    service_desk.time_zone = "Asia/Shanghai"
    service_desk.save()
    refresh_team_snapshots(dt.datetime(2026, 10, 20, tzinfo=dt.UTC))
    grid = TeamSnapshot.objects.get(team=service_desk).arrivals
    # Mon–Fri 09:00 UTC is 17:00 in Shanghai; the escalated ticket counts where it was created.
    assert [grid[day][17] for day in range(7)] == [1, 1, 1, 1, 1, 0, 0]
    assert sum(map(sum, grid)) == 5
    # Network (UTC) got one ticket on Monday 09:00.
    network = TeamSnapshot.objects.get(team=network_team).arrivals
    assert network[0][9] == 1 and sum(map(sum, network)) == 1


def test_the_beat_task_stores_snapshots_even_without_new_events(service_desk, history, settings):
    TeamSnapshot.objects.all().delete()
    refresh_kpis_snapshots.apply()  # nothing new since refresh_full: the snapshots are stored all the same
    assert TeamSnapshot.objects.get(team=service_desk).computed_at is not None
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "kpis.refresh_snapshots" in tasks


def test_the_dashboard_says_when_the_backlog_is_not_counted_yet(client, erin, service_desk, history, viewed):
    TeamSnapshot.objects.all().delete()
    client.force_login(erin)
    response = client.get(MANAGER_URL, OCTOBER)
    assert b"Not counted yet" in response.content
    backlog = response.context["backlog_age"]
    assert [row[1] for row in backlog.table.rows] == [0, 0, 0, 0, 0]


def test_the_dashboard_reads_the_stored_backlog_and_says_as_of_when(client, erin, service_desk, history, viewed):
    refresh_team_snapshots(VIEWED_AT)
    TeamSnapshot.objects.filter(team=service_desk).update(
        backlog={"under_1d": 7, "1_3d": 0, "3_7d": 0, "7_30d": 1, "over_30d": 0}
    )
    client.force_login(erin)
    response = client.get(MANAGER_URL, OCTOBER)
    backlog = response.context["backlog_age"]
    # What the page shows is the stored row (7 was written by hand above), not a count per request.
    assert [row[1] for row in backlog.table.rows] == [7, 0, 0, 1, 0]
    assert b"As of " in response.content


def test_weekly_trend_reads_week_figures(client, erin, service_desk, history, viewed):
    client.force_login(erin)
    response = client.get(MANAGER_URL, {"period": "week", "start": "2026-10-07"})
    trend = _table(response, "trend")
    assert response.context["start"] == dt.date(2026, 10, 5)
    assert len(trend.rows) == 12
    assert trend.rows[-1][1:3] == [5, 3]


# --- CSV, charts, speed -------------------------------------------------------------------------


def test_every_manager_table_downloads_as_csv_with_a_bom(client, erin, service_desk, history, viewed):
    client.force_login(erin)
    page = client.get(MANAGER_URL, OCTOBER)
    for key in ("trend", "agents", "backlog_age", "categories", "arrivals", "escalations", "deflection"):
        response = client.get(MANAGER_URL, {**OCTOBER, "format": "csv", "table": key})
        assert response.status_code == 200, key
        assert response["Content-Type"].startswith("text/csv")
        assert f'filename="kpis-team{service_desk.pk}-month-2026-10-01-{key}.csv"' in response["Content-Disposition"]
        assert _csv(response), key
        assert f"table={key}" in page.content.decode()
    categories = _csv(client.get(MANAGER_URL, {**OCTOBER, "format": "csv", "table": "categories"}))
    assert categories[0][3] == "Recurrence rate (0–1)"
    assert categories[1][:2] == ["打印机", "3"]


def test_agent_tables_download_as_csv(client, carol, history, viewed):
    client.force_login(carol)
    for key in ("figures", "trend", "comments"):
        response = client.get(AGENT_URL, {"format": "csv", "table": key})
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="my-kpis-2026-11-{key}.csv"'
    comments = _csv(client.get(AGENT_URL, {"format": "csv", "table": "comments"}))
    assert comments[1][2] == "很快就修好了"


def test_charts_are_inline_svg_with_a_cjk_font_and_a_table(client, erin, service_desk, history, viewed):
    client.force_login(erin)
    client.post(reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"})
    content = client.get(MANAGER_URL, OCTOBER).content.decode()
    assert content.count("<svg") >= 7  # six trends and the backlog by age; the heat map is a table
    assert "Noto Sans CJK SC" in content
    assert "<script" not in content.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "kozea.github.io" not in content
    assert "工单" in content  # the page, chart titles included, in Chinese
    assert 'class="visually-hidden"' in content


def test_a_chart_draws_chinese_labels():
    with translation.override("zh-hans"):
        chart = line_chart("x", "满意度", ["2026-10"], [("满意", [0.5])], "rate")
    assert "满意度" in chart.svg and "Noto Sans CJK SC" in chart.svg
    assert chart.table.cells[0] == [chart.table.cells[0][0], chart.table.cells[0][1]]
    assert chart.table.cells[0][1].text == "50.0 %"


def test_manager_dashboard_reads_a_bounded_number_of_queries(
    client, erin, service_desk, history, viewed, django_assert_max_num_queries
):
    client.force_login(erin)
    client.get(MANAGER_URL, OCTOBER)
    with django_assert_max_num_queries(22):
        assert client.get(MANAGER_URL, OCTOBER).status_code == 200


def test_agent_dashboard_reads_a_bounded_number_of_queries(
    client, carol, history, viewed, django_assert_max_num_queries
):
    client.force_login(carol)
    client.get(AGENT_URL)
    with django_assert_max_num_queries(12):
        assert client.get(AGENT_URL).status_code == 200


# --- not enough data ----------------------------------------------------------------------------


@pytest.fixture
def nina(service_desk):
    """A new agent of the Service Desk."""
    agent = UserFactory(email="nina@helpdesk.example", full_name="Nina Novak", role="agent")
    service_desk.members.add(agent)
    return agent


def test_a_new_agent_with_two_resolutions_has_not_enough_data_not_zero(client, alice, erin, nina, service_desk, viewed):
    for number in range(2):
        at = T0 + dt.timedelta(days=number)
        ticket = ticket_create(
            requester=alice, subject=f"Mouse {number}", description="dead", acting_user=alice, team=service_desk, at=at
        )
        ticket_reply(ticket, "Looking", acting_user=nina, at=at + minutes(10))
        ticket_resolve(ticket, code="fixed", summary="New battery", acting_user=nina, at=at + minutes(40))
    refresh_full()
    client.force_login(erin)

    response = client.get(MANAGER_URL, OCTOBER)

    agents = _table(response, "agents")
    number, row = next((number, row) for number, row in enumerate(agents.rows) if row[0] == "Nina Novak")
    assert row[1] == 2
    assert (row[2], row[3]) == (None, None)  # no composite, no band: not 0 "Unsatisfactory"
    assert [cell.text for cell in agents.cells[number][2:4]] == ["not enough data", "–"]
    assert "Unsatisfactory" not in response.content.decode()
    exported = _csv(client.get(MANAGER_URL, {**OCTOBER, "format": "csv", "table": "agents"}))
    assert next(line for line in exported if line[0] == "Nina Novak")[1:4] == ["2", "not enough data", ""]


# Items with enough data carry 55 of the default scorecard's 100 (review score, growth, SLA and
# CSAT have none): resolution and first response at their targets (100 points each), FCR, reopen
# rate and workload halfway (50 each), no article reuse (0).
CAROL_ENOUGH = {
    "tickets_resolved": 20,
    "resolutions": 20,
    "frt_count": 20,
    "frt_median_s": 1800.0,
    "resolution_final_median_s": 8 * 3600.0,
    "fcr_rate": 0.575,
    "reopen_rate": 0.09,
    "weighted_workload": 35,
    "article_reuse": 0,
}


def test_an_agent_with_enough_data_gets_the_weighted_score(client, erin, carol, service_desk, viewed):
    PeriodFigure.objects.create(
        period=Period.MONTH,
        start=dt.date(2026, 10, 1),
        dimension=Dimension.AGENT,
        key=carol.pk,
        values=CAROL_ENOUGH,
        computed_at=timezone.now(),
    )
    client.force_login(erin)

    response = client.get(MANAGER_URL, OCTOBER)

    carol_row = next(row for row in _table(response, "agents").rows if row[0] == "Carol Nguyen")
    assert carol_row[2] == pytest.approx((100 * 10 + 100 * 10 + 50 * 10 + 50 * 10 + 50 * 10 + 0 * 5) / 55)
    assert carol_row[3] == "Meets expectations"
    exported = _csv(client.get(MANAGER_URL, {**OCTOBER, "format": "csv", "table": "agents"}))
    assert next(line for line in exported if line[0] == "Carol Nguyen")[2:4] == ["63.64", "Meets expectations"]


# --- the heat map and the chart cache -------------------------------------------------------------


def _chart(response, key):
    return next(chart for chart in response.context["charts"] if chart.key == key)


def test_arrivals_by_weekday_and_hour_are_a_shaded_table(client, erin, service_desk, history):
    with time_machine.travel(dt.datetime(2026, 10, 20, tzinfo=dt.UTC), tick=False):
        refresh_team_snapshots()
        client.force_login(erin)
        response = client.get(MANAGER_URL)
    heat = response.content.decode().split('data-testid="heatmap-arrivals"', 1)[1].split("</section>", 1)[0]
    assert "<svg" not in heat
    assert '<th scope="row" class="fw-normal">Mon</th>' in heat
    # Mon–Fri one ticket each at 09:00 (UTC, the team's zone): the darkest shade, the rest empty.
    assert heat.count('<td class="heat-5">1</td>') == 5
    assert heat.count('<td class="heat-0">0</td>') == 7 * 24 - 5


def test_a_chart_is_read_from_the_cache_once_drawn(client, erin, service_desk, history, viewed):
    client.force_login(erin)
    volume = _chart(client.get(MANAGER_URL, OCTOBER), "volume")
    assert cache.get(volume.cache_key) == volume.svg

    cache.set(volume.cache_key, "<svg>from the cache</svg>", 60)
    assert _chart(client.get(MANAGER_URL, OCTOBER), "volume").svg == "<svg>from the cache</svg>"


def test_a_cached_chart_never_outlives_its_figures(client, alice, carol, erin, service_desk, history, viewed):
    client.force_login(erin)
    before = {chart.key: chart.cache_key for chart in client.get(MANAGER_URL, OCTOBER).context["charts"]}
    for key in before.values():
        cache.set(key, "<svg>stale</svg>", 60)

    # A ticket arrives, Carol resolves it, and the figures are computed again: every trend chart
    # has a new key, and the volume chart shows the arrival (stored with the figures).
    at = T0 + dt.timedelta(days=20)
    ticket = ticket_create(
        requester=alice, subject="Toner", description="empty", acting_user=alice, team=service_desk, at=at
    )
    ticket_resolve(ticket, code="fixed", summary="Replaced", acting_user=carol, at=at + minutes(30))
    refresh_full()
    response = client.get(MANAGER_URL, OCTOBER)
    charts = response.context["charts"]
    assert all(chart.cache_key != before[chart.key] and "stale" not in chart.svg for chart in charts)
    assert _chart(response, "volume").table.rows[-1][1] == 6  # arrived


def test_a_chart_is_cached_per_language(client, erin, service_desk, history, viewed):
    client.force_login(erin)
    english = _chart(client.get(MANAGER_URL, OCTOBER), "volume")
    client.post(reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"})
    chinese = _chart(client.get(MANAGER_URL, OCTOBER), "volume")
    assert english.cache_key != chinese.cache_key
    assert "工单" in chinese.svg and "工单" not in english.svg


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_charts_are_drawn_when_redis_is_down(client, erin, service_desk, history, viewed, settings):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0"}}
    client.force_login(erin)
    response = client.get(MANAGER_URL, OCTOBER)
    assert response.status_code == 200
    assert response.content.decode().count("<svg") >= 7
    assert "Noto Sans CJK SC" in _chart(response, "volume").svg
