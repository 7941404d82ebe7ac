"""The agent adds and removes a ticket's participants (people in Cc) on the ticket page."""

import pytest
from playwright.sync_api import expect

from tickets.models import Participant
from tickets.services import participants_add, ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_adds_a_participant_sees_a_bad_address_refused_and_removes_one(
    page, sign_in, alice, carol, service_desk, password
):
    ticket = ticket_create(requester=alice, subject="Shared drive full", description="…", acting_user=alice)
    participants_add(ticket, ["it-lead@acme.example"], acting_user=None)
    sign_in(carol.email, password)
    page.goto(f"/agent/tickets/{ticket.reference}/")

    card = page.get_by_test_id("ticket-participants")
    expect(card.get_by_test_id("participant")).to_have_count(1)
    card.locator("#participant-email").fill("manager@acme.example")
    card.get_by_role("button", name="Add", exact=True).click()
    card = page.get_by_test_id("ticket-participants")
    expect(card.get_by_test_id("participant")).to_have_count(2)
    expect(card).to_contain_text("manager@acme.example")

    card.locator("#participant-email").fill("not an address")
    card.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("valid e-mail address", exact=False).first).to_be_visible()
    assert Participant.objects.filter(ticket=ticket).count() == 2

    page.get_by_role("button", name="Remove it-lead@acme.example").click()
    card = page.get_by_test_id("ticket-participants")
    expect(card.get_by_test_id("participant")).to_have_count(1)
    assert list(Participant.objects.filter(ticket=ticket).values_list("email", flat=True)) == ["manager@acme.example"]
