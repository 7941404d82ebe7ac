"""/manage/breaches/: the SLA breaches of the last seven days, for managers (their teams) and admins (all)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from escalation.models import SlaEvent
from tests.factories import UserFactory
from tickets.services import ticket_assign, ticket_create

URL = reverse("escalation:breach_list")


def open_ticket(requester, subject, **kwargs):
    return ticket_create(
        requester=requester, subject=subject, description="Since Monday.", acting_user=requester, **kwargs
    )


def breach(ticket, days_ago, target="resolution", kind="breach"):
    recorded = timezone.now() - dt.timedelta(days=days_ago)
    return SlaEvent.objects.create(
        ticket=ticket, target=target, kind=kind, due_at=recorded - dt.timedelta(minutes=1), recorded_at=recorded
    )


@pytest.fixture
def breaches(alice, carol, service_desk, network_team):
    desk = open_ticket(alice, "Printer jams")
    ticket_assign(desk, carol, acting_user=carol)
    network = open_ticket(alice, "Switch down", team=network_team)
    old = open_ticket(alice, "Old news")
    warned = open_ticket(alice, "Only warned")
    breach(desk, days_ago=1, target="first_response")
    breach(network, days_ago=2)
    breach(old, days_ago=8)
    breach(warned, days_ago=1, kind="warning")
    return {"desk": desk, "network": network, "old": old, "warned": warned}


def rows(response):
    return [event.ticket.subject for event in response.context["breaches"]]


def test_manager_sees_the_recent_breaches_of_their_teams(client, erin, breaches):
    client.force_login(erin)
    response = client.get(URL)

    assert response.status_code == 200
    assert rows(response) == ["Printer jams"]
    page = response.content.decode()
    desk = breaches["desk"]
    assert f'href="{reverse("tickets:agent_ticket", args=[desk.reference])}"' in page
    assert "first response" in page
    assert "Service Desk" in page
    assert "Carol Nguyen" in page
    assert "Switch down" not in page


def test_admin_sees_every_teams_breaches_newest_first(client, ada, breaches):
    client.force_login(ada)
    response = client.get(URL)

    assert response.status_code == 200
    assert rows(response) == ["Printer jams", "Switch down"]
    assert "Old news" not in response.content.decode()
    assert "Only warned" not in response.content.decode()


def test_manager_of_no_team_sees_no_breaches(client, breaches):
    client.force_login(UserFactory(email="mo@helpdesk.example", role=Role.MANAGER))
    response = client.get(URL)

    assert response.status_code == 200
    assert rows(response) == []
    assert "No breaches in this period." in response.content.decode()


@pytest.mark.parametrize("persona", ["carol", "dave", "alice"])
def test_agents_and_requesters_are_refused(client, request, breaches, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
