"""Uploads: checked by their content, not their name, and kept within size limits."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from helpdesk.errors import ApplicationError

# extension -> content type; binary formats are recognised by their magic bytes.
BINARY_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".zip": "application/zip",
}
# Plain text has no magic bytes: it must decode as UTF-8 and hold no NUL byte.
TEXT_TYPES = {".txt": "text/plain", ".log": "text/plain", ".csv": "text/csv", ".md": "text/markdown"}
SNIFF_BYTES = 8192
NAME_MAX = 255


class AttachmentRejected(ApplicationError):
    pass


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    name: str
    extension: str
    content_type: str
    size: int


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def _looks_like_text(upload: UploadedFile) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def clean_file_name(name: str) -> str:
    """The name a file is shown under: its last path part (after ``/`` or ``\\``), without control
    and format characters (NUL, newlines, a right-to-left override, zero-width spaces) that could
    break a page, a note or the database or disguise the extension, and at most 255 characters
    with its extension kept. The file itself is stored under a generated name (``attachment_path``).
    """
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C" and char not in "\u2028\u2029")
    name = name.strip(" .")
    if len(name) > NAME_MAX:
        suffix = PurePath(name).suffix if len(PurePath(name).suffix) <= 16 else ""
        name = name[: NAME_MAX - len(suffix)] + suffix  # the stem alone is longer than what is cut
    return name or "attachment"


def check_upload(upload: UploadedFile) -> CheckedUpload:
    name = clean_file_name(upload.name or "")
    extension = PurePath(name).suffix.lower()
    allowed = ", ".join(sorted({*BINARY_TYPES, *TEXT_TYPES}))
    if upload.size == 0:
        raise AttachmentRejected(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > settings.ATTACHMENT_MAX_FILE_BYTES:
        raise AttachmentRejected(
            _("“%(name)s” is larger than %(limit)s.")
            % {"name": name, "limit": filesizeformat(settings.ATTACHMENT_MAX_FILE_BYTES)}
        )
    if extension in BINARY_TYPES:
        kind = filetype.guess(_head(upload))
        expected = BINARY_TYPES[extension]
        if kind is None or kind.mime != expected:
            raise AttachmentRejected(_("“%(name)s” is not the kind of file its name says it is.") % {"name": name})
        return CheckedUpload(upload, name, extension, expected, upload.size)
    if extension in TEXT_TYPES:
        if filetype.guess(_head(upload)) is not None or not _looks_like_text(upload):
            raise AttachmentRejected(_("“%(name)s” is not a text file.") % {"name": name})
        return CheckedUpload(upload, name, extension, TEXT_TYPES[extension], upload.size)
    raise AttachmentRejected(
        _("Files of type “%(extension)s” cannot be attached. Allowed: %(allowed)s.")
        % {"extension": extension or "?", "allowed": allowed}
    )


def check_uploads(uploads: list[UploadedFile], *, already_attached: int = 0) -> list[CheckedUpload]:
    """Check every file first, so that one bad file rejects the message before anything is written."""
    if len(uploads) > settings.ATTACHMENT_MAX_FILES_PER_MESSAGE:
        raise AttachmentRejected(
            _("At most %(count)d files can be attached to one message.")
            % {"count": settings.ATTACHMENT_MAX_FILES_PER_MESSAGE}
        )
    checked = [check_upload(upload) for upload in uploads]
    total = already_attached + sum(item.size for item in checked)
    if total > settings.ATTACHMENT_MAX_TICKET_BYTES:
        raise AttachmentRejected(
            _("Together with earlier files this ticket would hold more than %(limit)s of attachments.")
            % {"limit": filesizeformat(settings.ATTACHMENT_MAX_TICKET_BYTES)}
        )
    return checked
