"""Files on tickets: checked by content and size; a rejected file leaves no trace at all."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk.errors import ApplicationError
from notifications.models import OutboxEmail
from tickets.attachments import AttachmentRejected
from tickets.models import Attachment, EventKind, Message, Ticket, TicketEvent
from tickets.services import ticket_add_note, ticket_create, ticket_reply

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(1, 100))
PDF = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 4
EXE = b"MZ" + b"\x90\x00\x03\x00" * 64
GARBAGE = bytes(128 + (i * 37) % 128 for i in range(512))  # no NUL, but not UTF-8


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def files_in(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def row_counts():
    return {model.__name__: model.objects.count() for model in (Ticket, Message, Attachment, TicketEvent, OutboxEmail)}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Screen flickers", description="See photo.", acting_user=alice)


def open_with(requester, *files):
    return ticket_create(
        requester=requester,
        subject="Screen flickers",
        description="See files.",
        acting_user=requester,
        attachments=files,
    )


# --- accepted files -------------------------------------------------------------------------


def test_requester_attaches_a_screenshot_when_opening(alice, service_desk, media):
    ticket = open_with(alice, upload("My Screenshot.PNG", PNG, "image/png"))

    attachment = Attachment.objects.get()
    assert (attachment.ticket, attachment.message, attachment.uploaded_by) == (ticket, None, alice)
    assert (attachment.original_name, attachment.extension, attachment.content_type, attachment.size) == (
        "My Screenshot.PNG",
        ".png",
        "image/png",
        len(PNG),
    )
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(media)
    assert stored.read_bytes() == PNG
    assert "Screenshot" not in stored.name  # the user's file name never reaches the disk
    assert files_in(media) == {stored}


def test_reply_with_files_records_them_on_the_message(ticket, carol):
    result = ticket_reply(
        ticket,
        "Here is the manual and the log.",
        acting_user=carol,
        attachments=[upload("manual.pdf", PDF), upload("printer.log", b"ERROR 42: tray empty\n", "text/plain")],
    )

    attachments = list(Attachment.objects.order_by("id"))
    assert [(a.message, a.content_type, a.uploaded_by) for a in attachments] == [
        (result.message, "application/pdf", carol),
        (result.message, "text/plain", carol),
    ]
    assert ticket.events.get(kind=EventKind.REPLIED).new_value == {
        "message": result.message.pk,
        "attachments": 2,
        "side": "staff",
    }


def test_upload_path_from_the_name_is_ignored(ticket, carol, media):
    ticket_add_note(ticket, "Log attached.", acting_user=carol, attachments=[upload("../../etc/passwd.txt", b"root")])

    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.txt"
    assert Path(attachment.file.path).is_relative_to(media)


# --- rejected files ---------------------------------------------------------------------------

BAD_FILES = {
    "empty": lambda: upload("empty.png", b"", "image/png"),
    "too-large": lambda: upload("huge.png", PNG + b"\x00" * 2048, "image/png"),
    "exe-renamed-png": lambda: upload("holiday.png", EXE, "image/png"),
    "png-renamed-pdf": lambda: upload("invoice.pdf", PNG, "application/pdf"),
    "garbage-named-txt": lambda: upload("notes.txt", GARBAGE, "text/plain"),
    "nul-in-txt": lambda: upload("notes.txt", b"hello\x00world", "text/plain"),
    "png-named-txt": lambda: upload("notes.txt", PNG, "text/plain"),
    "exe": lambda: upload("setup.exe", EXE),
    "html": lambda: upload("page.html", b"<script>alert(1)</script>", "text/html"),
    "no-extension": lambda: upload("README", b"hello"),
}


@pytest.fixture
def small_file_limit(settings):
    settings.ATTACHMENT_MAX_FILE_BYTES = 1024


@pytest.mark.parametrize("bad", BAD_FILES)
def test_bad_file_on_a_new_ticket_is_rejected_and_nothing_is_written(alice, service_desk, media, small_file_limit, bad):
    before = row_counts()

    with pytest.raises(AttachmentRejected) as rejected:
        open_with(alice, BAD_FILES[bad]())

    assert isinstance(rejected.value, ApplicationError)
    assert row_counts() == before
    assert files_in(media) == set()


@pytest.mark.parametrize("bad", BAD_FILES)
def test_bad_file_on_a_reply_is_rejected_and_nothing_is_written(ticket, carol, media, small_file_limit, bad):
    before = (row_counts(), Ticket.objects.get(pk=ticket.pk).last_public_activity_at)

    with pytest.raises(AttachmentRejected):
        ticket_reply(ticket, "See attached.", acting_user=carol, attachments=[BAD_FILES[bad]()])
    with pytest.raises(AttachmentRejected):
        ticket_add_note(ticket, "See attached.", acting_user=carol, attachments=[BAD_FILES[bad]()])

    assert (row_counts(), Ticket.objects.get(pk=ticket.pk).last_public_activity_at) == before
    assert files_in(media) == set()


def test_one_bad_file_rejects_the_whole_message(ticket, alice, media):
    before = row_counts()

    with pytest.raises(AttachmentRejected):
        ticket_reply(
            ticket,
            "Two files.",
            acting_user=alice,
            attachments=[upload("ok.png", PNG, "image/png"), upload("bad.png", EXE, "image/png")],
        )

    assert row_counts() == before
    assert files_in(media) == set()


def test_file_at_the_size_limit_is_accepted(alice, service_desk, settings):
    settings.ATTACHMENT_MAX_FILE_BYTES = len(PNG)

    open_with(alice, upload("exact.png", PNG, "image/png"))

    assert Attachment.objects.count() == 1


def test_files_beyond_the_per_ticket_total_are_rejected(alice, carol, service_desk, media, settings):
    settings.ATTACHMENT_MAX_TICKET_BYTES = 2 * len(PNG) + 10
    ticket = open_with(alice, upload("one.png", PNG, "image/png"))
    ticket_reply(ticket, "Second.", acting_user=alice, attachments=[upload("two.png", PNG, "image/png")])
    before = (row_counts(), files_in(media))
    assert len(before[1]) == 2

    with pytest.raises(AttachmentRejected):
        ticket_reply(ticket, "Third.", acting_user=carol, attachments=[upload("three.png", PNG, "image/png")])

    assert (row_counts(), files_in(media)) == before


def test_too_many_files_in_one_message_are_rejected(ticket, alice, media, settings):
    files = [upload(f"{n}.png", PNG, "image/png") for n in range(settings.ATTACHMENT_MAX_FILES_PER_MESSAGE + 1)]
    before = row_counts()

    with pytest.raises(AttachmentRejected):
        ticket_reply(ticket, "Lots of photos.", acting_user=alice, attachments=files)

    assert row_counts() == before
    assert files_in(media) == set()
