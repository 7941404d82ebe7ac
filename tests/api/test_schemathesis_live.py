"""Fuzz every operation of /api/v1/ against the real site, as a demo agent and a demo requester.

gunicorn serves the site as a process on a free port of 127.0.0.1 (tests/live_site.py), on this
test run's database seeded with the demo data (``manage.py seed_demo`` with a few tickets); the
schema is the one the site serves at /api/v1/schema/. Each operation gets a bounded number of
examples per user: no 5xx, every status, content type and body as the schema documents. The
stateful run follows the schema's OpenAPI links (api/schema.py) from a raised ticket to its reply
and resolution, and checks that the chain really went through at least once.

The site gets raised rate limits (``API_RATE_TOKEN`` / ``API_RATE_ADDRESS``), as settings
read them: a fuzzer sends more than 1200 requests a minute, and a 429 everywhere would test
nothing. Rate limits have their own tests (test_throttling.py).

Seeded rows are committed (the site's processes must see them) and flushed when the module ends.
pytest-django creates the test database only when some collected test asks for one: the first
test here does (``db``), and the module fixture asserts the database's name before seeding or
flushing. As Django's ``serialized_rollback`` does, the rows there before the seeding (those
migrations write, such as the default scorecard) are put back after the flush: the tests that
run after this module find the database as migrations left it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from accounts.permissions import visible
from accounts.tokens import token_create
from tests.conftest import _database_url
from tests.live_site import Visitor, WebServer
from tickets.models import Channel, Ticket, parse_reference

# One worker runs the whole module: the demo data is seeded and gunicorn started once.
pytestmark = pytest.mark.xdist_group("live_api")

EXAMPLES = 5
CHAIN_EXAMPLES = 25
DEMO_TICKETS = 30
AGENT = "carol.agent@helpdesk.example"
REQUESTER = "alice.smith@acme.example"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    # A failure is reported as found: shrinking it would resend dozens of requests.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@dataclass
class Site:
    url: str
    server: WebServer
    agent: User
    requester: User
    headers: dict[int, dict[str, str]]
    references: dict[int, str]


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    started = time.monotonic()
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_"), "not a test database"
        before = connection.creation.serialize_db_to_string()
        call_command("seed_demo", tickets=DEMO_TICKETS, stdout=StringIO())
        agent, requester = User.objects.get(email=AGENT), User.objects.get(email=REQUESTER)
        headers = {user.pk: bearer(django_db_blocker, user) for user in (agent, requester)}
        # A ticket each may see, so that fuzzed actions reach real tickets too (not only 404s).
        references = {
            agent.pk: visible(agent, Ticket.objects.filter(team__in=agent.teams.all())).latest("id").reference,
            requester.pk: Ticket.objects.filter(requester=requester).latest("id").reference,
        }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
        "DATABASE_URL": _database_url(),
        "PYTHONUNBUFFERED": "1",
        "API_RATE_TOKEN": "1000000/minute",
        "API_RATE_ADDRESS": "1000000/minute",
    }
    # Fuzzed query strings can outgrow gunicorn's 4,094-byte request line; its 414 is the web
    # server's limit, not an answer of the API the schema describes: no limit here.
    server = WebServer(env, tmp_path_factory.mktemp("site") / "gunicorn.log", options=("--limit-request-line", "0"))
    try:
        server.wait_until_up()
        yield Site(server.url, server, agent, requester, headers, references)
    finally:
        server.stop()
        with django_db_blocker.unblock():
            assert connection.settings_dict["NAME"].startswith("test_"), "not a test database"
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True, reset_sequences=False)
            connection.creation.deserialize_db_from_string(before)
        print(f"\nlive schemathesis run: {time.monotonic() - started:.1f} s")


def bearer(django_db_blocker, user: User) -> dict[str, str]:
    """A fresh token per test: a fuzzed DELETE /tokens/{id}/ may revoke the one it is sent with."""
    with django_db_blocker.unblock():
        _token, raw = token_create(user, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture(scope="module")
def live_schema(site, django_db_blocker):
    schema = schemathesis.openapi.from_url(
        f"{site.url}/api/v1/schema/?format=json", headers=bearer(django_db_blocker, site.agent), timeout=60
    )
    schema.config.update(base_url=site.url)
    return schema


def test_the_live_site_serves_the_demo_desk_to_both_demo_users(site, db):
    for user in (site.agent, site.requester):
        visitor = Visitor(site.url)
        me = visitor.request("GET", "/api/v1/me/", headers=site.headers[user.pk])
        listed = visitor.request("GET", "/api/v1/tickets/", headers=site.headers[user.pk])

        assert me.status == 200 and me.json()["email"] == user.email
        assert listed.status == 200 and listed.json()["results"]
        requesters = {row["requester"]["id"] for row in listed.json()["results"]}
        if user == site.agent:
            assert len(requesters) > 1  # the demo desk's tickets, not just one person's
        else:
            assert user.pk in requesters


def _fuzz_operation(cases, base_url: str, headers: dict[str, str]) -> None:
    @given(case=cases)
    @FUZZ_SETTINGS
    def call_and_validate(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=30)

    call_and_validate()


def fuzz(live_schema, site, user: User, django_db_blocker) -> list[str]:
    """Every operation, ``EXAMPLES`` generated cases each, as ``user``: the failures found.

    One loop rather than ``@schema.parametrize()``: its lazy form (a schema from a fixture, the
    live site being one) does not run under pytest 9. A fresh token per operation: a fuzzed
    DELETE /tokens/{id}/ may revoke the one it is sent with (then 401s follow, as documented).
    """
    failures: list[str] = []
    for result in live_schema.get_all_operations():
        operation = result.ok()
        headers = bearer(django_db_blocker, user)
        # Valid input and invalid input (which must be a 4xx in the error shape, never a 5xx).
        strategies = [operation.as_strategy(mode) for mode in GenerationMode]
        if "{reference}" in operation.path:
            # A ticket the user may see too, so that actions reach a real ticket, not only 404s.
            reference = {"reference": site.references[user.pk]}
            strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=reference))
        try:
            _fuzz_operation(st.one_of(strategies), site.url, headers)
        except (Exception, BaseExceptionGroup) as failure:  # every operation's, reported together
            failures.append(f"{operation.label}: {failure}")
    return failures


def _api_requests_served(site: Site) -> int:
    return site.server.log.count(" /api/v1/")  # gunicorn's access log: one line per request


def test_as_a_demo_agent_no_server_error_and_every_response_as_documented(live_schema, site, django_db_blocker):
    served = _api_requests_served(site)

    failures = fuzz(live_schema, site, site.agent, django_db_blocker)

    assert not failures, "\n\n".join(failures)
    operations = len(list(live_schema.get_all_operations()))
    assert _api_requests_served(site) - served >= 3 * operations  # it did send the examples


def test_as_a_demo_requester_no_server_error_and_every_response_as_documented(live_schema, site, django_db_blocker):
    served = _api_requests_served(site)

    failures = fuzz(live_schema, site, site.requester, django_db_blocker)

    assert not failures, "\n\n".join(failures)
    operations = len(list(live_schema.get_all_operations()))
    assert _api_requests_served(site) - served >= 3 * operations


# --- stateful: create → reply → resolve, through the schema's links --------------------------

CHAIN = ["tickets_create", "tickets_reply_create", "tickets_resolve_create", "tickets_close_create"]


def _run_chains(live_schema, site, user: User, django_db_blocker) -> list[tuple[str, int, str]]:
    """Run the state machine over the ticket chain as ``user``: each call's (operation, status,
    ticket reference)."""
    headers = bearer(django_db_blocker, user)
    calls: list[tuple[str, int, str]] = []
    chains = live_schema.include(operation_id=CHAIN)
    # Valid input only: a chain goes on only from a ticket that was raised.
    chains.config.generation.update(modes=[GenerationMode.POSITIVE])
    chain = chains.as_state_machine()

    class Chains(chain):
        def before_call(self, case):
            super().before_call(case)
            if isinstance(case.body, dict):
                # What a generator cannot know: files (JSON carries none), the ids of a requester
                # or category that exist, the ticket's current version. Left out, the chain goes
                # on; each of them is checked by the fuzzing above and by tests/api/test_tickets.py.
                for name in ("attachments", "requester", "category", "version"):
                    case.body.pop(name, None)

        def get_call_kwargs(self, case):
            return {"base_url": site.url, "headers": headers, "timeout": 30}

        def after_call(self, response, case):
            super().after_call(response, case)
            operation = case.operation.definition.raw["operationId"]
            if operation == "tickets_create":
                reference = response.json().get("reference", "") if response.status_code == 201 else ""
            else:
                reference = (case.path_parameters or {}).get("reference", "")
            calls.append((operation, response.status_code, reference))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Chains.run(
        settings=settings(
            max_examples=CHAIN_EXAMPLES,
            stateful_step_count=5,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    return calls


def _went_through(calls: list[tuple[str, int, str]], *steps: tuple[str, int]) -> set[str]:
    """The tickets on which ``steps`` happened in this order (other calls in between)."""
    done: dict[str, int] = {}
    for operation, status, reference in calls:
        position = done.get(reference, 0)
        if position < len(steps) and (operation, status) == steps[position]:
            done[reference] = position + 1
    return {reference for reference, position in done.items() if position == len(steps)}


def test_stateful_an_agent_raises_replies_to_and_resolves_tickets_through_the_links(
    live_schema, site, django_db_blocker
):
    calls = _run_chains(live_schema, site, site.agent, django_db_blocker)

    chained = _went_through(
        calls, ("tickets_create", 201), ("tickets_reply_create", 201), ("tickets_resolve_create", 200)
    )
    assert chained, calls
    with django_db_blocker.unblock():
        tickets = Ticket.objects.filter(pk__in=[parse_reference(reference) for reference in chained])
        assert {ticket.channel for ticket in tickets} == {Channel.API}
        for ticket in tickets:
            assert ticket.first_resolved_at is not None, ticket
            assert ticket.messages.filter(author=site.agent, is_public=True).exists(), ticket


def test_stateful_a_requester_raises_and_replies_but_resolving_is_refused(live_schema, site, django_db_blocker):
    calls = _run_chains(live_schema, site, site.requester, django_db_blocker)

    assert _went_through(calls, ("tickets_create", 201), ("tickets_reply_create", 201)), calls
    # Staff only: the requester side is a 403 (documented), never a 5xx.
    resolving = [(status, reference) for operation, status, reference in calls if operation == "tickets_resolve_create"]
    assert {status for status, _reference in resolving} <= {400, 403, 404, 409}
    assert any(status == 403 for status, _reference in resolving), calls
