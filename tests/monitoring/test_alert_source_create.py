"""``manage.py alert_source_create NAME --team TEAM`` prints the token once."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from monitoring.models import AlertSource
from tests.monitoring.conftest import PLAIN_URL


def test_command_creates_a_source_whose_token_works(service_desk, capsys):
    call_command("alert_source_create", "Prometheus", "--team", "Service Desk", "--auto-resolve")

    raw = capsys.readouterr().out.strip().splitlines()[-1]
    source = AlertSource.objects.get()
    assert (source.name, source.team, source.auto_resolve, source.is_active) == ("Prometheus", service_desk, True, True)
    assert not source.requester.is_active
    assert not source.requester.has_usable_password()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"fingerprint": "f", "severity": "info", "summary": "Hello"}
    assert api.post(PLAIN_URL, body, format="json").status_code == 200


def test_command_refuses_an_unknown_team_or_a_duplicate_name(service_desk):
    with pytest.raises(CommandError):
        call_command("alert_source_create", "Prometheus", "--team", "Nobody")
    call_command("alert_source_create", "Prometheus", "--team", "Service Desk")
    with pytest.raises(CommandError):
        call_command("alert_source_create", "prometheus", "--team", "Service Desk")
    assert AlertSource.objects.count() == 1


def test_admin_shows_the_new_token_once(ada, service_desk):
    client = Client()
    client.force_login(ada)

    response = client.post(
        "/admin/monitoring/alertsource/add/",
        {
            "name": "Zabbix",
            "team": service_desk.pk,
            "is_active": "on",
            "routes-TOTAL_FORMS": "0",
            "routes-INITIAL_FORMS": "0",
        },
        follow=True,
    )

    source = AlertSource.objects.get()
    shown = [str(m) for m in response.context["messages"] if "al_" in str(m)]
    assert len(shown) == 1
    raw = shown[0].rsplit(" ", 1)[-1]
    assert source.token_prefix in raw
    assert source.requester.email.endswith("@monitoring.invalid")
    detail = client.get(f"/admin/monitoring/alertsource/{source.pk}/change/")
    assert raw not in detail.content.decode()
