"""Maintenance plans in a real browser: a manager plans recurring work and sees its runs coming;
an agent works the run's ticket, ticks its checklist and resolves it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maintenance.models import MaintenancePlan, MaintenanceRun
from maintenance.services import PlanValues, open_due_runs, plan_create
from tickets.models import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_creates_a_plan_and_sees_its_upcoming_runs(page, sign_in, erin, password, service_desk):
    sign_in(erin.email, password)
    page.goto("/manage/maintenance/")
    expect(page.get_by_test_id("plan-list")).to_contain_text("No maintenance plans yet.")
    page.get_by_test_id("plan-new").click()

    page.get_by_label("Title").fill("Backup restore test")
    page.get_by_label("Team").select_option(label="Service Desk")
    page.get_by_label("Checklist").fill("Restore last night's backup\nCompare row counts")
    page.get_by_label("Every N weeks on a weekday").check()
    page.get_by_label("Every N weeks", exact=True).fill("2")
    page.get_by_label("Weekday", exact=True).select_option(label="Monday")
    page.get_by_label("Time of day").fill("09:00")
    page.get_by_label("Hours allowed").fill("8")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("The plan “Backup restore test” was created.")
    expect(page.get_by_test_id("plan-schedule")).to_contain_text("Every 2 weeks on Monday at 09:00")
    expect(page.get_by_test_id("plan-upcoming").get_by_test_id("upcoming-run")).to_have_count(5)
    plan = MaintenancePlan.objects.get()
    assert (plan.every_weeks, plan.hours_allowed, plan.steps) == (
        2,
        8,
        ["Restore last night's backup", "Compare row counts"],
    )

    page.get_by_role("link", name="Maintenance plans").click()
    expect(page.get_by_test_id("plan-row")).to_contain_text("Backup restore test")
    page.get_by_role("link", name="Upcoming and overdue runs").click()
    expect(page.get_by_test_id("upcoming-runs").get_by_test_id("upcoming-run")).to_have_count(3)
    expect(page.get_by_test_id("overdue-runs")).to_contain_text("No run is overdue.")

    # A bad cron expression is refused with a message on the field.
    page.goto(f"/manage/maintenance/{plan.pk}/edit/")
    page.get_by_label("Cron schedule").check()
    page.locator("#id_cron").fill("every monday")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("is not a valid cron expression")
    page.screenshot(path="var/screenshots/maintenance-plan-form.png", full_page=True)


def test_agent_ticks_the_checklist_and_resolves_the_run(page, sign_in, erin, carol, password, service_desk):
    now = timezone.now()
    plan = plan_create(
        PlanValues(
            title="Certificate renewal",
            team=service_desk,
            schedule_kind="cron",
            cron=f"{now.minute} {now.hour} * * *",
            starts_on=now.date(),
            checklist="Renew the certificate\nDeploy it",
            assignee=carol,
        ),
        acting_user=erin,
    )
    MaintenancePlan.objects.filter(pk=plan.pk).update(created_at=now - dt.timedelta(days=1))
    (run,) = open_due_runs(now)
    ticket = run.ticket
    sign_in(carol.email, password)

    page.goto(f"/agent/tickets/{ticket.reference}/")
    checklist = page.get_by_test_id("ticket-checklist")
    expect(checklist.get_by_test_id("checklist-item")).to_have_count(2)

    # Resolving with steps open is refused, with the reason.
    page.get_by_test_id("send-resolve").locator("summary").click()
    page.locator("#reply-code").select_option("fixed")
    page.locator("#reply-summary").fill("Renewed until next year")
    page.get_by_test_id("send-and-resolve").click()
    expect(page.get_by_text("Tick every step of the checklist before resolving")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN

    page.goto(f"/agent/tickets/{ticket.reference}/")
    page.get_by_role("checkbox", name="Tick “Renew the certificate”").click()
    expect(page.get_by_role("checkbox", name="Untick “Renew the certificate”")).to_be_visible()
    page.get_by_role("checkbox", name="Tick “Deploy it”").click()
    expect(page.locator("[data-testid=checklist-item][data-done=yes]")).to_have_count(2)
    assert page.url.endswith(f"/agent/tickets/{ticket.reference}/")  # ticked in place, over htmx

    page.get_by_test_id("send-resolve").locator("summary").click()
    page.locator("#reply-code").select_option("fixed")
    page.locator("#reply-summary").fill("Renewed until next year")
    page.get_by_test_id("send-and-resolve").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    page.screenshot(path="var/screenshots/maintenance-checklist.png", full_page=True)

    page.goto(f"/manage/maintenance/{plan.pk}/")
    expect(page.get_by_test_id("plan-run")).to_contain_text(ticket.reference)
    assert MaintenanceRun.objects.get().ticket == ticket


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_maintenance_pages_pass_an_axe_audit(page, sign_in, erin, carol, password, service_desk, language):
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import WCAG_21_AA

    now = timezone.now()
    plan = plan_create(
        PlanValues(
            title="Backup restore test",
            team=service_desk,
            starts_on=now.date(),
            checklist="Restore\nCompare",
            schedule_kind="cron",
            cron=f"{now.minute} {now.hour} * * *",
        ),
        acting_user=erin,
    )
    MaintenancePlan.objects.filter(pk=plan.pk).update(created_at=now - dt.timedelta(days=1))
    (run,) = open_due_runs(now)
    erin.language = language
    erin.save(update_fields=["language"])
    service_desk.members.add(erin)
    sign_in(erin.email, password)
    axe = Axe()
    failures = []
    for path in (
        "/manage/maintenance/",
        "/manage/maintenance/runs/",
        "/manage/maintenance/new/",
        f"/manage/maintenance/{plan.pk}/",
        f"/manage/maintenance/{plan.pk}/edit/",
        f"/agent/tickets/{run.ticket.reference}/",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        for violation in axe.run(page, options=WCAG_21_AA).response["violations"]:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"])
            failures.append(f"{path}: {violation['id']} – {violation['help']}: {targets}")
    assert failures == []
