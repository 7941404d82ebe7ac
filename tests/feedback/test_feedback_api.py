"""/api/v1/feedback/: the same items, counts, services and refusals as the pages."""

import pytest
from rest_framework.test import APIClient

from accounts.tokens import token_create
from feedback.models import FeedbackItem, FeedbackLink, ProductArea
from feedback.services import feedback_link, feedback_raise
from notifications.models import OutboxEmail
from tickets.services import ticket_create

LIST = "/api/v1/feedback/"


def _ticket(requester, subject="Export to Excel"):
    return ticket_create(requester=requester, subject=subject, description="…", acting_user=requester)


@pytest.fixture
def api():
    return APIClient()


def _as(api, user):
    _, raw = token_create(user, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


@pytest.fixture
def excel(alice, bob, carol, service_desk):
    item = feedback_raise("Export to Excel", ticket=_ticket(alice), acting_user=carol)
    feedback_link(item, _ticket(bob, "Excel too"), acting_user=carol)
    return item


def test_the_list_has_the_counts_and_follows_the_filters(api, carol, excel):
    feedback_raise("Dark mode", acting_user=carol)
    client = _as(api, carol)

    body = client.get(LIST, {"sort": "tickets"}).json()
    planned = client.get(LIST, {"status": "planned"}).json()

    assert [(row["title"], row["ticket_count"], row["requester_count"]) for row in body["results"]] == [
        ("Export to Excel", 2, 2),
        ("Dark mode", 0, 0),
    ]
    assert planned["results"] == []


def test_the_list_is_a_bounded_number_of_queries(api, alice, carol, excel, django_assert_max_num_queries):
    client = _as(api, carol)
    client.get(LIST)
    for number in range(20):
        feedback_link(
            feedback_raise(f"Need {number}", acting_user=carol), _ticket(alice, f"S {number}"), acting_user=carol
        )
    with django_assert_max_num_queries(8):
        body = client.get(LIST).json()
    assert body["count"] == 21


def test_requesters_are_refused_and_strangers_must_sign_in(api, alice, excel):
    assert api.get(LIST).status_code == 401
    client = _as(api, alice)
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{excel.pk}/").status_code == 403
    assert client.post(LIST, {"title": "Mine"}, format="json").status_code == 403


def test_an_agent_raises_an_item_from_a_ticket(api, alice, carol, service_desk):
    ticket = _ticket(alice)
    area = ProductArea.objects.create(name="Reports")

    response = _as(api, carol).post(
        LIST, {"title": "Excel export", "area": area.pk, "ticket": ticket.reference}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["area_name"], body["tickets"], body["ticket_count"]) == (
        "Excel export",
        "Reports",
        [ticket.reference],
        1,
    )


def test_bad_input_is_a_400_with_the_field(api, alice, carol, dave, network_team, service_desk):
    ticket = _ticket(alice)
    client = _as(api, dave)

    no_title = client.post(LIST, {"title": " "}, format="json")
    hidden_ticket = client.post(LIST, {"title": "Mine", "ticket": ticket.reference}, format="json")
    retired = ProductArea.objects.create(name="Fax", is_active=False)
    retired_area = client.post(LIST, {"title": "Fax", "area": retired.pk}, format="json")

    assert no_title.status_code == 400 and "title" in no_title.json()["fields"]
    assert hidden_ticket.status_code == 400 and "ticket" in hidden_ticket.json()["fields"]
    assert retired_area.status_code == 400 and retired_area.json()["extra"] == {"field": "area"}
    assert not FeedbackItem.objects.exists()


def test_patch_edits_and_ships_once(api, alice, bob, carol, excel):
    client = _as(api, carol)
    url = f"{LIST}{excel.pk}/"

    edited = client.patch(url, {"title": "Excel export of reports"}, format="json")
    for status in ("shipped", "planned", "shipped"):
        assert client.patch(url, {"status": status}, format="json").status_code == 200
    unknown = client.patch(url, {"status": "done"}, format="json")

    assert edited.status_code == 200 and edited.json()["title"] == "Excel export of reports"
    assert unknown.status_code == 400
    excel.refresh_from_db()
    assert (excel.title, excel.status) == ("Excel export of reports", "shipped")
    assert sorted(OutboxEmail.objects.filter(kind="feedback_shipped").values_list("to", flat=True)) == sorted(
        [alice.email, bob.email]
    )


def test_links_adds_a_ticket_the_caller_may_see(api, alice, carol, dave, excel, network_team):
    other = _ticket(alice, "Spreadsheet please")

    refused = _as(api, dave).post(f"{LIST}{excel.pk}/links/", {"ticket": other.reference}, format="json")
    linked = _as(APIClient(), carol).post(f"{LIST}{excel.pk}/links/", {"ticket": other.reference}, format="json")

    assert refused.status_code == 400
    assert linked.status_code == 200 and other.reference in linked.json()["tickets"]
    assert linked.json()["ticket_count"] == 3
    assert FeedbackLink.objects.filter(item=excel, ticket=other).exists()


def test_an_unknown_item_is_404_and_put_is_not_offered(api, carol, excel):
    client = _as(api, carol)
    assert client.get(f"{LIST}999999/").status_code == 404
    assert client.put(f"{LIST}{excel.pk}/", {"title": "x"}, format="json").status_code == 405
