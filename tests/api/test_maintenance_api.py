"""/api/v1/maintenance/: plans and runs over the API, with the pages' rules.

Agents read plans and runs; a team's managers (erin manages the Service Desk) and admins create
and edit; requesters get 403. Validation is the service's (maintenance.services._clean).
"""

import datetime as dt

import pytest
from django.urls import reverse

from maintenance.models import MaintenancePlan
from maintenance.services import open_due_runs
from tests.maintenance import conftest as maintenance_fixtures

PLANS = reverse("api:maintenance-plan-list")
RUNS = reverse("api-maintenance-runs")
UTC = dt.UTC
# The maintenance tests' plan factory (erin's plans for the Service Desk).
make_plan = maintenance_fixtures.make_plan


def detail(plan) -> str:
    return reverse("api:maintenance-plan-detail", args=[plan.pk])


@pytest.fixture
def nina(network_team):
    from accounts.models import Role
    from tests.factories import UserFactory

    manager = UserFactory(email="nina@helpdesk.example", full_name="Nina Berg", role=Role.MANAGER)
    network_team.managers.add(manager)
    return manager


def body(desk, **overrides):
    return {
        "title": "Patch the file servers",
        "team": desk.pk,
        "schedule_kind": "weekly",
        "every_weeks": 2,
        "weekday": 2,
        "at_time": "07:30",
        "starts_on": "2026-01-05",
        "hours_allowed": 8,
        "checklist": "Snapshot\nPatch\n\nReboot",
        "priority": 2,
        **overrides,
    }


# --- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["carol", "dave", "erin", "ada"])
def test_staff_read_plans_with_their_next_run(request, as_user, make_plan, reader):
    plan = make_plan()
    make_plan(title="Paused", active=False)

    response = as_user(request.getfixturevalue(reader)).get(PLANS)

    assert response.status_code == 200, response.content
    rows = {row["title"]: row for row in response.json()["results"]}
    assert set(rows) == {"Backup restore test", "Paused"}
    assert rows["Backup restore test"]["next_run"] is not None
    assert rows["Paused"]["next_run"] is None
    assert rows["Backup restore test"]["may_edit"] is (reader in ("erin", "ada"))
    one = as_user(request.getfixturevalue(reader)).get(detail(plan))
    assert one.status_code == 200
    assert one.json()["checklist"] == plan.checklist and one.json()["team"] == plan.team_id


@pytest.mark.parametrize("requester", ["alice", "oscar"])
def test_requesters_get_403_everywhere(request, as_user, make_plan, service_desk, requester):
    plan = make_plan()
    client = as_user(request.getfixturevalue(requester))

    responses = [
        client.get(PLANS),
        client.get(detail(plan)),
        client.get(RUNS),
        client.post(PLANS, body(service_desk), format="json"),
        client.patch(detail(plan), {"title": "Mine"}, format="json"),
    ]

    assert [response.status_code for response in responses] == [403] * 5
    assert {response.json()["code"] for response in responses} == {"permission_denied"}
    plan.refresh_from_db()
    assert plan.title == "Backup restore test"


def test_nobody_signed_in_gets_401(api):
    assert api.get(PLANS).status_code == 401
    assert api.get(RUNS).status_code == 401


def test_an_unknown_plan_is_a_404(as_user, carol):
    response = as_user(carol).get(reverse("api:maintenance-plan-detail", args=[999999]))

    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_plan_list_reads_in_a_constant_number_of_queries(
    as_user,
    carol,
    make_plan,
    django_assert_max_num_queries,
):
    client = as_user(carol)
    make_plan(title="First")
    client.get(PLANS)
    with django_assert_max_num_queries(20) as few:
        client.get(PLANS)
    for number in range(25):
        make_plan(title=f"Plan {number}", assignee=carol)

    with django_assert_max_num_queries(len(few)) as many:
        response = client.get(PLANS)

    assert response.json()["count"] == 26
    assert len(many) == len(few)


# --- creating ---------------------------------------------------------------------------------


