from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from accounts.permissions import may_view
from tickets.attachments import BINARY_TYPES, TEXT_TYPES
from tickets.models import Attachment
from tickets.permissions import works_on

# Types a browser may show inline; everything else is downloaded.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}
# The types the upload check stores. Any other type on a row (HTML, SVG, written before the check
# or by hand) is sent as plain bytes: never as a page or an image a browser would run.
SERVED_TYPES = {*BINARY_TYPES.values(), *TEXT_TYPES.values()}


def serve_attachment(attachment: Attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = attachment.content_type if attachment.content_type in SERVED_TYPES else "application/octet-stream"
    response = FileResponse(
        handle,
        as_attachment=content_type not in INLINE_TYPES,
        filename=attachment.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def download(request, attachment_id: int):
    """Files go only to people who may see the ticket, and internal ones only to its staff."""
    attachment = (
        Attachment.objects.select_related("ticket", "ticket__organisation", "message").filter(pk=attachment_id).first()
    )
    if attachment is None or not may_view(request.user, attachment.ticket):
        raise Http404
    internal = attachment.message is not None and not attachment.message.is_public
    if internal and not works_on(request.user, attachment.ticket):
        raise Http404
    return serve_attachment(attachment)
