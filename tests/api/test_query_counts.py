"""Each list endpoint runs the same number of queries for 2 rows as for 40 (and never many)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from canned.models import ReplyTemplate
from tests.factories import OrganisationFactory, TeamFactory, UserFactory
from tests.knowledge.builders import stored
from tickets.models import Category

BOUND = 6


# Each adds ``count`` rows that carol (agent, Service Desk) sees; ``tag`` keeps names unique.


def grow_categories(count, tag, carol, service_desk):
    parent = Category.objects.create(name=f"Hardware {tag}")
    for number in range(count):
        Category.objects.create(name=f"Printer {number}", parent=parent)


def grow_teams(count, tag, carol, service_desk):
    for number in range(count):
        TeamFactory(name=f"Team {tag}-{number}")


def grow_users(count, tag, carol, service_desk):
    for number in range(count):
        UserFactory(email=f"user{tag}-{number}@acme.example")


def grow_organisations(count, tag, carol, service_desk):
    for number in range(count):
        OrganisationFactory(name=f"Org {tag}-{number}")


def grow_templates(count, tag, carol, service_desk):
    for number in range(count):
        ReplyTemplate.objects.create(title=f"Desk {tag}-{number}", body="x", team=service_desk)
        ReplyTemplate.objects.create(title=f"Mine {tag}-{number}", body="x", owner=carol)


def grow_articles(count, tag, carol, service_desk):
    for number in range(count):
        stored(carol, f"Printer offline {tag}-{number}")


ENDPOINTS = {
    "categories": ("api:category-list", grow_categories),
    "teams": ("api:team-list", grow_teams),
    "users": ("api:user-list", grow_users),
    "organisations": ("api:organisation-list", grow_organisations),
    "reply-templates": ("api:reply-template-list", grow_templates),
    "articles": ("knowledge_api:article-list", grow_articles),
}


def rows(response) -> int:
    assert response.status_code == 200, response.content
    body = response.json()
    return len(body["results"] if isinstance(body, dict) else body)


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_a_list_runs_a_constant_number_of_queries(
    as_user, carol, service_desk, endpoint, django_assert_max_num_queries
):
    name, grow = ENDPOINTS[endpoint]
    client = as_user(carol)

    grow(2, "few", carol, service_desk)
    with CaptureQueriesContext(connection) as few:
        small = rows(client.get(reverse(name)))
    grow(40, "many", carol, service_desk)
    with django_assert_max_num_queries(BOUND) as many:
        large = rows(client.get(reverse(name)))

    assert large > small
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]
