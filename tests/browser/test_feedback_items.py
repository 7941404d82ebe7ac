"""Feedback items in a real browser: record tickets as feedback, read the counts, mark it shipped."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from feedback.models import FeedbackItem
from notifications.models import OutboxEmail
from tickets.services import ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    results = Axe().run(page, options=WCAG_21_AA)
    return [f"{page.url}: {violation['id']} – {violation['help']}" for violation in results.response["violations"]]


def test_an_agent_records_two_tickets_as_feedback_and_ships_it(
    page, sign_in, alice, bob, carol, password, service_desk
):
    first = ticket_create(requester=alice, subject="Export reports to Excel", description="…", acting_user=alice)
    second = ticket_create(requester=bob, subject="Spreadsheet download", description="…", acting_user=bob)
    sign_in(carol.email, password)
    problems: list[str] = []

    # The first ticket raises a new item; its title starts from the subject.
    page.goto(f"/agent/tickets/{first.reference}/")
    page.get_by_test_id("record-feedback").click()
    problems += _violations(page)
    form = page.get_by_test_id("record-new-form")
    expect(form.get_by_label("Title")).to_have_value("Export reports to Excel")
    form.get_by_label("Description").fill("Monthly usage report as .xlsx")
    form.get_by_role("button", name="Record as feedback").click()
    expect(page.get_by_role("alert")).to_contain_text("Recorded as feedback: Export reports to Excel.")
    assert page.url.endswith(f"/agent/tickets/{first.reference}/")

    # The second is added to it, found by search.
    page.goto(f"/agent/tickets/{second.reference}/")
    page.get_by_test_id("record-feedback").click()
    page.get_by_label("Search feedback items").fill("excel")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name="Add this ticket to “Export reports to Excel”").click()
    expect(page.get_by_role("alert")).to_contain_text("Recorded as feedback")

    # The list counts two tickets from two requesters.
    page.get_by_test_id("main-nav").get_by_role("link", name="Feedback").click()
    row = page.get_by_test_id("feedback-row").filter(has_text="Export reports to Excel")
    expect(row.get_by_test_id("ticket-count")).to_have_text("2")
    expect(row.get_by_test_id("requester-count")).to_have_text("2")
    problems += _violations(page)

    # Marked shipped: both requesters are told, once.
    row.get_by_role("link", name="Export reports to Excel").click()
    expect(page.get_by_test_id("feedback-ticket")).to_have_count(2)
    page.get_by_label("Status").select_option(label="Shipped")
    page.get_by_role("button", name="Set status").click()
    expect(page.get_by_role("alert")).to_contain_text("Status set to “Shipped”.")
    expect(page.get_by_test_id("feedback-status").first).to_have_text("Shipped")
    expect(page.get_by_test_id("feedback-history-entry")).to_have_count(1)
    problems += _violations(page)

    item = FeedbackItem.objects.get()
    assert item.status == "shipped"
    assert sorted(OutboxEmail.objects.filter(kind="feedback_shipped").values_list("to", flat=True)) == sorted(
        [alice.email, bob.email]
    )
    assert problems == []
