import json
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from monitoring.services import alert_source_create

DATA = Path(__file__).parent / "data"
PLAIN_URL = "/api/v1/alerts/"
ALERTMANAGER_URL = "/api/v1/alerts/alertmanager"


def payload(name: str) -> dict:
    return json.loads((DATA / name).read_text())


@pytest.fixture
def source_and_token(service_desk):
    return alert_source_create("Prometheus", service_desk)


@pytest.fixture
def source(source_and_token):
    return source_and_token[0]


@pytest.fixture
def client(source_and_token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {source_and_token[1]}")
    return api


def post(client, url, body):
    return client.post(url, body, format="json")
