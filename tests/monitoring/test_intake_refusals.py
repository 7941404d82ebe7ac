"""Who may post, and what is refused: a refusal writes nothing."""

import pytest
from rest_framework.test import APIClient

from accounts.tokens import token_create
from monitoring.models import Alert
from tests.monitoring.conftest import ALERTMANAGER_URL, PLAIN_URL, payload, post
from tickets.models import Ticket, TicketEvent

DISK = {"fingerprint": "disk-db1", "severity": "critical", "summary": "Disk almost full on db1", "status": "firing"}


def nothing_written():
    return not (Ticket.objects.exists() or Alert.objects.exists() or TicketEvent.objects.exists())


@pytest.mark.parametrize("header", [None, "Bearer al_not-a-real-token", "Bearer", "Basic dXNlcjpwdw=="])
def test_missing_or_wrong_token_is_a_401(source, header):
    api = APIClient()
    if header:
        api.credentials(HTTP_AUTHORIZATION=header)

    response = post(api, PLAIN_URL, DISK)

    assert response.status_code == 401
    assert response.json()["code"] in {"not_authenticated", "authentication_failed"}
    assert nothing_written()


def test_a_person_api_token_is_not_a_source_token(source, carol):
    _, raw = token_create(carol, name="cli")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert post(api, PLAIN_URL, DISK).status_code == 401
    assert nothing_written()


def test_inactive_source_is_a_401(client, source):
    source.is_active = False
    source.save()

    response = post(client, ALERTMANAGER_URL, payload("alertmanager_firing.json"))

    assert response.status_code == 401
    assert nothing_written()


def test_token_is_stored_hashed(source_and_token):
    source, raw = source_and_token
    assert raw.startswith("al_")
    assert raw not in (source.token_hash, source.token_prefix)
    assert len(source.token_hash) == 64


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fingerprint": None}, "fingerprint"),
        ({"severity": "catastrophic"}, "severity"),
        ({"status": "snoozed"}, "status"),
        ({"summary": ""}, "summary"),
        ({"source": "Nagios"}, "source"),
        ({"details": "not an object"}, "details"),
    ],
)
def test_bad_plain_payload_is_a_400_with_the_reason(client, source, change, field):
    body = {key: value for key, value in {**DISK, **change}.items() if value is not None}

    response = post(client, PLAIN_URL, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert nothing_written()


def test_not_json_is_a_400(client, source):
    response = client.post(PLAIN_URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert nothing_written()


def test_a_body_over_256_kb_is_refused(client, source):
    response = post(client, PLAIN_URL, {**DISK, "details": {"blob": "x" * 300_000}})

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert nothing_written()


def test_one_bad_alert_in_an_alertmanager_group_writes_none_of_them(client, source):
    body = payload("alertmanager_firing.json")
    body["alerts"].append({"status": "firing", "labels": {"alertname": "X"}})  # no fingerprint

    response = post(client, ALERTMANAGER_URL, body)

    assert response.status_code == 400
    assert "alerts" in response.json()["fields"]
    assert nothing_written()


@pytest.mark.parametrize(
    "change",
    [{"version": "3"}, {"alerts": []}, {"alerts": "none"}],
)
def test_bad_alertmanager_payload_is_a_400(client, source, change):
    response = post(client, ALERTMANAGER_URL, {**payload("alertmanager_firing.json"), **change})

    assert response.status_code == 400
    assert nothing_written()


def test_get_is_not_allowed(client, source):
    assert client.get(PLAIN_URL).status_code == 405
