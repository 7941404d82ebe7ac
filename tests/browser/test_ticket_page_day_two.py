"""The agent ticket page, day two: one action bar, the side fields saved together, tags, a history
that says what changed (CSAT comment included), and merging — in English and in Chinese."""

import re

import pytest
from playwright.sync_api import expect

from tickets.models import EventKind, Status, Ticket
from tickets.notifications import survey_token
from tickets.services import satisfaction_answer, ticket_assign, ticket_create, ticket_resolve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "zh-hans"]


@pytest.fixture
def speaking(carol, request):
    carol.language = request.param
    carol.save(update_fields=["language"])
    return request.param


def status_of(ticket: Ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).status


@pytest.mark.parametrize("speaking", LANGUAGES, indirect=True)
def test_agent_works_a_ticket_from_the_action_bar_and_reads_what_changed(
    page, sign_in, alice, carol, service_desk, password, speaking
):
    ticket = ticket_create(
        requester=alice, subject="VPN drops every hour", description="Since Monday", acting_user=alice
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(carol.email, password)
    page.goto(f"/agent/tickets/{ticket.reference}/")

    # The side fields: several changes, one button.
    fields = page.get_by_test_id("fields-form")
    fields.locator("#ticket-type").select_option("question")
    fields.locator("#ticket-complexity").select_option("3")
    fields.locator("#ticket-tags").fill("VPN, remote work")
    page.get_by_test_id("save-fields").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_test_id("ticket-tags")).to_contain_text("remote-work")
    expect(page.get_by_test_id("ticket-tags")).to_contain_text("vpn")

    # Send and set pending: one click.
    page.locator("#reply-body").fill("Which VPN client version do you run?")
    page.get_by_test_id("send-pending").click()
    expect(page.get_by_test_id("public-message")).to_contain_text("Which VPN client version")
    assert status_of(ticket) == Status.PENDING

    # Send and resolve: the resolution fields open from the keyboard.
    page.locator("#reply-body").fill("The new client fixes it.")
    expect(page.locator("#reply-code")).to_be_hidden()
    page.get_by_test_id("send-resolve").locator("summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#reply-code")).to_be_visible()
    page.locator("#reply-code").select_option("fixed")
    page.locator("#reply-summary").fill("Updated the VPN client to 5.2")
    page.screenshot(path=f"var/screenshots/ticket-page-action-bar-{speaking}.png", full_page=True)
    page.get_by_test_id("send-and-resolve").click()
    expect(page.get_by_test_id("turn-into-article")).to_be_visible()
    assert status_of(ticket) == Status.RESOLVED

    # The history says what each change was.
    page.get_by_test_id("history").locator("summary").click()
    type_change = page.locator("[data-kind=type_changed] [data-testid=history-change]")
    expect(type_change).to_contain_text("→")
    expect(page.locator("[data-kind=tags_changed] [data-testid=history-change]")).to_contain_text("remote-work, vpn")
    expect(page.locator("[data-kind=status_changed] [data-testid=history-change]")).to_have_count(2)
    expect(page.locator("[data-kind=resolved] [data-testid=history-details]")).to_contain_text("5.2")
    if speaking == "zh-hans":
        expect(page.get_by_test_id("save-fields")).to_have_text("保存更改")
        expect(type_change).to_contain_text("咨询")  # "Question"
    page.screenshot(path=f"var/screenshots/ticket-page-day-two-{speaking}.png", full_page=True)


@pytest.mark.parametrize("speaking", LANGUAGES, indirect=True)
def test_staff_read_the_requesters_satisfaction_comment_in_the_history(
    page, sign_in, alice, carol, service_desk, password, speaking
):
    ticket = ticket_create(requester=alice, subject="Printer jam", description="Tray 2", acting_user=alice)
    ticket = ticket_assign(ticket, carol, acting_user=carol)
    ticket_resolve(ticket, code="fixed", summary="Cleared the jam", acting_user=carol)
    resolution = ticket.events.get(kind=EventKind.RESOLVED)
    satisfaction_answer(survey_token(resolution), score=4, comment="Quick, but it jammed again the next day")
    sign_in(carol.email, password)

    page.goto(f"/agent/tickets/{ticket.reference}/")
    page.get_by_test_id("history").locator("summary").click()

    answer = page.locator("[data-kind=satisfaction] [data-testid=history-details]")
    expect(answer).to_contain_text("4")
    expect(answer).to_contain_text("it jammed again the next day")
    page.get_by_test_id("history").screenshot(path=f"var/screenshots/ticket-page-history-csat-{speaking}.png")


@pytest.mark.parametrize("speaking", LANGUAGES, indirect=True)
def test_agent_merges_a_duplicate_from_its_page(page, sign_in, alice, carol, service_desk, password, speaking):
    original = ticket_create(requester=alice, subject="Outlook won't sync", description="Monday", acting_user=alice)
    duplicate = ticket_create(requester=alice, subject="Outlook still broken", description="Again", acting_user=alice)
    sign_in(carol.email, password)
    page.goto(f"/agent/tickets/{duplicate.reference}/")

    merge = page.get_by_test_id("merge")
    merge.locator("summary").click()
    page.locator("#merge-into").fill(original.reference)
    merge.screenshot(path=f"var/screenshots/ticket-page-merge-{speaking}.png")
    page.get_by_test_id("merge-form").locator("button[type=submit]").click()

    page.wait_for_url(re.compile(rf"/agent/tickets/{original.reference}/$"))
    expect(page.get_by_role("alert")).to_contain_text(duplicate.reference)
    assert status_of(duplicate) == Status.CLOSED
