import re

import pytest
from playwright.sync_api import expect

from tickets.services import ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_triages_an_unassigned_ticket_from_the_keyboard(page, sign_in, alice, carol, service_desk, password):
    older = ticket_create(requester=alice, subject="Mouse is jumpy", description="…", acting_user=alice)
    urgent = ticket_create(
        requester=alice, subject="Whole floor offline", description="…", acting_user=alice, impact=1, urgency=1
    )
    sign_in(carol.email, password)

    page.goto("/agent/?view=unassigned")
    rows = page.get_by_test_id("queue").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(urgent.reference)  # priority first
    expect(page.get_by_test_id("count-unassigned")).to_have_text("2")

    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/agent/tickets/{urgent.reference}/$"))
    page.keyboard.press("a")  # assign to me

    expect(page.get_by_test_id("assignee")).to_contain_text(carol.full_name)
    page.goto("/agent/?view=mine")
    expect(page.get_by_test_id("queue")).to_contain_text(urgent.reference)
    expect(page.get_by_test_id("queue")).not_to_contain_text(older.reference)


def test_question_mark_shows_the_shortcuts(page, sign_in, carol, service_desk, password):
    sign_in(carol.email, password)
    page.goto("/agent/")

    page.keyboard.press("?")

    expect(page.locator("#shortcuts-help")).to_be_visible()
    expect(page.locator("#shortcuts-help")).to_contain_text("Assign the ticket to me")


def test_queue_is_usable_on_a_phone(page, sign_in, alice, carol, service_desk, password):
    ticket = ticket_create(requester=alice, subject="Phone-width check", description="…", acting_user=alice)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(carol.email, password)

    page.goto("/agent/?view=teams")

    expect(page.get_by_role("link", name=ticket.reference)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways ({width}px)"


def test_agent_bulk_assigns_selected_tickets_to_herself(page, sign_in, alice, carol, service_desk, password):
    first = ticket_create(requester=alice, subject="Bulk one", description="…", acting_user=alice)
    second = ticket_create(requester=alice, subject="Bulk two", description="…", acting_user=alice)
    untouched = ticket_create(requester=alice, subject="Leave me", description="…", acting_user=alice)
    sign_in(carol.email, password)
    page.goto("/agent/?view=unassigned")

    for ticket in (first, second):
        page.get_by_label(f"Select {ticket.reference}").check()
    bar = page.get_by_test_id("bulk-bar")
    bar.get_by_label("With selected:").select_option("assign")
    bar.get_by_label("Assign to").select_option("me")
    page.get_by_test_id("bulk-apply").click()

    expect(page.get_by_role("alert")).to_contain_text("2 tickets updated")
    page.goto("/agent/?view=mine")
    queue = page.get_by_test_id("queue")
    expect(queue).to_contain_text(first.reference)
    expect(queue).to_contain_text(second.reference)
    expect(queue).not_to_contain_text(untouched.reference)


def test_agent_opens_the_filters_and_narrows_the_queue(page, sign_in, alice, carol, service_desk, password):
    urgent = ticket_create(
        requester=alice, subject="Server room hot", description="…", acting_user=alice, impact=1, urgency=1
    )
    calm = ticket_create(requester=alice, subject="Mouse pad", description="…", acting_user=alice)
    sign_in(carol.email, password)
    page.goto("/agent/?view=teams")

    page.get_by_test_id("show-filters").click()
    panel = page.get_by_test_id("queue-filters")
    expect(panel).to_be_visible()
    panel.get_by_label("P1 – critical").check()
    panel.get_by_role("button", name="Apply filters").click()

    queue = page.get_by_test_id("queue")
    expect(queue).to_contain_text(urgent.reference)
    expect(queue).not_to_contain_text(calm.reference)
    assert "priority=1" in page.url
