"""What probing the running site found: each answer was a 500 before its fix."""

from __future__ import annotations

import base64
import json

import pytest

from tests.factories import UserFactory
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db


# --- NUL characters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/kb/search/?q=%00",
        "/kb/suggest/?subject=a%00b",
        "/t/%00/",
        "/agent/search/?q=%00",
        "/agent/?q=%00",
        "/agent/feedback/?q=%00",
        "/agent/kb/?q=a%00",
        "/agent/mail/?q=%00",
        "/manage/maintenance/?q=%00",
    ],
)
def test_a_nul_character_in_a_page_address_is_a_400_page(client, carol, url):
    client.force_login(carol)
    response = client.get(url)
    assert response.status_code == 400
    assert "null character" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_a_nul_character_in_a_form_field_is_a_400(client, alice):
    client.force_login(alice)
    response = client.post("/submit/", {"subject": "Printer\x00", "description": "jammed"})
    assert response.status_code == 400
    assert "null character" in response.content.decode()


def test_a_nul_character_in_an_api_path_is_the_api_error_shape(client, carol):
    client.force_login(carol)
    response = client.get("/api/v1/tickets/HD-%00/")
    assert response.status_code == 400
    assert response.json()["code"] == "null_character"


def test_pages_without_nul_are_untouched(client, carol):
    client.force_login(carol)
    assert client.get("/agent/search/?q=printer").status_code == 200


# --- crafted cursors ---------------------------------------------------------------------------


def test_a_crafted_api_cursor_is_a_400_in_the_error_shape(client, carol):
    client.force_login(carol)
    response = client.get("/api/v1/tickets/?cursor=cD1hYmM=")
    assert response.status_code == 400
    assert set(response.json()) >= {"code", "detail"}


def test_a_queue_cursor_holding_month_13_starts_from_the_first_page(client, carol, alice):
    ticket_create(requester=alice, subject="Printer jammed", description="Paper everywhere", acting_user=alice)
    client.force_login(carol)
    cursor = base64.urlsafe_b64encode(json.dumps(["2026-13-45T00:00:00+00:00", 1]).encode()).decode()
    for sort in ("", "&sort=updated", "&sort=due", "&sort=created"):
        response = client.get(f"/agent/?view=all&after={cursor}{sort}")
        assert response.status_code == 200, sort
        response = client.get(f"/agent/?view=breaching&after={cursor}{sort}")
        assert response.status_code == 200, sort


def test_a_knowledge_cursor_holding_month_13_starts_from_the_first_page(client, carol):
    client.force_login(carol)
    response = client.get("/agent/kb/?after=2026-13-45T00:00:00%2B00:00~225")
    assert response.status_code == 200


# --- deeply nested JSON ------------------------------------------------------------------------


