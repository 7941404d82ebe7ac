from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from accounts.permissions import may_view
from tickets.models import Attachment
from tickets.permissions import works_on

# Types a browser may show inline; everything else is downloaded.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}


def serve_attachment(attachment: Attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=attachment.content_type not in INLINE_TYPES,
        filename=attachment.original_name,
        content_type=attachment.content_type,
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
