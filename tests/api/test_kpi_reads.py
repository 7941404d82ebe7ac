"""GET /api/v1/kpis/figures, /kpis/scorecards/ and /appraisals/: what the dashboards and appraisal pages show.

carol (agent, Service Desk) reads her own figures and her team's; dave (agent, Network) only his;
erin (manager of Service Desk) her team, its members and the desk-wide figures; ada everything.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kpis.appraisals import period_calculate, period_finalize, period_open, period_start_review
from kpis.models import Dimension, Period, PeriodFigure, Scorecard, ScorecardItem
from tests.factories import TeamFactory, UserFactory

FIGURES = reverse("api-kpi-figures")
SCORECARDS = reverse("api:scorecard-list")
APPRAISALS = reverse("api:appraisal-list")
OCTOBER = dt.date(2026, 10, 1)


def figure(dimension, key, **values):
    return PeriodFigure.objects.create(
        period=Period.MONTH, start=OCTOBER, dimension=dimension, key=key, values=values, computed_at=timezone.now()
    )


@pytest.fixture
def october(carol, dave, service_desk, network_team):
    figure(Dimension.AGENT, carol.pk, tickets_resolved=10, frt_median_s=1800.0, fcr_rate=0.9)
    figure(Dimension.AGENT, dave.pk, tickets_resolved=7, frt_median_s=None)
    figure(Dimension.TEAM, service_desk.pk, tickets_resolved=10)
    figure(Dimension.TEAM, network_team.pk, tickets_resolved=7)
    figure(Dimension.DESK, 0, tickets_resolved=17)


def keys(response):
    assert response.status_code == 200, response.content
    return [row["key"] for row in response.json()]


# --- figures --------------------------------------------------------------------------------


def test_an_agent_reads_her_own_figures_with_their_metric_keys(as_user, carol, october):
    response = as_user(carol).get(FIGURES, {"period": "month", "start": "2026-10-01", "dimension": "agent"})

    [row] = response.json()
    assert row["key"] == carol.pk and row["start"] == "2026-10-01" and row["end"] == "2026-10-31"
    assert row["values"] == {"tickets_resolved": 10, "frt_median_s": 1800.0, "fcr_rate": 0.9}


def test_any_day_of_the_period_names_it(as_user, carol, october):
    assert keys(as_user(carol).get(FIGURES, {"start": "2026-10-17", "dimension": "agent"})) == [carol.pk]


def test_an_agent_never_reads_another_agents_figures(as_user, carol, dave, october):
    client = as_user(carol)

    asked = client.get(FIGURES, {"start": "2026-10-01", "dimension": "agent", "key": dave.pk})

    assert asked.status_code == 403 and asked.json()["code"] == "permission_denied"


def test_an_agent_reads_her_teams_aggregates_only(as_user, carol, service_desk, network_team, october):
    client = as_user(carol)

    assert keys(client.get(FIGURES, {"start": "2026-10-01", "dimension": "team"})) == [service_desk.pk]
    assert client.get(FIGURES, {"start": "2026-10-01", "dimension": "team", "key": network_team.pk}).status_code == 403
    assert client.get(FIGURES, {"start": "2026-10-01", "dimension": "desk"}).status_code == 403


def test_a_manager_reads_her_team_its_members_and_the_desk(as_user, carol, erin, service_desk, october):
    client = as_user(erin)

    assert keys(client.get(FIGURES, {"start": "2026-10-01", "dimension": "agent"})) == [carol.pk]
    assert keys(client.get(FIGURES, {"start": "2026-10-01", "dimension": "team"})) == [service_desk.pk]
    assert keys(client.get(FIGURES, {"start": "2026-10-01", "dimension": "desk"})) == [0]


def test_an_admin_reads_every_figure(as_user, ada, carol, dave, october):
    assert keys(as_user(ada).get(FIGURES, {"start": "2026-10-01", "dimension": "agent"})) == sorted([carol.pk, dave.pk])


def test_requesters_read_no_figures(as_user, alice, october):
    response = as_user(alice).get(FIGURES, {"start": "2026-10-01", "dimension": "desk"})

    assert response.status_code == 403


def test_anonymous_callers_are_a_401(api, october):
    assert api.get(FIGURES, {"start": "2026-10-01", "dimension": "desk"}).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"dimension": "agent"}, "start"),
        ({"start": "2026-10-32", "dimension": "agent"}, "start"),
        ({"start": "2026-10-01", "dimension": "planet"}, "dimension"),
        ({"start": "2026-10-01", "dimension": "agent", "period": "year"}, "period"),
        ({"start": "2026-10-01", "dimension": "agent", "key": "-1"}, "key"),
        ({"start": "2026-10-01", "dimension": "agent", "key": "x"}, "key"),
        ({"start": "9999-12-31", "dimension": "agent"}, "start"),
    ],
)
def test_bad_figure_parameters_are_a_400_with_the_field(as_user, erin, params, field):
    response = as_user(erin).get(FIGURES, params)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["fields"]


def test_figures_take_a_bounded_number_of_queries(as_user, erin, service_desk, django_assert_max_num_queries):
    for number in range(30):
        member = UserFactory(email=f"agent{number}@helpdesk.example", role="agent")
        service_desk.members.add(member)
        figure(Dimension.AGENT, member.pk, tickets_resolved=number)
    client = as_user(erin)

    with django_assert_max_num_queries(6):
        assert len(keys(client.get(FIGURES, {"start": "2026-10-01", "dimension": "agent"}))) == 30


# --- scorecards -----------------------------------------------------------------------------


@pytest.fixture
def scorecards(service_desk, network_team):
    desk = Scorecard.objects.create(team=service_desk, name="Desk")
    ScorecardItem.objects.create(
        scorecard=desk, metric="fcr_rate", weight=3, target=0.8, floor=0.4, direction="higher", min_sample=5
    )
    Scorecard.objects.create(team=network_team, name="Network")
    return desk


def names(response):
    assert response.status_code == 200, response.content
    return sorted(scorecard["name"] for scorecard in response.json())


def test_an_agent_reads_the_default_and_her_teams_scorecard(as_user, carol, scorecards):
    response = as_user(carol).get(SCORECARDS)

    assert names(response) == ["Balanced (default)", "Desk"]
    desk = next(scorecard for scorecard in response.json() if scorecard["name"] == "Desk")
    assert desk["items"] == [
        {
            "metric": "fcr_rate",
            "weight": 3,
            "target": 0.8,
            "floor": 0.4,
            "direction": "higher",
            "min_sample": 5,
            "position": 0,
        }
    ]


def test_another_teams_scorecard_is_not_found(as_user, dave, scorecards):
    assert "Desk" not in names(as_user(dave).get(SCORECARDS))
    assert as_user(dave).get(reverse("api:scorecard-detail", args=[scorecards.pk])).status_code == 404


def test_a_manager_reads_the_scorecards_of_her_teams_and_an_admin_all(as_user, erin, ada, scorecards):
    assert names(as_user(erin).get(SCORECARDS)) == ["Balanced (default)", "Desk"]
    assert names(as_user(ada).get(SCORECARDS)) == ["Balanced (default)", "Desk", "Network"]


def test_requesters_read_no_scorecards(as_user, alice, scorecards):
    assert as_user(alice).get(SCORECARDS).status_code == 403


def test_scorecards_take_a_bounded_number_of_queries(as_user, ada, django_assert_max_num_queries):
    for number in range(10):
        scorecard = Scorecard.objects.create(team=TeamFactory(name=f"Team {number}"), name=f"Card {number}")
        for metric in ("fcr_rate", "reopen_rate"):
            direction, target, floor = ("higher", 0.8, 0.4) if metric == "fcr_rate" else ("lower", 0.05, 0.2)
            ScorecardItem.objects.create(
                scorecard=scorecard, metric=metric, weight=1, target=target, floor=floor, direction=direction
            )
    client = as_user(ada)

    with django_assert_max_num_queries(5):
        assert len(client.get(SCORECARDS).json()) == 11


# --- appraisals -----------------------------------------------------------------------------


@pytest.fixture
def carols_draft(carol, erin, service_desk):
    period = period_open(service_desk, Period.MONTH, OCTOBER, acting_user=erin)
    period_calculate(period, acting_user=erin)
    period_start_review(period, acting_user=erin)
    return period.appraisals.get(agent=carol)


def test_an_agent_sees_her_appraisal_only_once_final(as_user, carol, erin, carols_draft):
    client = as_user(carol)
    detail = reverse("api:appraisal-detail", args=[carols_draft.pk])

    assert client.get(APPRAISALS).json()["results"] == []
    assert client.get(detail).status_code == 404

    period_finalize(carols_draft.period, acting_user=erin)

    [listed] = client.get(APPRAISALS).json()["results"]
    assert listed["id"] == carols_draft.pk and listed["status"] == "final"
    body = client.get(detail).json()
    assert body["agent"] == carol.pk and body["period"]["start"] == "2026-10-01"
    assert body["period"]["status"] == "final" and "score" in body["snapshot"]


def test_a_manager_sees_her_teams_drafts(as_user, erin, carols_draft):
    [listed] = as_user(erin).get(APPRAISALS).json()["results"]

    assert listed["id"] == carols_draft.pk and listed["status"] == "draft"


@pytest.mark.parametrize("persona", ["dave", "network_manager"])
def test_someone_elses_appraisal_is_not_found(as_user, request, erin, carols_draft, persona):
    if persona == "network_manager":
        caller = UserFactory(email="nina@helpdesk.example", role="manager")
        request.getfixturevalue("network_team").managers.add(caller)
    else:
        caller = request.getfixturevalue(persona)
    period_finalize(carols_draft.period, acting_user=erin)
    client = as_user(caller)

    assert client.get(APPRAISALS).json()["results"] == []
    assert client.get(reverse("api:appraisal-detail", args=[carols_draft.pk])).status_code == 404


def test_requesters_read_no_appraisals(as_user, alice, carols_draft):
    assert as_user(alice).get(APPRAISALS).status_code == 403


def test_appraisals_take_a_bounded_number_of_queries(as_user, erin, service_desk, django_assert_max_num_queries):
    for number in range(15):
        service_desk.members.add(UserFactory(email=f"agent{number}@helpdesk.example", role="agent"))
    period = period_open(service_desk, Period.MONTH, OCTOBER, acting_user=erin)
    period_calculate(period, acting_user=erin)
    client = as_user(erin)

    with django_assert_max_num_queries(6):
        assert len(client.get(APPRAISALS).json()["results"]) >= 15
