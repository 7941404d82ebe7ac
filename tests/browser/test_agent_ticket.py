"""Agent ticket page in a real browser: reply templates over htmx, preview, and internal notes."""

import pytest
from playwright.sync_api import expect

from canned.models import ReplyTemplate
from tickets.services import ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Laptop will not boot", description="Black screen", acting_user=alice)


def test_agent_picks_a_reply_template_and_sends_the_filled_in_reply(
    page, sign_in, carol, password, ticket, service_desk
):
    ReplyTemplate.objects.create(
        title="Acknowledge",
        body="Hello {requester_first_name}, we are looking into {ticket_reference} ({requester_name}).",
        team=service_desk,
    )
    expected = f"Hello Alice, we are looking into {ticket.reference} (Alice Smith)."
    sign_in(carol.email, password)

    page.goto(f"/agent/tickets/{ticket.reference}/")
    page.get_by_label("Reply template").select_option(label="Acknowledge")

    expect(page.locator("#reply-body")).to_have_value(expected)
    assert page.url.endswith(f"/agent/tickets/{ticket.reference}/")  # filled in place, no reload
    page.get_by_test_id("send-reply").click()

    expect(page.get_by_role("alert")).to_contain_text("Reply sent to the requester.")
    expect(page.get_by_test_id("public-message")).to_contain_text(expected)
    assert ticket.messages.get().body == expected


def test_internal_note_is_previewed_written_and_never_shown_to_the_requester(
    page, browser, live_server, sign_in, carol, password, ticket
):
    sign_in(carol.email, password)
    page.goto(f"/agent/tickets/{ticket.reference}/")

    page.locator("#reply-body").fill("**INTERNAL**: disk shows SMART errors")
    page.get_by_test_id("preview-button").click()
    expect(page.get_by_test_id("reply-preview").locator("strong")).to_have_text("INTERNAL")
    page.locator("#note-toggle").check()
    page.get_by_test_id("send-reply").click()

    expect(page.get_by_role("alert")).to_contain_text("Internal note added.")
    expect(page.get_by_test_id("internal-note")).to_contain_text("INTERNAL: disk shows SMART errors")

    page.locator("#reply-body").fill("We are ordering a new disk for you.")
    page.get_by_test_id("send-reply").click()
    expect(page.get_by_test_id("public-message")).to_contain_text("ordering a new disk")

    guest = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        requester_page = guest.new_page()
        requester_page.goto(f"/t/{ticket.access_token}/")
        thread = requester_page.get_by_test_id("thread")
        expect(thread).to_contain_text("We are ordering a new disk for you.")
        expect(thread).not_to_contain_text("INTERNAL")
        expect(thread).not_to_contain_text("SMART")
    finally:
        guest.close()
