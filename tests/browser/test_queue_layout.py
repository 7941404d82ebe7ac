"""The queue on a laptop (1366 px) and on a phone (375 px), in English and in Chinese."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tickets.services import ticket_create, ticket_set_tags

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_SUBJECTS = {
    "en": "The printer on the third floor prints every page twice and then jams on the last sheet of the tray",
    "zh-hans": "三楼的打印机每一页都打印两次，然后在纸盒的最后一张纸上卡纸，重启以后问题依旧存在，请尽快处理",
}

# How many lines the text of an element takes: the height of its contents over its line height.
LINES = """element => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const height = range.getBoundingClientRect().height;
    return height / parseFloat(getComputedStyle(element).lineHeight);
}"""
NOT_CUT = "element => element.scrollWidth <= element.clientWidth"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_queue_fits_a_laptop_and_becomes_cards_on_a_phone(
    page, sign_in, alice, carol, service_desk, password, language
):
    carol.language = language
    carol.save(update_fields=["language"])
    subject = LONG_SUBJECTS[language]
    ticket = ticket_create(requester=alice, subject=subject, description="…", acting_user=alice, impact=1, urgency=1)
    ticket_set_tags(ticket, ["printer", "floor-3"], acting_user=carol)
    ticket_create(requester=alice, subject="Mouse", description="…", acting_user=alice)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(carol.email, password)

    page.goto("/agent/?view=teams")

    queue = page.get_by_test_id("queue")
    expect(queue.get_by_role("link", name=ticket.reference)).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the queue scrolls sideways at 1366 px"
    cell = queue.locator("td.queue-subject").first
    expect(cell).to_have_attribute("title", subject)
    assert cell.evaluate("td => getComputedStyle(td).textOverflow") == "ellipsis"
    assert cell.evaluate("td => td.scrollWidth > td.clientWidth"), "the long subject is not cut"
    for header in queue.locator("thead th").all():
        if header.is_visible():
            assert header.evaluate(LINES) < 1.5, f"the header {header.inner_text()!r} wraps"
            assert header.evaluate(NOT_CUT), f"the header {header.inner_text()!r} is cut"
    for column in ("queue-ref", "queue-status", "queue-priority", "queue-updated"):
        assert queue.locator(f"td.{column}").first.evaluate(NOT_CUT), f"the {column} column is cut"
    for button in page.locator("main .btn").all():
        if button.is_visible():
            assert button.evaluate(LINES) < 1.5, f"the button {button.inner_text()!r} wraps"
    page.screenshot(path=str(SCREENSHOTS / f"queue-1366-{language}.png"), full_page=True)

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()

    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the queue scrolls sideways on a phone"
    card = queue.locator("tr[data-queue-row]").first
    assert card.evaluate("tr => getComputedStyle(tr).display") == "grid"
    expect(card.get_by_role("link", name=ticket.reference)).to_be_visible()
    expect(card.locator("td.queue-subject")).to_be_visible()
    expect(card.locator("td.queue-subject")).to_contain_text(subject)
    expect(card.locator("td.queue-priority")).to_have_text("P1")
    expect(card.get_by_test_id("status")).to_be_visible()
    expect(card.get_by_test_id("sla-badge")).to_be_visible()
    box, subject_box = card.bounding_box(), card.locator("td.queue-subject").bounding_box()
    assert subject_box["x"] + subject_box["width"] <= box["x"] + box["width"] + 1
    page.screenshot(path=str(SCREENSHOTS / f"queue-375-{language}.png"), full_page=True)
