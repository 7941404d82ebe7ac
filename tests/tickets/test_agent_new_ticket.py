"""/agent/new/: an agent logs a phone call or a walk-in for someone, and finds that someone."""

import pytest
from django.urls import reverse

from accounts.models import Role, User
from notifications.models import OutboxEmail
from tickets.models import Channel, EventKind, Status, Ticket

NEW = reverse("tickets:agent_new_ticket")
SEARCH = reverse("tickets:agent_requester_search")


def _post(client, **values):
    data = {
        "requester_email": "alice@acme.example",
        "requester_name": "",
        "channel": "phone",
        "subject": "Printer on floor 3 jams",
        "description": "Called at 9:10; jams on every second page.",
        "category": "",
        "type": "incident",
        "impact": "3",
        "urgency": "3",
        "team": "",
        "assignee": "",
        "tags": "",
        "status": "new",
        "resolution_code": "",
        "resolution_summary": "",
    }
    data.update(values)
    return client.post(NEW, data)


def test_an_agent_opens_a_ticket_for_a_caller_with_every_field(client, alice, carol, service_desk):
    client.force_login(carol)

    response = _post(
        client, channel="walk_in", assignee=str(carol.pk), tags="printer, floor-3", status="pending", impact="2"
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:agent_ticket", args=[ticket.reference])
    assert (ticket.requester, ticket.channel, ticket.team, ticket.assignee) == (
        alice,
        Channel.WALK_IN,
        service_desk,
        carol,
    )
    assert ticket.status == Status.PENDING
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["floor-3", "printer"]
    assert ticket.impact == 2
    created = ticket.events.get(kind=EventKind.CREATED)
    assert created.actor == carol
    assert created.new_value["requester"]["id"] == alice.pk
    # The requester is told, as after the web form.
    assert OutboxEmail.objects.filter(kind="ticket_created", to=alice.email).exists()


def test_a_new_requester_is_made_from_the_address_and_name(client, carol, service_desk):
    client.force_login(carol)

    response = _post(client, requester_email="Nora@Newco.example", requester_name="Nora Newton", channel="email")

    assert response.status_code == 302
    nora = User.objects.get(email="nora@newco.example")
    assert (nora.full_name, nora.role, nora.has_usable_password()) == ("Nora Newton", Role.REQUESTER, False)
    assert Ticket.objects.get().requester == nora


def test_an_unknown_address_without_a_name_is_refused_on_the_field(client, carol, service_desk):
    client.force_login(carol)

    response = _post(client, requester_email="nobody@newco.example")

    assert response.status_code == 200
    assert "requester_name" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_submitting_as_resolved_needs_and_records_the_resolution(client, alice, carol, service_desk):
    client.force_login(carol)

    refused = _post(client, status="resolved", assignee=str(carol.pk))
    assert refused.status_code == 200
    assert "resolution_summary" in refused.context["form"].errors
    assert not Ticket.objects.exists()

    done = _post(
        client,
        status="resolved",
        assignee=str(carol.pk),
        resolution_code="fixed",
        resolution_summary="Cleared the jam on the phone.",
    )
    assert done.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.resolution_summary) == (Status.RESOLVED, "Cleared the jam on the phone.")


def test_assignee_tags_and_status_only_for_a_ticket_of_the_agents_teams(
    client, alice, carol, service_desk, network_team
):
    client.force_login(carol)

    refused = _post(client, team=str(network_team.pk), tags="vpn")
    assert "team" in refused.context["form"].errors
    assert not Ticket.objects.exists()

    # Logged for the other team as it is, without changes to it: allowed.
    logged = _post(client, team=str(network_team.pk))
    assert logged.status_code == 302
    assert Ticket.objects.get().team == network_team


def test_requesters_may_not_open_tickets_for_others_nor_search_people(client, alice, bob):
    client.force_login(alice)

    assert client.get(NEW).status_code == 403
    assert _post(client, requester_email=bob.email).status_code == 403
    assert client.get(SEARCH, {"q": "bob"}).status_code == 403
    assert not Ticket.objects.exists()


def test_the_requester_search_finds_people_by_name_or_address(client, alice, bob, oscar, carol, service_desk):
    client.force_login(carol)

    by_name = client.get(SEARCH, {"q": "smith"}).json()["results"]
    by_address = client.get(SEARCH, {"q": "globex"}).json()["results"]
    too_short = client.get(SEARCH, {"q": "a"}).json()["results"]

    assert by_name == [{"id": alice.pk, "name": "Alice Smith", "email": alice.email, "organisation": "Acme"}]
    assert [person["email"] for person in by_address] == [oscar.email]
    assert too_short == []


def test_the_page_is_linked_from_the_navbar_and_the_queue(client, carol, service_desk):
    client.force_login(carol)

    page = client.get(reverse("tickets:agent_queue")).content.decode()

    assert page.count(f'href="{NEW}"') == 2
    form = client.get(NEW)
    assert form.status_code == 200
    # Phone, walk-in and e-mail; the statuses the lifecycle lets a new ticket start in.
    assert [value for value, _label in form.context["form"].fields["channel"].choices] == ["phone", "walk_in", "email"]
    assert [value for value, _label in form.context["form"].fields["status"].choices] == [
        "new",
        "open",
        "pending",
        "resolved",
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_page_is_translated(client, carol, service_desk, language):
    carol.language = language
    carol.save()
    client.force_login(carol)

    page = client.get(NEW).content.decode()

    assert f'lang="{language}"' in page
    assert ("New ticket for a caller" in page) == (language == "en")
    assert ("为来电者新建工单" in page) == (language == "zh-hans")
