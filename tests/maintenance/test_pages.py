"""The maintenance pages: managers create and edit plans; agents read; requesters are kept out."""

import datetime as dt

import pytest
from django.urls import reverse

from maintenance.models import MaintenancePlan, MaintenanceRun
from maintenance.services import open_due_runs
from tests.factories import TeamFactory

UTC = dt.UTC

FORM = {
    "title": "Patch testing",
    "description": "Apply this month's patches on the test servers.",
    "checklist": "Snapshot\nPatch\nSmoke test",
    "schedule_kind": "weekly",
    "every_weeks": "2",
    "weekday": "1",
    "at_time": "10:30",
    "cron": "",
    "starts_on": "2026-03-01",
    "hours_allowed": "8",
    "assignee": "",
    "category": "",
    "priority": "3",
    "active": "on",
}


@pytest.mark.django_db
def test_manager_creates_a_plan(client, erin, service_desk):
    client.force_login(erin)
    assert client.get(reverse("maintenance:plan_new")).status_code == 200

    response = client.post(reverse("maintenance:plan_new"), {**FORM, "team": service_desk.pk})

    plan = MaintenancePlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("maintenance:plan_detail", args=[plan.pk])
    assert (plan.title, plan.every_weeks, plan.weekday, plan.at_time, plan.hours_allowed) == (
        "Patch testing",
        2,
        1,
        dt.time(10, 30),
        8,
    )
    assert plan.steps == ["Snapshot", "Patch", "Smoke test"]
    assert plan.created_by == erin
    detail = client.get(response["Location"])
    assert detail.content.decode().count('data-testid="upcoming-run"') == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Give the plan a title."),
        ({"schedule_kind": "cron", "cron": "every monday"}, "cron", "is not a valid cron expression"),
        ({"schedule_kind": "cron", "cron": "0 9 31 2 *"}, "cron", "is not a valid cron expression"),
        ({"schedule_kind": "cron", "cron": ""}, "cron", "Write a cron expression"),
        ({"every_weeks": "0"}, "every_weeks", "Every N weeks needs N of 1 or more."),
        ({"hours_allowed": "0"}, "hours_allowed", "Allow at least one hour."),
    ],
)
def test_bad_plan_input_gets_a_message_not_a_500(client, erin, service_desk, changes, field, message):
    client.force_login(erin)
    response = client.post(reverse("maintenance:plan_new"), {**FORM, "team": service_desk.pk, **changes})

    assert response.status_code == 400
    assert message in " ".join(str(error) for error in response.context["form"].errors.get(field, []))
    assert not MaintenancePlan.objects.exists()


@pytest.mark.django_db
def test_manager_may_not_plan_for_a_team_they_do_not_manage(client, erin, service_desk, network_team):
    client.force_login(erin)
    response = client.post(reverse("maintenance:plan_new"), {**FORM, "team": network_team.pk})

    assert response.status_code == 400  # not offered in the list
    assert not MaintenancePlan.objects.exists()


@pytest.mark.django_db
def test_manager_edits_the_schedule(client, erin, make_plan):
    plan = make_plan()
    client.force_login(erin)
    form = {**FORM, "team": plan.team_id, "schedule_kind": "cron", "cron": "0 7 1 * *", "title": "Backups"}

    response = client.post(reverse("maintenance:plan_edit", args=[plan.pk]), form)

    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.schedule_kind, plan.cron) == ("Backups", "cron", "0 7 1 * *")


@pytest.mark.django_db
def test_agent_reads_but_may_not_create_or_edit(client, carol, make_plan):
    plan = make_plan()
    client.force_login(carol)

    assert client.get(reverse("maintenance:plan_list")).status_code == 200
    assert client.get(reverse("maintenance:run_list")).status_code == 200
    assert client.get(reverse("maintenance:plan_detail", args=[plan.pk])).status_code == 200
    assert client.get(reverse("maintenance:plan_new")).status_code == 403
    edit = client.post(reverse("maintenance:plan_edit", args=[plan.pk]), {**FORM, "team": plan.team_id})
    assert edit.status_code == 403
    plan.refresh_from_db()
    assert plan.title == "Backup restore test"


@pytest.mark.django_db
def test_manager_of_another_team_may_not_edit(client, make_plan):
    from accounts.models import Role
    from tests.factories import UserFactory

    other = UserFactory(email="mona@helpdesk.example", role=Role.MANAGER)
    TeamFactory(name="Network", managers=[other])
    plan = make_plan()
    client.force_login(other)

    assert client.get(reverse("maintenance:plan_edit", args=[plan.pk])).status_code == 403


@pytest.mark.django_db
def test_requester_is_kept_out(client, alice, make_plan):
    plan = make_plan()
    client.force_login(alice)
    for url in (
        reverse("maintenance:plan_list"),
        reverse("maintenance:run_list"),
        reverse("maintenance:plan_detail", args=[plan.pk]),
    ):
        assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_runs_page_lists_overdue_and_failed_runs(client, carol, make_plan):
    make_plan(title="Backup restore test", hours_allowed=1)
    open_due_runs(dt.datetime(2026, 3, 2, 9, 1, tzinfo=UTC))  # due 10:00 on 2 March: long overdue now
    failed = make_plan(title="Certificates")
    MaintenanceRun.objects.create(
        plan=failed, scheduled_for=dt.datetime(2026, 3, 3, tzinfo=UTC), due_at=dt.datetime(2026, 3, 4, tzinfo=UTC),
        failure="The team has no agents.",
    )  # fmt: skip
    client.force_login(carol)

    page = client.get(reverse("maintenance:run_list")).content.decode()

    assert page.count('data-testid="overdue-run"') == 2
    assert "The team has no agents." in page
    assert page.count('data-testid="upcoming-run"') == 6  # three for each active plan


@pytest.mark.django_db
def test_plan_list_queries_do_not_grow_with_plans(client, erin, make_plan, django_assert_max_num_queries):
    client.force_login(erin)
    make_plan(title="Plan 0")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("maintenance:plan_list"))
    for number in range(1, 8):
        plan = make_plan(title=f"Plan {number}", schedule_kind="cron" if number % 2 else "weekly", cron="0 9 * * *")
        open_due_runs(dt.datetime(2026, 3, number, 9, 1, tzinfo=UTC))
        assert plan.runs.exists()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("maintenance:plan_list"))
    assert response.content.decode().count('data-testid="plan-row"') == 8


@pytest.mark.django_db
def test_run_list_and_detail_queries_are_bounded(client, erin, make_plan, django_assert_max_num_queries):
    client.force_login(erin)
    plans = [make_plan(title=f"Plan {number}", hours_allowed=1) for number in range(6)]
    for day in range(2, 9):
        MaintenancePlan.objects.filter(pk__in=[plan.pk for plan in plans]).update(weekday=(day - 2) % 7)
        open_due_runs(dt.datetime(2026, 3, day, 9, 1, tzinfo=UTC))
    assert MaintenanceRun.objects.count() >= 6

    with django_assert_max_num_queries(12):
        response = client.get(reverse("maintenance:run_list"))
    assert response.content.decode().count('data-testid="overdue-run"') == MaintenanceRun.objects.count()
    with django_assert_max_num_queries(12):
        client.get(reverse("maintenance:plan_detail", args=[plans[0].pk]))