def test_a_json_body_nested_50000_deep_is_a_400_in_the_api(client, carol):
    client.force_login(carol)
    body = "[" * 50_000 + "]" * 50_000
    response = client.post("/api/v1/tickets/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "too_deep", "detail": "The request body is nested too deeply."}


def test_a_deeply_nested_json_body_to_a_page_is_a_400(client):
    user = UserFactory(email="someone@example.com")
    client.force_login(user)
    body = '{"a":' * 50_000 + "1" + "}" * 50_000
    response = client.post("/submit/", body, content_type="application/json", HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"


def test_ordinary_json_still_reaches_the_api(client, carol):
    client.force_login(carol)
    response = client.post("/api/v1/tickets/", {"subject": ""}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


# --- plain-text e-mails ------------------------------------------------------------------------


def test_email_subject_and_body_arrive_as_typed_not_html_escaped(alice):
    from notifications.models import OutboxEmail

    typed = "Broken <img src=x> & \"quoted\" 'too'"
    ticket = ticket_create(requester=alice, subject=typed, description="Fish & chips <b>", acting_user=alice)
    email = OutboxEmail.objects.filter(to=alice.email, ticket_id=ticket.pk).order_by("id").first()
    assert email is not None
    assert typed in email.subject
    assert "&lt;" not in email.subject and "&amp;" not in email.subject
    assert "&amp;" not in email.body and "&lt;" not in email.body


# --- organisations matched by domain -----------------------------------------------------------


def test_a_guest_typing_a_company_address_joins_its_shared_list_only_once_proven(client, bob, acme, service_desk):
    from tickets.models import Ticket

    acme.shares_tickets = True
    acme.save()
    response = client.post(
        "/submit/",
        {
            "name": "Mallory",
            "email": "x@acme.example",
            "subject": "Forged in Acme's name",
            "description": "Anyone can type this.",
            "impact": "3",
            "urgency": "2",
            "shared_with_organisation": "on",
        },
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get(subject="Forged in Acme's name")
    client.force_login(bob)
    assert "Forged in Acme" not in client.get("/my/").content.decode()
    assert client.get(f"/my/tickets/{ticket.reference}/").status_code == 404
    client.logout()

    assert client.get(f"/t/{ticket.access_token}/").status_code == 200  # the mailbox answered

    client.force_login(bob)
    assert "Forged in Acme" in client.get("/my/").content.decode()


# --- secret-link pages -------------------------------------------------------------------------


def test_the_tracking_page_is_not_stored_and_sends_no_referrer(client, alice):
    ticket = ticket_create(requester=alice, subject="Printer jammed", description="Paper", acting_user=alice)

    response = client.get(f"/t/{ticket.access_token}/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"


def test_the_survey_link_page_is_not_stored_and_sends_no_referrer(client):
    response = client.get("/survey/not-a-real-token/")

    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"


# --- colleagues on a shared request ------------------------------------------------------------


@pytest.fixture
def shared_request(alice, acme, service_desk, carol):
    from tickets.services import ticket_assign

    acme.shares_tickets = True
    acme.save()
    ticket = ticket_create(
        requester=alice,
        subject="Shared printer",
        description="Jammed",
        acting_user=alice,
        shared_with_organisation=True,
    )
    ticket_assign(ticket, carol, acting_user=carol)
    return ticket


def test_a_colleague_may_not_close_someone_elses_request(client, bob, shared_request):
    from tickets.models import Status

    client.force_login(bob)
    page = client.get(f"/my/tickets/{shared_request.reference}/").content.decode()
    assert "close this request" not in page

    client.post(f"/my/tickets/{shared_request.reference}/close/")

    shared_request.refresh_from_db()
    assert shared_request.status != Status.CLOSED


def test_the_owner_may_still_close_their_request(client, alice, shared_request):
    from tickets.models import Status

    client.force_login(alice)
    assert "close this request" in client.get(f"/my/tickets/{shared_request.reference}/").content.decode()
    client.post(f"/my/tickets/{shared_request.reference}/close/")

    shared_request.refresh_from_db()
    assert shared_request.status == Status.CLOSED


def test_a_colleagues_reply_is_told_to_the_owner_and_staff_see_who_wrote_it(client, bob, carol, alice, shared_request):
    from notifications.models import OutboxEmail

    client.force_login(bob)
    response = client.post(f"/my/tickets/{shared_request.reference}/", {"body": "Same here on floor 2."})
    assert response.status_code == 302

    to_owner = OutboxEmail.objects.get(kind="colleague_reply")
    assert to_owner.to == alice.email
    assert "Bob Jones" in to_owner.body and "Same here on floor 2." in to_owner.body
    to_staff = OutboxEmail.objects.get(kind="requester_reply")
    assert to_staff.to == carol.email
    assert "Bob Jones replied" in to_staff.body
    assert "Alice Smith replied" not in to_staff.body


def test_the_owners_own_reply_tells_only_staff(client, alice, shared_request):
    from notifications.models import OutboxEmail

    client.force_login(alice)
    client.post(f"/my/tickets/{shared_request.reference}/", {"body": "Still jammed."})

    assert OutboxEmail.objects.filter(kind="requester_reply").count() == 1
    assert not OutboxEmail.objects.filter(kind="colleague_reply").exists()
