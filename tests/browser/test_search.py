"""An agent finds a ticket by searching in Chinese on /agent/search/."""

import re

import pytest
from playwright.sync_api import expect

from tickets.services import ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_searches_in_chinese_and_opens_the_ticket(page, sign_in, password, alice, carol, service_desk):
    ticket = ticket_create(
        requester=alice, subject="打印机连接故障", description="三楼的打印机连不上网络。", acting_user=alice
    )
    ticket_create(requester=alice, subject="Laptop battery", description="Dies fast", acting_user=alice)
    sign_in(carol.email, password)

    page.goto("/agent/search/")
    box = page.get_by_role("searchbox")
    box.fill("打印机无法连接")
    box.press("Enter")

    results = page.get_by_test_id("search-results")
    expect(results).to_contain_text("打印机连接故障")
    expect(results).not_to_contain_text("Laptop battery")
    expect(results.locator("mark").first).to_have_text("打印机")
    results.get_by_role("link", name=ticket.reference).click()
    expect(page).to_have_url(re.compile(rf"/agent/tickets/{ticket.reference}/$"))
