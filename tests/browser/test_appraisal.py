"""Erin runs October's appraisal for Service Desk end to end; Carol reads and acknowledges hers."""

import datetime as dt
import importlib

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kpis.models import Appraisal, AppraisalStatus, Dimension, Period, PeriodFigure, Scorecard, ScorecardItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OCTOBER = dt.date(2026, 10, 1)
CAROL_OCTOBER = {
    "tickets_resolved": 24, "resolutions": 25, "frt_count": 30, "frt_median_s": 1500.0,
    "resolution_final_median_s": 14_400.0, "fcr_rate": 0.7, "sla_resolution_rate": 0.92,
    "sla_resolution_due": 24, "csat_answers": 12, "csat_positive_rate": 0.83, "reopen_rate": 0.04,
    "weighted_workload": 41, "article_reuse": 2,
}  # fmt: skip


@pytest.fixture
def default_scorecard(db):
    """The default scorecard of the data migration: a transactional test's flush removed it after the first."""
    if not Scorecard.objects.filter(team=None).exists():
        migration = importlib.import_module("kpis.migrations.0003_default_scorecard")
        scorecard = Scorecard.objects.create(name="Balanced (default)")
        for position, (metric, weight, target, floor, direction, min_sample) in enumerate(migration.ITEMS):
            ScorecardItem.objects.create(
                scorecard=scorecard, metric=metric, weight=weight, target=target, floor=floor,
                direction=direction, min_sample=min_sample, position=position,
            )  # fmt: skip


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_manager_runs_a_months_appraisal_and_the_agent_acknowledges_it(
    page, sign_in, carol, erin, service_desk, password, language, default_scorecard
):
    for person in (carol, erin):
        person.language = language
        person.save()
    PeriodFigure.objects.create(
        period=Period.MONTH, start=OCTOBER, dimension=Dimension.AGENT, key=carol.pk,
        values=CAROL_OCTOBER, computed_at=timezone.now(),
    )  # fmt: skip

    sign_in(erin.email, password)
    page.goto("/manage/appraisals/")
    form = page.get_by_test_id("period-open-form")
    form.locator("[name=team]").select_option(str(service_desk.pk))
    form.locator("[name=period]").select_option("month")
    form.locator("[name=start]").fill("2026-10-14")
    form.locator("button[type=submit]").click()

    page.get_by_test_id("step-calculate").click()
    expect(page.get_by_test_id("period-agents")).to_contain_text("Carol Nguyen")
    page.get_by_test_id("step-start-review").click()
    page.get_by_test_id("period-agents").get_by_role("link", name="Carol Nguyen").click()

    expect(page.get_by_test_id("appraisal-items")).to_be_visible()
    review = page.get_by_test_id("appraisal-review-form")
    review.locator("[name=new_kind]").select_option("training")
    review.locator("[name=new_title]").fill("ITIL 4 Foundation")
    review.locator("[name=new_date]").fill("2026-10-20")
    review.locator("[name=strengths]").fill("Clear, friendly replies")
    review.locator("button[type=submit]").click()
    expect(page.get_by_test_id("growth-items")).to_contain_text("ITIL 4 Foundation")
    expect(page.get_by_test_id("strengths")).to_contain_text("Clear, friendly replies")
    growth = page.get_by_test_id("appraisal-items").locator("tr[data-metric=growth_items]")
    expect(growth).to_contain_text("50.0")

    page.locator(".breadcrumb a").nth(1).click()
    page.get_by_test_id("step-finalize").click()
    expect(page.get_by_test_id("period-status")).to_have_text("Final" if language == "en" else "定稿")
    expect(page.get_by_test_id("step-calculate")).to_have_count(0)

    page.context.clear_cookies()
    sign_in(carol.email, password)
    page.goto("/agent/me/appraisals/")
    page.get_by_test_id("my-appraisals").get_by_role("link").first.click()
    expect(page.get_by_test_id("appraisal-sheet")).to_contain_text("Carol Nguyen")
    expect(page.get_by_test_id("appraisal-sheet")).to_contain_text("Appraisal of" if language == "en" else "考评")
    acknowledge = page.get_by_test_id("acknowledge-form")
    acknowledge.locator("[name=comment]").fill("Thanks — I would like the networking course next.")
    acknowledge.locator("button[type=submit]").click()

    expect(page.get_by_test_id("acknowledgement")).to_contain_text("I would like the networking course next")
    expect(page.get_by_test_id("acknowledge-form")).to_have_count(0)
    page.screenshot(path=f"var/screenshots/appraisal-acknowledged-{language}.png", full_page=True)
    appraisal = Appraisal.objects.get(agent=carol)
    assert appraisal.status == AppraisalStatus.ACKNOWLEDGED
    assert appraisal.growth_items == [{"kind": "training", "title": "ITIL 4 Foundation", "date": "2026-10-20"}]
