"""The requester side in the Django test client: web form, /my/, tracking links, files, survey."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import OutboxEmail
from tickets.models import Attachment, EventKind, Message, Ticket, TicketEvent
from tickets.notifications import survey_token
from tickets.services import ticket_add_note, ticket_close, ticket_create, ticket_reply, ticket_resolve

SUBMIT = reverse("tickets:submit")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _ticket(requester, subject="Printer offline", **extra):
    return ticket_create(
        requester=requester, subject=subject, description="It blinks red.", acting_user=requester, **extra
    )


def _guest_post(client, **overrides):
    data = {
        "name": "Gina Guest",
        "email": "gina@example.org",
        "subject": "Projector in room 4 is dark",
        "description": "No signal since this morning.",
        "impact": "2",
        "urgency": "1",
        **overrides,
    }
    return client.post(SUBMIT, data)


def _row_counts():
    return tuple(model.objects.count() for model in (Ticket, Message, Attachment, TicketEvent, OutboxEmail))


def test_guest_submits_and_gets_a_private_tracking_link(client, service_desk):
    response = _guest_post(client)

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.reference in response.content.decode()
    assert ticket.requester.email == "gina@example.org"
    assert not ticket.requester.has_usable_password()
    assert (ticket.impact, ticket.urgency, ticket.priority) == (2, 1, 2)
    assert ticket.team == service_desk
    email = OutboxEmail.objects.get(kind="ticket_created")
    assert email.to == "gina@example.org"
    assert f"/t/{ticket.access_token}/" in email.body
    # The link itself is only in the e-mail, never on the page (anyone could type any address).
    assert ticket.access_token not in response.content.decode()


def test_guest_reads_public_replies_but_never_internal_notes(client, carol, service_desk):
    _guest_post(client)
    ticket = Ticket.objects.get()
    ticket_reply(ticket, "Have you tried the HDMI cable?", acting_user=carol)
    ticket_add_note(ticket, "SECRET: room 4 projector is on the replacement list", acting_user=carol)

    page = client.get(reverse("tickets:track", args=[ticket.access_token])).content.decode()

    assert "Have you tried the HDMI cable?" in page
    assert "SECRET" not in page
    assert all("SECRET" not in email.body for email in OutboxEmail.objects.filter(to="gina@example.org"))


def test_guest_replies_with_a_file_through_the_link(client, service_desk):
    _guest_post(client)
    ticket = Ticket.objects.get()
    url = reverse("tickets:track", args=[ticket.access_token])

    response = client.post(url, {"body": "Photo attached.", "attachments": SimpleUploadedFile("p.png", PNG)})

    assert response.status_code == 302
    message = ticket.messages.get()
    assert (message.author, message.is_public) == (ticket.requester, True)
    file = message.attachments.get()
    assert client.get(reverse("tickets:track_attachment", args=[ticket.access_token, file.pk])).status_code == 200


def test_a_wrong_or_foreign_token_reveals_nothing(client, alice, oscar, service_desk):
    mine = _ticket(alice)
    other = _ticket(oscar, subject="Globex secret")
    ticket_reply(other, "with file", acting_user=oscar, attachments=[SimpleUploadedFile("o.png", PNG)])
    foreign_file = Attachment.objects.get(ticket=other)

    assert client.get(reverse("tickets:track", args=["x" * 43])).status_code == 404
    assert client.get(reverse("tickets:track_attachment", args=[mine.access_token, foreign_file.pk])).status_code == 404
    assert "Globex secret" not in client.get(reverse("tickets:track", args=[mine.access_token])).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 100_000}, "subject"),
        ({"subject": "   "}, "subject"),
        ({"description": ""}, "description"),
        ({"email": "not-an-address"}, "email"),
        ({"impact": "9"}, "impact"),
    ],
)
def test_bad_submissions_are_refused_with_a_message_and_nothing_written(client, service_desk, overrides, field):
    before = _row_counts()

    response = _guest_post(client, **overrides)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert _row_counts() == before


def test_an_exe_renamed_png_is_refused(client, service_desk):
    before = _row_counts()

    response = _guest_post(client, attachments=SimpleUploadedFile("cat.png", b"MZ\x90\x00" + b"\x00" * 200))

    assert response.status_code == 200
    assert "not the kind of file its name says" in response.content.decode()
    assert _row_counts() == before


def test_script_in_every_field_is_shown_as_text(client, alice, carol, service_desk):
    client.force_login(alice)
    client.post(
        SUBMIT,
        {
            "subject": "<script>alert('s')</script>",
            "description": "<img src=x onerror=alert(1)> [x](javascript:alert(2))",
            "impact": "3",
            "urgency": "3",
        },
    )
    ticket = Ticket.objects.get()

    page = client.get(reverse("tickets:my_ticket", args=[ticket.reference])).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert "onerror" not in page
    assert "javascript:" not in page


def test_signed_in_requester_submits_and_lands_on_the_ticket(client, alice, service_desk):
    client.force_login(alice)

    response = client.post(
        SUBMIT, {"subject": "VPN drops", "description": "Every 10 minutes.", "impact": "3", "urgency": "2"}
    )

    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("tickets:my_ticket", args=[ticket.reference])
    assert ticket.requester == alice and ticket.organisation == alice.organisation


def test_my_requests_lists_only_my_own_tickets(client, alice, bob, oscar, service_desk):
    _ticket(alice, subject="Alice's laptop")
    _ticket(bob, subject="Bob's monitor")
    _ticket(oscar, subject="Oscar's phone")
    client.force_login(alice)

    page = client.get(reverse("tickets:my_tickets")).content.decode()

    assert "Alice&#x27;s laptop" in page
    assert "Bob&#x27;s monitor" not in page and "Oscar&#x27;s phone" not in page


def test_a_sharing_organisation_shows_colleagues_tickets(client, alice, bob, acme, service_desk):
    acme.shares_tickets = True
    acme.save()
    ticket = _ticket(bob, subject="Bob's monitor")
    client.force_login(alice)

    assert "Bob&#x27;s monitor" in client.get(reverse("tickets:my_tickets")).content.decode()
    assert client.get(reverse("tickets:my_ticket", args=[ticket.reference])).status_code == 200


def test_someone_elses_ticket_is_not_found(client, alice, oscar, service_desk):
    ticket = _ticket(oscar)
    client.force_login(alice)

    assert client.get(reverse("tickets:my_ticket", args=[ticket.reference])).status_code == 404
    assert client.post(reverse("tickets:my_ticket", args=[ticket.reference]), {"body": "hi"}).status_code == 404
    assert client.post(reverse("tickets:my_ticket_close", args=[ticket.reference])).status_code == 404
    assert not ticket.messages.exists()


def test_requester_reply_on_a_closed_ticket_opens_a_follow_up(client, alice, carol, service_desk):
    ticket = _ticket(alice)
    ticket_resolve(ticket, code="fixed", summary="Replaced toner.", acting_user=carol)
    ticket_close(ticket, acting_user=carol)
    client.force_login(alice)

    response = client.post(reverse("tickets:my_ticket", args=[ticket.reference]), {"body": "It's blinking again"})

    follow_up = Ticket.objects.exclude(pk=ticket.pk).get()
    assert response["Location"] == reverse("tickets:my_ticket", args=[follow_up.reference])
    assert follow_up.links_out.get().target == ticket
    ticket.refresh_from_db()
    assert ticket.status == "closed" and not ticket.messages.exists()


def test_requester_withdraws_an_open_request(client, alice, service_desk):
    ticket = _ticket(alice)
    client.force_login(alice)

    client.post(reverse("tickets:my_ticket_close", args=[ticket.reference]))

    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert ticket.events.filter(kind=EventKind.CLOSED, new_value__withdrawn=True).exists()


def test_attachments_go_only_to_people_who_may_see_them(client, alice, oscar, carol, service_desk):
    ticket = _ticket(alice, attachments=[SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * 50)])
    ticket_add_note(ticket, "log", acting_user=carol, attachments=[SimpleUploadedFile("debug.txt", b"trace\n")])
    public_file = Attachment.objects.get(message__isnull=True)
    internal_file = Attachment.objects.get(message__is_public=False)

    client.force_login(alice)
    download = client.get(reverse("tickets:attachment", args=[public_file.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("tickets:attachment", args=[internal_file.pk])).status_code == 404

    client.force_login(oscar)
    assert client.get(reverse("tickets:attachment", args=[public_file.pk])).status_code == 404

    client.force_login(carol)
    assert client.get(reverse("tickets:attachment", args=[internal_file.pk])).status_code == 200


def test_stored_file_names_are_generated(alice, service_desk):
    ticket = _ticket(alice, attachments=[SimpleUploadedFile("../../etc/passwd.txt", b"hello\n")])

    file = ticket.attachments.get()
    assert file.original_name == "passwd.txt"
    assert re.fullmatch(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}\.txt", file.file.name)


def test_survey_link_records_one_answer(client, alice, carol, service_desk):
    ticket = _ticket(alice)
    ticket_resolve(ticket, code="fixed", summary="Done", acting_user=carol)
    event = ticket.events.get(kind=EventKind.RESOLVED)
    url = reverse("tickets:survey", args=[survey_token(event)])

    page = client.get(url + "?score=5")
    assert page.status_code == 200 and page.context["form"].initial == {"score": "5"}
    assert client.post(url, {"score": "5", "comment": "Quick!"}).status_code == 200
    answer = ticket.satisfaction_answers.get()
    assert (answer.score, answer.comment, answer.resolved_by) == (5, "Quick!", carol)

    again = client.post(url, {"score": "1"})
    assert again.status_code == 409
    assert ticket.satisfaction_answers.count() == 1


def test_a_tampered_survey_link_is_refused(client, alice, carol, service_desk):
    ticket = _ticket(alice)
    ticket_resolve(ticket, code="fixed", summary="Done", acting_user=carol)
    token = survey_token(ticket.events.get(kind=EventKind.RESOLVED))

    response = client.post(reverse("tickets:survey", args=[token[:-2] + "xx"]), {"score": "5"})

    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not ticket.satisfaction_answers.exists()


def test_resolution_email_carries_one_click_survey_links(alice, carol, service_desk):
    ticket = _ticket(alice)
    ticket_resolve(ticket, code="fixed", summary="Replaced toner.", acting_user=carol)

    email = OutboxEmail.objects.get(kind="resolved")
    links = re.findall(r"/survey/[^/\s]+/\?score=(\d)", email.body)
    assert links == ["5", "4", "3", "2", "1"]
    assert "Replaced toner." in email.body


def test_chinese_requester_gets_chinese_pages_and_emails(client, alice, service_desk):
    alice.language = "zh-hans"
    alice.save()
    client.force_login(alice)

    client.post(SUBMIT, {"subject": "打印机无法连接", "description": "一直离线", "impact": "3", "urgency": "2"})

    assert "我的请求" in client.get(reverse("tickets:my_tickets")).content.decode()
    assert "我们已收到您的请求" in OutboxEmail.objects.get(kind="ticket_created").subject
