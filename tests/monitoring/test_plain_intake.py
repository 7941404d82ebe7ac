"""``POST /api/v1/alerts/``: the plain JSON form."""

import pytest

from monitoring.models import Alert, AlertRoute, AlertStatus
from tests.monitoring.conftest import PLAIN_URL, post
from tickets.models import Channel, EventKind, Message, Priority, Status, Ticket, TicketType

DISK = {"fingerprint": "disk-db1", "severity": "critical", "summary": "Disk almost full on db1", "status": "firing"}


def test_first_firing_opens_an_incident_ticket(client, source, service_desk):
    response = post(client, PLAIN_URL, {**DISK, "source": "Prometheus", "details": {"free": "4%"}})

    assert response.status_code == 200, response.json()
    ticket = Ticket.objects.get()
    assert response.json() == {"alerts": [{"fingerprint": "disk-db1", "result": "opened", "ticket": ticket.reference}]}
    assert (ticket.type, ticket.channel, ticket.priority, ticket.team, ticket.requester) == (
        TicketType.INCIDENT,
        Channel.MONITORING,
        Priority.P1,
        service_desk,
        source.requester,
    )
    assert ticket.subject == "Disk almost full on db1"
    assert ticket.events.get().kind == EventKind.CREATED
    assert ticket.events.get().actor is None
    alert = Alert.objects.get()
    assert (alert.status, alert.fire_count, alert.ticket, alert.details) == ("firing", 1, ticket, {"free": "4%"})


@pytest.mark.parametrize(
    ("severity", "priority"),
    [("critical", Priority.P1), ("high", Priority.P2), ("warning", Priority.P3), ("info", Priority.P4)],
)
def test_priority_follows_severity(client, source, severity, priority):
    post(client, PLAIN_URL, {**DISK, "severity": severity})

    assert Ticket.objects.get().priority == priority


def test_repeat_firing_counts_and_notes_without_a_new_ticket(client, source):
    post(client, PLAIN_URL, DISK)
    response = post(client, PLAIN_URL, DISK)
    post(client, PLAIN_URL, DISK)

    assert response.json()["alerts"][0]["result"] == "repeated"
    ticket = Ticket.objects.get()
    alert = Alert.objects.get()
    assert alert.fire_count == 3
    notes = list(Message.objects.filter(ticket=ticket).values_list("author", "is_public", "body"))
    assert notes == [
        (None, False, "The alert fired again (2 times in all)."),
        (None, False, "The alert fired again (3 times in all)."),
    ]
    assert [e.kind for e in ticket.events.order_by("seq")] == [
        EventKind.CREATED,
        EventKind.NOTE_ADDED,
        EventKind.NOTE_ADDED,
    ]


def test_resolved_adds_a_system_note_and_leaves_the_ticket_open(client, source):
    post(client, PLAIN_URL, DISK)
    response = post(client, PLAIN_URL, {**DISK, "status": "resolved"})

    assert response.json()["alerts"][0]["result"] == "resolved"
    ticket = Ticket.objects.get()
    assert ticket.status == Status.NEW
    assert ticket.messages.get().body == "The monitoring source reports the alert resolved."
    assert Alert.objects.get().status == AlertStatus.RESOLVED


def test_resolved_auto_resolves_when_the_source_says_so(client, source):
    source.auto_resolve = True
    source.save()
    post(client, PLAIN_URL, DISK)
    post(client, PLAIN_URL, {**DISK, "status": "resolved"})

    ticket = Ticket.objects.get()
    assert ticket.status == Status.RESOLVED
    resolved = ticket.events.get(kind=EventKind.RESOLVED)
    assert resolved.actor is None
    assert resolved.new_value["code"] == "fixed"


def test_firing_after_resolution_opens_a_new_incident(client, source):
    post(client, PLAIN_URL, DISK)
    post(client, PLAIN_URL, {**DISK, "status": "resolved"})
    response = post(client, PLAIN_URL, DISK)

    assert response.json()["alerts"][0]["result"] == "opened"
    assert Ticket.objects.count() == 2
    assert list(Alert.objects.order_by("id").values_list("status", flat=True)) == ["resolved", "firing"]


def test_firing_after_an_agent_resolved_the_ticket_opens_a_new_incident(client, source, carol):
    from tickets.services import ticket_resolve

    post(client, PLAIN_URL, DISK)
    ticket_resolve(Ticket.objects.get(), code="fixed", summary="Cleaned up.", acting_user=carol)
    post(client, PLAIN_URL, DISK)

    assert Ticket.objects.count() == 2
    assert Alert.objects.filter(status="firing").count() == 1


def test_resolved_for_an_unknown_fingerprint_is_ignored(client, source):
    response = post(client, PLAIN_URL, {**DISK, "status": "resolved"})

    assert response.json()["alerts"] == [{"fingerprint": "disk-db1", "result": "ignored", "ticket": None}]
    assert not Ticket.objects.exists()


def test_a_route_sends_matching_alerts_to_another_team(client, source, network_team):
    AlertRoute.objects.create(source=source, label="service", value="network", team=network_team)
    post(client, PLAIN_URL, {**DISK, "fingerprint": "core-switch", "labels": {"service": "network"}})
    post(client, PLAIN_URL, {**DISK, "labels": {"service": "database"}})

    teams = dict(Alert.objects.values_list("fingerprint", "ticket__team__name"))
    assert teams == {"core-switch": "Network", "disk-db1": "Service Desk"}


def test_same_fingerprint_from_two_sources_are_two_incidents(client, source, service_desk):
    from rest_framework.test import APIClient

    from monitoring.services import alert_source_create

    _, other_token = alert_source_create("Zabbix", service_desk)
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {other_token}")
    post(client, PLAIN_URL, DISK)
    post(other, PLAIN_URL, DISK)

    assert Ticket.objects.count() == 2


def test_agent_sees_the_system_notes_on_the_ticket_page(client, source, carol):
    from django.test import Client
    from django.urls import reverse

    source.auto_resolve = True
    source.save()
    post(client, PLAIN_URL, DISK)
    post(client, PLAIN_URL, DISK)
    post(client, PLAIN_URL, {**DISK, "status": "resolved"})
    browser = Client()
    browser.force_login(carol)

    page = browser.get(reverse("tickets:agent_ticket", args=[Ticket.objects.get().reference]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "The alert fired again (2 times in all)." in html
    assert "The monitoring source reports the alert resolved." in html
