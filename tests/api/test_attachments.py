"""Files through the API: uploaded (multipart) with a new ticket, a reply or a note, downloaded
from the ticket, with the pages' checks (tickets/attachments.py).

The pages have no upload on its own (a file always comes with a request, a reply or a note), so
neither has the API. A bad file refuses the whole message with one 400 in the error shape, and
nothing is written: no ticket, no message, no file.
"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from tickets.models import Attachment, Message, Ticket

LIST = reverse("tickets_api:ticket-list")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def url(ticket, action):
    return reverse(f"tickets_api:ticket-{action}", args=[ticket.reference])


def download_url(ticket, attachment):
    return reverse("tickets_api:ticket-attachment", args=[ticket.reference, attachment.pk])


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- upload -----------------------------------------------------------------------------------


def test_a_requester_raises_a_ticket_with_files_and_downloads_them(with_token, alice, service_desk):
    api = with_token(alice)
    files = [upload("screen.png", PNG, "image/png"), upload("notes.txt", "打印机坏了".encode(), "text/plain")]

    created = api.post(
        LIST, {"subject": "Printer", "description": "See the photo", "attachments": files}, format="multipart"
    )

    assert created.status_code == 201, created.content
    ticket = Ticket.objects.get(requester=alice)
    assert created.json()["reference"] == ticket.reference
    listed = {row["name"]: row for row in created.json()["attachments"]}
    assert set(listed) == {"screen.png", "notes.txt"}
    png = Attachment.objects.get(ticket=ticket, original_name="screen.png")
    assert (png.content_type, png.size, png.uploaded_by) == ("image/png", len(PNG), alice)

    image = api.get(download_url(ticket, png))
    text = api.get(download_url(ticket, Attachment.objects.get(ticket=ticket, original_name="notes.txt")))

    assert image.status_code == 200 and b"".join(image.streaming_content) == PNG
    assert image["Content-Type"] == "image/png" and image["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image["Content-Security-Policy"]
    assert text["Content-Type"].startswith("text/plain")
    assert text["Content-Disposition"].startswith("attachment")  # only images and PDFs show inline


def test_a_reply_and_a_note_carry_files(with_token, alice, carol, ticket):
    reply = with_token(alice).post(
        url(ticket, "reply"), {"body": "The invoice", "attachments": [upload("invoice.pdf", PDF)]}, format="multipart"
    )
    note = with_token(carol).post(
        url(ticket, "note"), {"body": "Trace", "attachments": [upload("trace.log", b"ok\n")]}, format="multipart"
    )

    assert reply.status_code == 201, reply.content
    assert note.status_code == 201, note.content
    assert [f["name"] for f in reply.json()["message"]["attachments"]] == ["invoice.pdf"]
    assert [f["name"] for f in note.json()["message"]["attachments"]] == ["trace.log"]
    stored = {a.original_name: a.message.is_public for a in Attachment.objects.filter(ticket=ticket)}
    assert stored == {"invoice.pdf": True, "trace.log": False}


def test_a_name_with_path_parts_is_stored_under_its_last_part_only(with_token, alice, ticket, settings):
    response = with_token(alice).post(
        url(ticket, "reply"),
        {"body": "Log", "attachments": [upload("../../../etc/cron.d/evil.txt", b"harmless text")]},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.original_name == "evil.txt"
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve()) and ".." not in attachment.file.name


# --- refused files: one 400, nothing written ----------------------------------------------------

# name, content, words of the message
BAD_FILES = {
    "wrong type": ("setup.exe", b"MZ\x90\x00binary", "cannot be attached"),
    "no extension": ("README", b"text", "cannot be attached"),
    "content not as named": ("photo.png", b"just some text, not a PNG", "not the kind of file"),
    "binary named text": ("notes.txt", PNG, "not a text file"),
    # DRF's file field refuses it before the service does: the same 400, as a field error.
    "zero bytes": ("empty.txt", b"", "is empty"),
    "path parts and a wrong type": ("..\\..\\windows\\evil.exe", b"MZ", "cannot be attached"),
}


def _refused(response, words: str) -> None:
    """A 400 in the one error shape whose message (or the attachments field's) says ``words``."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert {"code", "detail"} <= set(body) <= {"code", "detail", "extra", "fields"}
    # The service's refusal (AttachmentRejected), or DRF's own for an empty file.
    assert body["code"] == ("invalid" if "empty" in words else "attachment_rejected"), body
    assert words in body["detail"] + str(body.get("fields", {}).get("attachments", "")), body


@pytest.mark.parametrize("bad", list(BAD_FILES))
def test_a_bad_file_refuses_a_new_ticket(with_token, alice, service_desk, bad):
    name, content, words = BAD_FILES[bad]

    response = with_token(alice).post(
        LIST, {"subject": "Printer", "description": "x", "attachments": [upload(name, content)]}, format="multipart"
    )

    _refused(response, words)
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize("bad", list(BAD_FILES))
@pytest.mark.parametrize(("who", "action"), [("alice", "reply"), ("carol", "note")])
def test_a_bad_file_refuses_a_reply_or_note(request, with_token, ticket, who, action, bad):
    name, content, words = BAD_FILES[bad]
    files = [upload("fine.txt", b"fine"), upload(name, content)]
    messages = Message.objects.filter(ticket=ticket).count()

    response = with_token(request.getfixturevalue(who)).post(
        url(ticket, action), {"body": "With files", "attachments": files}, format="multipart"
    )

    _refused(response, words)
    assert Message.objects.filter(ticket=ticket).count() == messages
    assert not Attachment.objects.exists()


@override_settings(ATTACHMENT_MAX_FILE_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused(with_token, alice, ticket):
    response = with_token(alice).post(
        url(ticket, "reply"), {"body": "Big", "attachments": [upload("big.txt", b"x" * 1025)]}, format="multipart"
    )

    _refused(response, "larger than")
    assert not Attachment.objects.exists()


@override_settings(ATTACHMENT_MAX_FILES_PER_MESSAGE=2)
def test_too_many_files_in_one_message_are_refused(with_token, alice, ticket):
    files = [upload(f"{number}.txt", b"x") for number in range(3)]

    response = with_token(alice).post(url(ticket, "reply"), {"body": "Many", "attachments": files}, format="multipart")

    _refused(response, "At most 2 files")


def test_a_file_sent_as_json_is_an_invalid_field(with_token, alice, ticket):
    response = with_token(alice).post(
        url(ticket, "reply"), {"body": "x", "attachments": ["https://example.com/a.png"]}, format="json"
    )

    assert response.status_code == 400 and "attachments" in response.json()["fields"]


# --- download ---------------------------------------------------------------------------------


def test_a_file_is_downloaded_only_through_its_own_ticket(with_token, alice, ticket):
    from tickets.services import ticket_create, ticket_reply

    other = ticket_create(requester=alice, subject="Other", description="x", acting_user=alice)
    ticket_reply(other, "file", attachments=[upload("a.txt", b"a")], acting_user=alice)
    attachment = Attachment.objects.get(ticket=other)

    through_other = with_token(alice).get(download_url(ticket, attachment))
    through_own = with_token(alice).get(download_url(other, attachment))

    assert through_other.status_code == 404 and through_other.json()["code"] == "not_found"
    assert through_own.status_code == 200


def test_a_missing_file_is_a_404_not_a_500(with_token, alice, ticket):
    from tickets.services import ticket_reply

    ticket_reply(ticket, "file", attachments=[upload("gone.txt", b"a")], acting_user=alice)
    attachment = Attachment.objects.get(ticket=ticket)
    attachment.file.delete(save=False)

    response = with_token(alice).get(download_url(ticket, attachment))

    assert response.status_code == 404
