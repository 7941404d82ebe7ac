"""Erin opens her team's KPI dashboard in English and in Chinese; carol opens her own."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from kpis.rollups import refresh_full
from tickets.services import ticket_create, ticket_reply, ticket_resolve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def default_scorecard(transactional_db):
    """A transactional test starts from empty tables: put back the scorecard the migration adds."""
    importlib.import_module("kpis.migrations.0003_default_scorecard").create(apps, None)


@pytest.fixture
def resolved_this_month(alice, carol, service_desk, default_scorecard):
    now = dt.datetime.now(dt.UTC)
    start = max(now.replace(day=1, hour=0, minute=0, second=0, microsecond=0), now - dt.timedelta(hours=6))
    ticket = ticket_create(
        requester=alice, subject="Printer", description="jammed", acting_user=alice, team=service_desk, at=start
    )
    ticket_reply(ticket, "Looking", acting_user=carol, at=start + dt.timedelta(minutes=10))
    ticket_resolve(ticket, code="fixed", summary="Cleared", acting_user=carol, at=start + dt.timedelta(minutes=30))
    refresh_full()


def test_manager_reads_the_team_dashboard_in_english_and_chinese(page, sign_in, erin, password, resolved_this_month):
    sign_in(erin.email, password)
    page.goto("/manage/kpis/")

    expect(page.get_by_role("heading", name="Team dashboard · Service Desk")).to_be_visible()
    expect(page.get_by_test_id("period-label")).to_contain_text("Figures as of")
    volume = page.get_by_test_id("chart-volume").locator("svg")
    expect(volume).to_be_visible()
    assert volume.bounding_box()["height"] > 100
    agents = page.get_by_test_id("table-agents")
    expect(agents).to_contain_text("Carol Nguyen")
    expect(agents).to_contain_text("Composite score")
    expect(page.get_by_test_id("csv-agents")).to_be_visible()

    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()

    expect(page.get_by_role("heading", name="团队仪表板 · Service Desk")).to_be_visible()
    expect(page.get_by_test_id("period-label")).to_contain_text("数据截至")
    expect(page.get_by_test_id("chart-volume").locator("svg")).to_contain_text("工单")
    expect(page.get_by_test_id("table-agents")).to_contain_text("综合得分")
    page.screenshot(path="var/screenshots/kpi-dashboard-zh-hans.png", full_page=True)


def test_agent_reads_their_own_dashboard(page, sign_in, carol, password, resolved_this_month):
    sign_in(carol.email, password)
    page.goto("/agent/me/")

    expect(page.get_by_role("heading", name="My dashboard")).to_be_visible()
    expect(page.get_by_test_id("period-label")).to_contain_text("Figures as of")
    expect(page.get_by_test_id("table-figures")).to_contain_text("First response time (median)")
    expect(page.get_by_test_id("table-figures")).to_contain_text("10 min")
    expect(page.get_by_test_id("chart-my_volume").locator("svg")).to_be_visible()