@pytest.mark.parametrize("creator", ["erin", "ada"])
def test_a_manager_of_the_team_or_an_admin_creates_a_plan(request, as_user, service_desk, creator):
    user = request.getfixturevalue(creator)

    response = as_user(user).post(PLANS, body(service_desk), format="json")

    assert response.status_code == 201, response.content
    plan = MaintenancePlan.objects.get(pk=response.json()["id"])
    assert plan.created_by == user and plan.team == service_desk
    assert plan.checklist == "Snapshot\nPatch\nReboot"  # tidied by the service, as from the form
    assert (plan.every_weeks, plan.weekday, plan.at_time, plan.priority) == (2, 2, dt.time(7, 30), 2)
    assert response.json()["next_run"] is not None and response.json()["may_edit"] is True


def test_defaults_fill_what_is_left_out(as_user, erin, service_desk):
    response = as_user(erin).post(PLANS, {"title": "  Check   the UPS ", "team": service_desk.pk}, format="json")

    assert response.status_code == 201, response.content
    plan = MaintenancePlan.objects.get(pk=response.json()["id"])
    assert plan.title == "Check the UPS"
    assert (plan.schedule_kind, plan.every_weeks, plan.hours_allowed, plan.active) == ("weekly", 1, 24, True)


@pytest.mark.parametrize("caller", ["carol", "dave", "nina"])
def test_agents_and_another_teams_manager_may_not_create(request, as_user, service_desk, caller):
    response = as_user(request.getfixturevalue(caller)).post(PLANS, body(service_desk), format="json")

    assert response.status_code == 403
    assert not MaintenancePlan.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"team": None}, "team"),
        ({"team": 999999}, "team"),
        ({"schedule_kind": "hourly"}, "schedule_kind"),
        ({"schedule_kind": "cron", "cron": ""}, "cron"),
        ({"schedule_kind": "cron", "cron": "61 * * * *"}, "cron"),
        ({"every_weeks": 0}, "every_weeks"),
        ({"every_weeks": 53}, "every_weeks"),
        ({"weekday": 7}, "weekday"),
        ({"at_time": "25:00"}, "at_time"),
        ({"hours_allowed": 0}, "hours_allowed"),
        ({"priority": 9}, "priority"),
        ({"checklist": "x" * 301}, "checklist"),
        ({"starts_on": "yesterday"}, "starts_on"),
        ({"assignee": 999999}, "assignee"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(as_user, erin, service_desk, overrides, field):
    response = as_user(erin).post(PLANS, body(service_desk, **overrides), format="json")

    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["code"] == "invalid"
    named = set(payload.get("fields", {})) | set(payload.get("extra", {}).get("errors", {}))
    assert field in named, payload
    assert not MaintenancePlan.objects.exists()


def test_an_inactive_or_requester_assignee_is_refused(as_user, erin, alice, service_desk):
    response = as_user(erin).post(PLANS, body(service_desk, assignee=alice.pk), format="json")

    assert response.status_code == 400
    assert not MaintenancePlan.objects.exists()


def test_a_valid_cron_plan_is_created(as_user, erin, service_desk):
    response = as_user(erin).post(PLANS, body(service_desk, schedule_kind="cron", cron="0 9 * * 1"), format="json")

    assert response.status_code == 201, response.content
    assert MaintenancePlan.objects.get().cron == "0 9 * * 1"


# --- editing ----------------------------------------------------------------------------------


def test_the_teams_manager_edits_only_what_is_sent(as_user, erin, make_plan):
    plan = make_plan()

    response = as_user(erin).patch(detail(plan), {"title": "Restore test", "active": False}, format="json")

    assert response.status_code == 200, response.content
    plan.refresh_from_db()
    assert (plan.title, plan.active) == ("Restore test", False)
    assert plan.hours_allowed == 48 and plan.checklist.startswith("Restore the backup")
    assert response.json()["next_run"] is None


@pytest.mark.parametrize("caller", ["carol", "dave", "nina"])
def test_agents_and_another_teams_manager_may_not_edit(request, as_user, make_plan, caller):
    plan = make_plan()

    response = as_user(request.getfixturevalue(caller)).patch(detail(plan), {"title": "Mine"}, format="json")

    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.title == "Backup restore test"


def test_moving_a_plan_to_a_team_one_does_not_manage_is_refused(as_user, erin, make_plan, network_team):
    plan = make_plan()

    response = as_user(erin).patch(detail(plan), {"team": network_team.pk}, format="json")

    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.team != network_team


def test_a_bad_edit_is_a_400_and_changes_nothing(as_user, erin, make_plan):
    plan = make_plan()

    response = as_user(erin).patch(detail(plan), {"schedule_kind": "cron", "cron": "nonsense"}, format="json")

    assert response.status_code == 400
    assert "cron" in response.json()["extra"]["errors"]
    plan.refresh_from_db()
    assert plan.schedule_kind == "weekly"


def test_put_is_not_allowed(as_user, erin, make_plan, service_desk):
    plan = make_plan()

    response = as_user(erin).put(detail(plan), body(service_desk), format="json")

    assert response.status_code == 405


# --- runs -------------------------------------------------------------------------------------


@pytest.fixture
def runs(make_plan, carol):
    """An overdue run (its ticket still open long after it was due) and an active plan's upcoming ones."""
    plan = make_plan(assignee=carol)
    (overdue,) = open_due_runs(dt.datetime(2026, 3, 2, 9, 1, tzinfo=UTC))
    return plan, overdue


def test_the_runs_are_what_the_runs_page_shows(as_user, carol, runs):
    plan, overdue = runs

    response = as_user(carol).get(RUNS)

    assert response.status_code == 200, response.content
    rows = response.json()
    assert [row["state"] for row in rows] == ["overdue", "upcoming", "upcoming", "upcoming"]
    assert rows[0]["id"] == overdue.pk and rows[0]["ticket"] == overdue.ticket.reference
    assert rows[0]["plan"] == plan.pk and rows[0]["plan_title"] == plan.title
    assert all(row["ticket"] is None and row["id"] is None for row in rows[1:])
    times = [row["scheduled_for"] for row in rows[1:]]
    assert times == sorted(times)


def test_runs_filter_by_state(as_user, carol, runs):
    client = as_user(carol)

    overdue = client.get(RUNS, {"state": "overdue"}).json()
    upcoming = client.get(RUNS, {"state": "upcoming"}).json()

    assert [row["state"] for row in overdue] == ["overdue"]
    assert {row["state"] for row in upcoming} == {"upcoming"} and len(upcoming) == 3


def test_a_resolved_run_is_no_longer_overdue(as_user, carol, runs):
    from tickets.models import Status, Ticket

    _plan, overdue = runs
    Ticket.objects.filter(pk=overdue.ticket_id).update(status=Status.RESOLVED)

    assert as_user(carol).get(RUNS, {"state": "overdue"}).json() == []


def test_an_unknown_state_is_a_400(as_user, carol):
    response = as_user(carol).get(RUNS, {"state": "late"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "state" in response.json()["fields"]


def test_the_runs_read_in_a_constant_number_of_queries(
    as_user,
    carol,
    make_plan,
    django_assert_max_num_queries,
):
    client = as_user(carol)
    make_plan(title="First", assignee=carol)
    open_due_runs(dt.datetime(2026, 3, 2, 9, 1, tzinfo=UTC))
    client.get(RUNS)
    with django_assert_max_num_queries(20) as few:
        first = client.get(RUNS).json()
    for number in range(10):
        make_plan(title=f"Plan {number}", assignee=carol, weekday=1)
    open_due_runs(dt.datetime(2026, 3, 3, 9, 1, tzinfo=UTC))

    with django_assert_max_num_queries(len(few)) as many:
        rows = client.get(RUNS).json()

    assert len(rows) > len(first)
    assert len([row for row in rows if row["state"] == "overdue"]) == 11
    assert len(many) == len(few)
