"""Each role against a ticket of its own team and of another team: list, detail, reply, assign,
bulk and search, with nothing leaking through search results or queue counts."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tickets import queues
from tickets.models import Ticket
from tickets.services import ticket_create

# persona -> (may work the Service Desk ticket, may work the Network ticket)
MATRIX = {
    "alice": (False, False),  # a requester (not the requester of these tickets)
    "carol": (True, False),  # agent, Service Desk
    "dave": (False, True),  # agent, Network
    "erin": (True, False),  # manager of Service Desk (not a member)
    "ada": (True, True),  # admin
}


@pytest.fixture
def tickets(bob, service_desk, network_team):
    cache.clear()
    desk = ticket_create(requester=bob, subject="Zebra desk ticket", description="…", acting_user=bob)
    network = ticket_create(
        requester=bob, subject="Zebra network ticket", description="…", acting_user=bob, team=network_team
    )
    return {"desk": desk, "network": network}


def _cases():
    for persona, (desk, network) in MATRIX.items():
        yield persona, "desk", desk
        yield persona, "network", network


@pytest.mark.parametrize(("persona", "which", "allowed"), list(_cases()))
def test_list_detail_and_search(client, request, tickets, persona, which, allowed):
    user = request.getfixturevalue(persona)
    ticket = tickets[which]
    client.force_login(user)

    detail = client.get(reverse("tickets:agent_ticket", args=[ticket.reference]))
    queue = client.get(reverse("tickets:agent_queue"), {"view": "all"})
    search = client.get(reverse("tickets:agent_search"), {"q": "zebra"})

    if not user.works_tickets:
        assert detail.status_code in {403, 404}
        assert queue.status_code == 403 and search.status_code == 403
        return
    assert (detail.status_code == 200) is allowed
    assert (ticket.reference in queue.content.decode()) is allowed
    assert (ticket.reference in search.content.decode()) is allowed
    assert (ticket.subject in search.content.decode()) is allowed


@pytest.mark.parametrize(("persona", "which", "allowed"), list(_cases()))
def test_reply_assign_and_bulk(client, request, tickets, persona, which, allowed):
    user = request.getfixturevalue(persona)
    ticket = tickets[which]
    client.force_login(user)

    client.post(reverse("tickets:agent_reply", args=[ticket.reference]), {"body": "From the matrix"})
    client.post(reverse("tickets:agent_take", args=[ticket.reference]))
    client.post(reverse("tickets:agent_bulk"), {"tickets": [ticket.pk], "action": "add_tag", "tag": "matrix"})

    ticket.refresh_from_db()
    assert ticket.messages.filter(body="From the matrix").exists() is allowed
    assert (ticket.assignee_id == user.pk) is allowed
    assert ticket.tags.filter(name="matrix").exists() is allowed


@pytest.mark.parametrize("persona", ["carol", "dave", "erin"])
def test_counts_hold_only_what_the_person_may_work(request, tickets, persona):
    user = request.getfixturevalue(persona)
    may_desk, may_network = MATRIX[persona]

    counts = queues.view_counts(user)

    assert counts["teams"] == int(may_desk) + int(may_network)
    assert Ticket.objects.count() == 2
