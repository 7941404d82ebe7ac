"""``POST /api/v1/alerts/alertmanager``: Alertmanager's webhook (version 4)."""

import copy

from monitoring.models import Alert
from tests.monitoring.conftest import ALERTMANAGER_URL, payload, post
from tickets.models import Channel, Priority, Status, Ticket


def test_alertmanager_payload_opens_updates_and_resolves_a_ticket(client, source):
    source.auto_resolve = True
    source.save()

    opened = post(client, ALERTMANAGER_URL, payload("alertmanager_firing.json"))
    repeated = post(client, ALERTMANAGER_URL, payload("alertmanager_firing.json"))
    resolved = post(client, ALERTMANAGER_URL, payload("alertmanager_resolved.json"))

    ticket = Ticket.objects.get()
    assert [r.json()["alerts"][0]["result"] for r in (opened, repeated, resolved)] == ["opened", "repeated", "resolved"]
    assert ticket.subject == "Disk almost full on db1.internal"
    assert (ticket.priority, ticket.channel, ticket.status) == (Priority.P1, Channel.MONITORING, Status.RESOLVED)
    assert "service: database" in ticket.description
    alert = Alert.objects.get()
    assert (alert.fingerprint, alert.fire_count, alert.status) == ("a1f0b3c2d4e5f607", 2, "resolved")
    assert alert.labels["alertname"] == "DiskSpaceLow"
    assert alert.details["generatorURL"].startswith("http://prometheus.internal:9090/")


def test_each_alert_of_a_group_is_its_own_incident(client, source):
    body = payload("alertmanager_firing.json")
    second = copy.deepcopy(body["alerts"][0])
    second["fingerprint"] = "b2e1c4d3f5a6b708"
    second["labels"]["instance"] = "db2.internal:9100"
    second["labels"]["severity"] = "warning"
    body["alerts"].append(second)

    response = post(client, ALERTMANAGER_URL, body)

    assert [a["result"] for a in response.json()["alerts"]] == ["opened", "opened"]
    assert sorted(Ticket.objects.values_list("priority", flat=True)) == [Priority.P1, Priority.P3]


def test_summary_falls_back_to_the_alert_name_and_severity_to_warning(client, source):
    body = payload("alertmanager_firing.json")
    body["alerts"][0]["annotations"] = {}
    del body["alerts"][0]["labels"]["severity"]

    post(client, ALERTMANAGER_URL, body)

    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.priority) == ("DiskSpaceLow", Priority.P3)
