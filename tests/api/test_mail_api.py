"""``/api/v1/mail/inbound/``: held and failed e-mails, as the managers' page (mail/views.py)."""

from __future__ import annotations

import pytest

from mail.models import InboundEmail, InboundStatus
from mail.services import receive
from notifications.models import OutboxEmail
from tests.mail.mail_fixtures import corpus_message, held
from tickets.models import EventKind, Ticket

INBOUND = "/api/v1/mail/inbound/"


@pytest.fixture
def hold_everything(settings):
    settings.MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR = 0  # every new sender is held


def test_manager_lists_held_and_failed_emails_of_her_teams(as_user, erin, mailbox, network_mailbox, hold_everything):
    mine = held(mailbox, 1)
    held(network_mailbox, 2)  # another team's
    broken = receive(mailbox, b"this is not an e-mail at all")
    client = as_user(erin)

    response = client.get(INBOUND)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [broken.pk, mine.pk]
    assert (rows[1]["status"], rows[1]["subject"], rows[1]["sender"], rows[1]["ticket"]) == (
        "held",
        "Offer 1",
        "spammy@example.org",
        None,
    )
    assert rows[0]["status"] == "failed" and rows[0]["reason"]
    assert [row["id"] for row in client.get(INBOUND, {"status": "held"}).json()["results"]] == [mine.pk]
    assert [row["id"] for row in client.get(INBOUND, {"status": "failed"}).json()["results"]] == [broken.pk]


@pytest.mark.parametrize("status", ["processed", "nonsense", ""])
def test_a_bad_status_filter_is_a_400(as_user, erin, mailbox, status):
    response = as_user(erin).get(INBOUND, {"status": status})

    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_list_queries_do_not_grow_with_rows(as_user, erin, mailbox, hold_everything, django_assert_max_num_queries):
    for number in range(12):
        held(mailbox, number)
    client = as_user(erin)

    with django_assert_max_num_queries(6):
        response = client.get(INBOUND)

    assert response.json()["count"] == 12


def test_the_list_is_for_managers(as_user, carol, alice, api, mailbox):
    assert as_user(carol).get(INBOUND).status_code == 403
    assert as_user(alice).get(INBOUND).status_code == 403
    api.logout()
    assert api.get(INBOUND).status_code == 401


def test_detail_shows_headers_sender_subject_and_ticket(as_user, carol, with_files):
    response = as_user(carol).get(f"{INBOUND}{with_files.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == "Laptop battery report and the tool they sent"
    assert body["status"] == "processed" and body["ticket"] == Ticket.objects.get().reference
    assert {"name": "X-Mailer", "value": "Apple Mail (2.3774.600.62)"} in body["headers"]
    assert [attachment["name"] for attachment in body["attachments"]] == [
        "battery-report.pdf",
        "power.log",
        "diagtool.exe",
    ]
    assert body["may_review"] is False  # an agent: she reads, her manager releases


def test_raw_is_the_message_as_received(as_user, carol, with_files):
    response = as_user(carol).get(f"{INBOUND}{with_files.pk}/raw")

    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="email-{with_files.pk}.eml"'
    assert response.content == corpus_message("multipart_attachments_apple.eml")


@pytest.mark.parametrize("suffix", ["/", "/raw"])
def test_someone_else_s_email_is_refused(as_user, api, dave, alice, with_files, suffix):
    url = f"{INBOUND}{with_files.pk}{suffix}"
    assert as_user(dave).get(url).status_code == 404  # agent of another team: as for the ticket
    assert as_user(alice).get(url).status_code == 403  # a requester
    api.logout()
    assert api.get(url).status_code == 401


def test_a_failed_email_without_ticket_is_for_its_reviewers_only(as_user, erin, carol, mailbox):
    broken = receive(mailbox, b"this is not an e-mail at all")

    response = as_user(erin).get(f"{INBOUND}{broken.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "failed" and body["reason"] and body["ticket"] is None
    assert "this is not an e-mail at all" in body["text"] or body["problem"]
    assert body["may_review"] is True
    assert as_user(carol).get(f"{INBOUND}{broken.pk}/").status_code == 404


def test_unknown_email_is_a_404(as_user, erin, mailbox):
    client = as_user(erin)
    assert client.get(f"{INBOUND}999999/").status_code == 404
    assert client.get(f"{INBOUND}999999/raw").status_code == 404
    assert client.post(f"{INBOUND}999999/release/").status_code == 404
    assert client.get(f"{INBOUND}abc/").status_code == 404


def test_manager_releases_a_held_email_into_a_ticket(as_user, erin, mailbox, hold_everything):
    inbound = held(mailbox, 1)

    response = as_user(erin).post(f"{INBOUND}{inbound.pk}/release/")

    assert response.status_code == 200, response.json()
    inbound.refresh_from_db()
    ticket = Ticket.objects.get()
    assert inbound.status == InboundStatus.PROCESSED and inbound.ticket == ticket
    assert (response.json()["status"], response.json()["ticket"]) == ("processed", ticket.reference)
    assert ticket.subject == "Offer 1" and ticket.channel == "email"
    assert ticket.events.filter(kind=EventKind.CREATED).count() == 1
    # The acknowledgement the import sends to a guest request, as when the page releases it.
    assert OutboxEmail.objects.filter(to="spammy@example.org").exists()


def test_manager_reprocesses_a_failed_email(as_user, erin, mailbox, hold_everything):
    inbound = held(mailbox, 1)
    InboundEmail.objects.filter(pk=inbound.pk).update(status=InboundStatus.FAILED, reason="boom")

    response = as_user(erin).post(f"{INBOUND}{inbound.pk}/reprocess/")

    assert response.status_code == 200, response.json()
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.PROCESSED and inbound.ticket is not None


def test_release_of_a_failed_or_reprocess_of_a_held_email_is_a_409(as_user, erin, mailbox, hold_everything):
    inbound = held(mailbox, 1)
    broken = receive(mailbox, b"this is not an e-mail at all")
    client = as_user(erin)

    response = client.post(f"{INBOUND}{inbound.pk}/reprocess/")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    response = client.post(f"{INBOUND}{broken.pk}/release/")
    assert response.status_code == 409
    inbound.refresh_from_db()
    broken.refresh_from_db()
    assert (inbound.status, broken.status) == (InboundStatus.HELD, InboundStatus.FAILED)
    assert not Ticket.objects.exists()


def test_release_of_another_team_s_email_is_refused(
    as_user, erin, carol, alice, network_mailbox, mailbox, hold_everything
):
    other = held(network_mailbox, 1)
    own = held(mailbox, 2)

    assert as_user(erin).post(f"{INBOUND}{other.pk}/release/").status_code == 403
    assert as_user(carol).post(f"{INBOUND}{own.pk}/release/").status_code == 403  # an agent
    assert as_user(alice).post(f"{INBOUND}{own.pk}/release/").status_code == 403
    other.refresh_from_db()
    own.refresh_from_db()
    assert (other.status, own.status) == (InboundStatus.HELD, InboundStatus.HELD)
