"""Fuzz every operation of the schema in-process (WSGI) as an agent: no 5xx, responses as documented.

A bounded number of examples per operation keeps the run under a minute. The same against
gunicorn over the demo data, as an agent and a requester and with stateful links:
tests/api/test_schemathesis_live.py.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tokens import token_create
from tickets.services import ticket_create

EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()
# The coverage phase sends dozens of boundary cases per operation whatever max_examples says:
# random examples (and those of the schema) only, to stay within the time budget.
schema.config.phases.coverage.enabled = False


@pytest.fixture
def carols_token(carol, alice, service_desk, monkeypatch):
    # As Django's test client does: a request must not close the test's connection (and transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"token": "100000/minute", "address": "100000/minute"})
    ticket_create(requester=alice, subject="Printer", description="Offline", acting_user=alice)
    yield token_create(carol, name="fuzz")[1]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_error_and_every_response_as_documented(case, carols_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {carols_token}"}, checks=CHECKS)
