"""A guest who types the address of an existing account is not that account until the mailbox answers.

Anyone can type carol's address into /submit/. The ticket belongs to the address (e-mails go
there), but the guest is not recorded as carol, and her lists leave it out until the tracking
link from the confirmation e-mail is opened.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from notifications.models import OutboxEmail
from tests.factories import UserFactory
from tickets.models import EventKind, Ticket
from tickets.services import ticket_reply

SUBMIT = reverse("tickets:submit")
MY_TICKETS = reverse("tickets:my_tickets")
SUBJECT = "Reset my password please"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _guest_post(client, email, name="Mallory Guest", **extra):
    return client.post(
        SUBMIT,
        {"name": name, "email": email, "subject": SUBJECT, "description": "I forgot it.", "impact": "3", "urgency": "2"}
        | extra,
    )


def _submitted_as(client, email, **extra) -> Ticket:
    response = _guest_post(client, email, **extra)
    assert response.status_code == 200
    return Ticket.objects.get(subject=SUBJECT)


def _track(ticket: Ticket) -> str:
    return reverse("tickets:track", args=[ticket.access_token])


def _my_list(client, user) -> str:
    client.force_login(user)
    page = client.get(MY_TICKETS).content.decode()
    client.logout()
    return page


@pytest.mark.parametrize("persona", ["carol", "dave", "alice"])
def test_a_guest_using_an_accounts_address_is_not_recorded_as_that_account(request, client, service_desk, persona):
    account = request.getfixturevalue(persona)

    ticket = _submitted_as(client, account.email.upper())

    assert (ticket.requester, ticket.requester_verified) == (account, False)
    created = ticket.events.get()
    assert (created.kind, created.actor) == (EventKind.CREATED, None)
    assert created.new_value["guest"] == {"email": account.email, "name": "Mallory Guest"}
    assert created.new_value["requester"] == {"id": account.pk, "name": str(account)}
    assert SUBJECT not in _my_list(client, account)


@pytest.mark.parametrize("persona", ["dave", "alice"])
def test_the_accounts_own_ticket_page_does_not_open_it(request, client, service_desk, persona):
    account = request.getfixturevalue(persona)
    ticket = _submitted_as(client, account.email)
    client.force_login(account)
    page = reverse("tickets:my_ticket", args=[ticket.reference])

    assert client.get(page).status_code == 404
    assert client.post(page, {"body": "It was me."}).status_code == 404
    assert client.post(reverse("tickets:my_ticket_close", args=[ticket.reference])).status_code == 404
    with pytest.raises(PermissionDenied):
        ticket_reply(ticket, "It was me.", acting_user=account)
    assert not ticket.messages.exists()


def test_staff_whose_address_was_used_still_work_the_ticket_as_staff(client, carol, service_desk):
    ticket = _submitted_as(client, carol.email)
    client.force_login(carol)

    assert ticket.reference in client.get(reverse("tickets:agent_queue"), {"view": "teams"}).content.decode()
    assert client.get(reverse("tickets:my_ticket", args=[ticket.reference]))["Location"] == reverse(
        "tickets:agent_ticket", args=[ticket.reference]
    )
    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()
    assert 'data-testid="requester-unverified"' in page
    assert "Mallory Guest (carol@helpdesk.example), not signed in" in page


def test_a_colleague_in_a_sharing_organisation_sees_it_only_once_verified(client, alice, bob, acme, service_desk):
    ticket = _submitted_as(client, alice.email, shared_with_organisation="on")

    assert SUBJECT not in _my_list(client, bob)
    client.get(_track(ticket))
    assert SUBJECT in _my_list(client, bob)


def test_the_api_leaves_the_ticket_out_for_the_account(alice, service_desk, client):
    ticket = _submitted_as(client, alice.email)
    api = APIClient()
    api.force_login(alice)

    assert api.get(reverse("tickets_api:ticket-list")).json()["results"] == []
    assert api.get(reverse("tickets_api:ticket-detail", args=[ticket.reference])).status_code == 404


def test_the_confirmation_email_carries_the_tracking_link_and_says_why(client, alice, service_desk):
    ticket = _submitted_as(client, alice.email)

    email = OutboxEmail.objects.get(kind="ticket_created")
    assert email.to == alice.email
    assert f"/t/{ticket.access_token}/" in email.body
    assert reverse("tickets:my_ticket", args=[ticket.reference]) not in email.body
    assert "someone who was not signed in" in email.body
    # Only the mailbox owner gets the link: the page the guest sees does not show it.
    assert ticket.access_token not in _guest_post(client, alice.email).content.decode()


def test_opening_the_tracking_link_verifies_and_the_account_then_lists_it(client, alice, service_desk):
    ticket = _submitted_as(client, alice.email)

    assert client.get(_track(ticket)).status_code == 200

    ticket.refresh_from_db()
    assert ticket.requester_verified
    assert client.get(_track(ticket)).status_code == 200  # idempotent
    assert SUBJECT in _my_list(client, alice)
    client.force_login(alice)
    assert client.get(reverse("tickets:my_ticket", args=[ticket.reference])).status_code == 200
    assert [event.kind for event in ticket.events.all()] == [EventKind.CREATED]


def test_the_account_signed_in_opening_the_link_verifies_it(client, alice, service_desk):
    ticket = _submitted_as(client, alice.email)
    client.force_login(alice)

    client.get(_track(ticket))

    ticket.refresh_from_db()
    assert ticket.requester_verified
    assert SUBJECT in client.get(MY_TICKETS).content.decode()


def test_a_reply_through_the_link_is_the_requesters_once_verified(client, alice, service_desk):
    ticket = _submitted_as(client, alice.email)

    response = client.post(_track(ticket), {"body": "Yes, that was me."})

    assert response.status_code == 302
    message = ticket.messages.get()
    assert (message.author, message.is_public) == (alice, True)


def test_files_sent_with_the_request_are_filed_under_the_account(client, alice, service_desk):
    ticket = _submitted_as(client, alice.email, attachments=SimpleUploadedFile("shot.png", PNG))

    # An upload needs a user; the created event says a guest sent it.
    assert ticket.attachments.get().uploaded_by == alice
    assert ticket.events.get(kind=EventKind.CREATED).actor is None


def test_a_staff_account_without_a_password_is_not_taken_on_trust(client, service_desk):
    agent = UserFactory(email="sso@helpdesk.example", full_name="Sam Signon", role=Role.AGENT, password=None)
    assert not agent.has_usable_password()

    ticket = _submitted_as(client, agent.email)

    assert (ticket.requester, ticket.requester_verified) == (agent, False)
    assert ticket.events.get().actor is None


def test_a_guest_reusing_an_earlier_guests_address_acts_as_before(client, service_desk):
    _guest_post(client, "gina@example.org", name="Gina Guest", subject="First")
    gina = Ticket.objects.get(subject="First").requester
    assert not gina.has_usable_password()

    ticket = _submitted_as(client, "gina@example.org", name="Gina G.")

    assert (ticket.requester, ticket.requester_verified) == (gina, True)
    created = ticket.events.get()
    assert created.actor == gina
    assert "guest" not in created.new_value
    email = OutboxEmail.objects.get(kind="ticket_created", ticket_id=ticket.pk)
    assert f"/t/{ticket.access_token}/" in email.body
    assert "someone who was not signed in" not in email.body


def test_a_signed_in_requester_submits_as_themselves(client, alice, service_desk):
    client.force_login(alice)

    client.post(SUBMIT, {"subject": SUBJECT, "description": "I forgot it.", "impact": "3", "urgency": "2"})

    ticket = Ticket.objects.get()
    assert ticket.requester_verified
    assert ticket.events.get().actor == alice
    assert SUBJECT in client.get(MY_TICKETS).content.decode()
