"""Webhook bodies captured from a real Alertmanager 0.25 (scripts/capture_alertmanager_payloads.py).

Firing, then the repeat carrying a changed annotation, then resolved: one incident ticket that
is updated and resolved, exactly as Alertmanager sends them.
"""

from monitoring.models import Alert, AlertStatus
from tests.monitoring.conftest import ALERTMANAGER_URL, payload, post
from tickets.models import Channel, EventKind, Priority, Status, Ticket, TicketType

FIRING, UPDATE, RESOLVED = (f"alertmanager-0.25-{name}.json" for name in ("firing", "update", "resolved"))


def results(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [alert["result"] for alert in response.json()["alerts"]]


def test_the_captured_bodies_are_one_alert_firing_then_resolved():
    bodies = [payload(name) for name in (FIRING, UPDATE, RESOLVED)]

    assert [body["version"] for body in bodies] == ["4", "4", "4"]
    assert [body["status"] for body in bodies] == ["firing", "firing", "resolved"]
    assert len({alert["fingerprint"] for body in bodies for alert in body["alerts"]}) == 1


def test_real_firing_opens_one_incident_ticket(client, source):
    response = post(client, ALERTMANAGER_URL, payload(FIRING))

    ticket = Ticket.objects.get()
    assert results(response) == ["opened"]
    assert response.json()["alerts"][0]["ticket"] == ticket.reference
    assert ticket.subject == "Disk almost full on db1.internal"
    assert (ticket.priority, ticket.type, ticket.channel) == (Priority.P1, TicketType.INCIDENT, Channel.MONITORING)
    alert = Alert.objects.get()
    assert alert.fingerprint == payload(FIRING)["alerts"][0]["fingerprint"]
    assert alert.details["annotations"]["description"].startswith("Only 4.2% space left")


def test_real_update_counts_the_repeat_on_the_same_ticket(client, source):
    post(client, ALERTMANAGER_URL, payload(FIRING))
    ticket = Ticket.objects.get()
    notes_before = ticket.events.filter(kind=EventKind.NOTE_ADDED).count()

    response = post(client, ALERTMANAGER_URL, payload(UPDATE))

    assert results(response) == ["repeated"]
    assert Ticket.objects.count() == 1
    alert = Alert.objects.get()
    assert (alert.fire_count, alert.status) == (2, AlertStatus.FIRING)
    assert alert.details["annotations"]["description"] == "Only 1.9% space left."
    assert ticket.events.filter(kind=EventKind.NOTE_ADDED).count() == notes_before + 1
    assert ticket.messages.filter(is_public=False, body__contains="fired again (2 times").exists()


def test_real_resolved_notes_and_resolves_when_the_source_auto_resolves(client, source):
    source.auto_resolve = True
    source.save()

    outcomes = [results(post(client, ALERTMANAGER_URL, payload(name))) for name in (FIRING, UPDATE, RESOLVED)]

    assert outcomes == [["opened"], ["repeated"], ["resolved"]]
    ticket = Ticket.objects.get()
    assert ticket.status == Status.RESOLVED
    assert ticket.messages.filter(is_public=False, body="The monitoring source reports the alert resolved.").exists()
    alert = Alert.objects.get()
    assert (alert.status, alert.fire_count) == (AlertStatus.RESOLVED, 2)


def test_real_resolved_only_notes_when_the_source_does_not_auto_resolve(client, source):
    for name in (FIRING, UPDATE, RESOLVED):
        post(client, ALERTMANAGER_URL, payload(name))

    ticket = Ticket.objects.get()
    assert ticket.status != Status.RESOLVED
    assert ticket.messages.filter(is_public=False, body="The monitoring source reports the alert resolved.").exists()
    assert Alert.objects.get().status == AlertStatus.RESOLVED
