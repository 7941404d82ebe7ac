"""Merging from the ticket page: "merge into…" a reference, through the merge service and its checks."""

import pytest
from django.urls import reverse

from tickets.models import EventKind, LinkKind, Status, Ticket, format_reference
from tickets.services import ticket_create, ticket_reply, ticket_resolve


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Outlook again", description="Same as before", acting_user=alice)


@pytest.fixture
def original(alice, service_desk):
    return ticket_create(requester=alice, subject="Outlook won't sync", description="Since Monday", acting_user=alice)


def merge(client, ticket: Ticket, into: str, **kwargs):
    return client.post(reverse("tickets:agent_merge", args=[ticket.reference]), {"into": into}, **kwargs)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_the_page_offers_merge_into_with_a_labelled_reference(client, carol, ticket):
    client.force_login(carol)

    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()

    assert 'data-testid="merge-form"' in page and 'for="merge-into"' in page


def test_merging_closes_the_ticket_as_a_duplicate_and_opens_the_other(client, carol, ticket, original):
    ticket_reply(ticket, "Did the restart help?", acting_user=carol)
    client.force_login(carol)

    response = merge(client, ticket, original.reference.lower(), follow=True)

    assert response.redirect_chain[-1][0] == reverse("tickets:agent_ticket", args=[original.reference])
    assert f"{ticket.reference} was merged into {original.reference}" in response.content.decode()
    duplicate = fresh(ticket)
    assert (duplicate.status, duplicate.resolution_code) == (Status.CLOSED, "duplicate")
    assert original.messages.get().body == "Did the restart help?"
    assert ticket.links_out.get().kind == LinkKind.DUPLICATE_OF
    assert original.events.filter(kind=EventKind.MERGED, new_value={"from": [ticket.pk]}).exists()


def test_a_ticket_the_agent_cannot_see_is_refused_like_a_missing_one(client, carol, alice, ticket, network_team):
    hidden = ticket_create(
        requester=alice, subject="Core switch", description="d", acting_user=alice, team=network_team
    )
    missing = format_reference(hidden.pk + 1000)
    client.force_login(carol)

    hidden_response = merge(client, ticket, hidden.reference)
    missing_response = merge(client, ticket, missing)

    assert hidden_response.status_code == missing_response.status_code == 400
    assert hidden_response.context["merge_form"].errors["into"] == [
        f"There is no ticket {hidden.reference} that you can see."
    ]
    assert "Core switch" not in hidden_response.content.decode()
    assert fresh(ticket).status == Status.NEW


def test_the_services_refusals_show_on_the_form(client, carol, oscar, ticket, original):
    strangers = ticket_create(requester=oscar, subject="Outlook", description="d", acting_user=oscar)
    client.force_login(carol)

    itself = merge(client, ticket, ticket.reference)
    different_people = merge(client, ticket, strangers.reference)
    ticket_resolve(original, code="fixed", summary="Done", acting_user=carol)
    resolved_duplicate = merge(client, original, ticket.reference)

    assert itself.context["merge_form"].errors["into"] == ["A ticket cannot be merged into itself."]
    assert "different people" in different_people.context["merge_form"].errors["into"][0]
    assert resolved_duplicate.status_code == 409
    assert "already resolved" in resolved_duplicate.context["merge_form"].errors["into"][0]
    assert fresh(ticket).status == Status.NEW and not ticket.events.filter(kind=EventKind.MERGED).exists()


def test_a_malformed_reference_gets_a_clear_message(client, carol, ticket):
    client.force_login(carol)

    response = merge(client, ticket, "HD-12x")

    assert response.status_code == 400
    assert response.context["merge_form"].errors["into"] == ["Enter a ticket reference such as HD-000123."]


def test_another_teams_agent_and_the_requester_cannot_merge(client, dave, alice, ticket, original):
    client.force_login(dave)
    assert merge(client, ticket, original.reference).status_code == 404
    client.force_login(alice)
    assert merge(client, ticket, original.reference).status_code == 403
    assert fresh(ticket).status == Status.NEW
