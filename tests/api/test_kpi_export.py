"""GET /api/v1/kpis/export: the rows of kpi_export, for managers, with validated parameters."""

import pytest
from django.urls import reverse

from kpis.figures import METRIC_KEYS
from tickets.services import ticket_create, ticket_reply, ticket_resolve

EXPORT = reverse("api-kpi-export")


@pytest.fixture
def worked(alice, carol, dave, service_desk, network_team):
    """One ticket resolved by carol (Service Desk) and one by dave (Network), today."""
    for agent, team in ((carol, service_desk), (dave, network_team)):
        ticket = ticket_create(requester=alice, subject="Help", description="x", acting_user=alice, team=team)
        ticket_reply(ticket, "On it", acting_user=agent)
        ticket_resolve(ticket, code="fixed", summary="Done", acting_user=agent)


def _today():
    from django.utils import timezone

    return timezone.localdate().isoformat()


def test_a_manager_reads_the_rows_of_her_teams_only(as_user, erin, worked):
    response = as_user(erin).get(EXPORT, {"from": _today(), "to": _today(), "by": "team"})

    assert response.status_code == 200, response.content
    rows = response.json()
    assert [row["team"] for row in rows] == ["Service Desk"]
    assert set(METRIC_KEYS) <= set(rows[0])


def test_by_agent_a_manager_sees_her_team_s_members(as_user, erin, worked):
    rows = as_user(erin).get(EXPORT, {"from": _today(), "to": _today(), "by": "agent"}).json()

    assert [row["agent"] for row in rows] == ["carol@helpdesk.example"]


def test_an_admin_reads_every_row(as_user, ada, worked):
    rows = as_user(ada).get(EXPORT, {"from": _today(), "to": _today(), "by": "team"}).json()

    assert {row["team"] for row in rows} == {"Service Desk", "Network"}


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_agents_and_requesters_are_refused(as_user, request, persona):
    response = as_user(request.getfixturevalue(persona)).get(
        EXPORT, {"from": "2026-11-01", "to": "2026-11-30", "by": "team"}
    )

    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"to": "2026-11-30", "by": "team"}, "from"),
        ({"from": "2026-11-31", "to": "2026-11-30", "by": "team"}, "from"),
        ({"from": "2026-11-01", "to": "2026-11-30", "by": "desk"}, "by"),
        ({"from": "2026-12-01", "to": "2026-11-30", "by": "team"}, "to"),
        ({"from": "2024-01-01", "to": "2026-11-30", "by": "team"}, "to"),
    ],
)
def test_bad_parameters_are_a_400_with_the_field(as_user, erin, params, field):
    response = as_user(erin).get(EXPORT, params)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["fields"]
