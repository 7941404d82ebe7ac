"""The major-incident journey: a scan finds a spike, erin links its tickets and replies to everyone."""

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from monitoring.models import Spike
from monitoring.spikes import detect_spikes
from notifications.models import OutboxEmail
from tests.browser.test_accessibility import WCAG_21_AA
from tests.monitoring.spike_fixtures import open_tickets
from tickets.models import Category, LinkKind, TicketLink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def spike(alice, bob, oscar, service_desk):
    vpn = Category.objects.create(name="VPN", name_zh_hans="虚拟专用网")
    now = dt.datetime.now(dt.UTC)
    tickets = open_tickets(vpn, [alice, bob, oscar], at=now - dt.timedelta(minutes=1), count=5, team=service_desk)
    assert len(detect_spikes(now).opened) == 1
    return Spike.objects.get(), tickets


def test_erin_links_a_spike_under_a_major_incident_and_replies_to_all(page, sign_in, erin, spike, password):
    spike, tickets = spike
    sign_in(erin.email, password)

    page.get_by_test_id("manage-menu").click()
    page.get_by_role("link", name="Ticket spikes").click()
    page.wait_for_url(re.compile(r"/manage/incidents/$"))
    row = page.get_by_test_id("spike-row").first
    expect(row).to_contain_text("5")
    expect(row).to_contain_text("Open")
    row.get_by_role("link", name="VPN").click()
    page.wait_for_url(re.compile(rf"/manage/incidents/spikes/{spike.pk}/$"))
    expect(page.get_by_test_id("spike-tickets").get_by_test_id("spike-ticket")).to_have_count(5)

    for ticket in tickets[:4]:
        page.get_by_label(f"Choose {ticket.reference}").check()
    form = page.get_by_test_id("link-form")
    expect(form.get_by_label("Subject")).to_have_value("Major incident: VPN")
    form.get_by_label("Subject").fill("VPN gateway down in Shanghai")
    form.get_by_label("Priority").select_option("2")
    form.get_by_role("button", name="Link the chosen tickets").click()
    expect(page.get_by_role("alert")).to_contain_text("4 tickets linked under HD-")
    expect(page.get_by_test_id("spike-parent")).to_contain_text("VPN gateway down in Shanghai")
    expect(page.get_by_test_id("linked")).to_have_count(4)

    reply = page.get_by_test_id("reply-all-form")
    reply.get_by_label("Reply to all linked requesters").fill("The gateway is back. Please reconnect.")
    reply.get_by_role("button", name="Send to all").click()
    expect(page.get_by_role("alert")).to_contain_text("Reply sent on 4 linked tickets.")

    spike.refresh_from_db()
    assert spike.parent.priority == 2
    assert TicketLink.objects.filter(target=spike.parent, kind=LinkKind.CAUSED_BY).count() == 4
    replies = OutboxEmail.objects.filter(kind="public_reply").values_list("ticket_id", flat=True)
    assert sorted(replies) == sorted(ticket.pk for ticket in tickets[:4])


def test_a_spike_page_shows_an_agent_the_tickets_without_the_actions(page, sign_in, carol, spike, password):
    spike, _tickets = spike
    sign_in(carol.email, password)

    page.goto(f"/manage/incidents/spikes/{spike.pk}/")

    expect(page.get_by_test_id("spike-ticket")).to_have_count(5)
    expect(page.get_by_test_id("link-form")).to_have_count(0)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_incident_pages_pass_an_axe_audit(page, sign_in, erin, spike, password, language):
    spike, _tickets = spike
    erin.language = language
    erin.save(update_fields=["language"])
    sign_in(erin.email, password)
    axe = Axe()
    failures = []
    for path in ("/manage/incidents/", f"/manage/incidents/spikes/{spike.pk}/"):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        for violation in axe.run(page, options=WCAG_21_AA).response["violations"]:
            failures.append(f"{path} ({language}): {violation['id']} – {violation['help']}")
    assert failures == []
