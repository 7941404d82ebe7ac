"""Staff pages of the e-mail channel: an e-mail as it arrived (and its .eml), held and failed e-mails."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from helpdesk.errors import ApplicationError
from mail import selectors
from mail.models import InboundEmail, InboundStatus


def _original(request, pk: int) -> InboundEmail:
    inbound = get_object_or_404(InboundEmail.objects.select_related("mailbox", "ticket"), pk=pk)
    if not selectors.may_see_original(request.user, inbound):
        # As for a ticket one may not see: a 404, which does not tell that the e-mail exists.
        raise Http404
    return inbound


def _reviewable(request, pk: int) -> InboundEmail:
    inbound = get_object_or_404(InboundEmail.objects.select_related("mailbox"), pk=pk)
    if not selectors.may_review(request.user, inbound):
        raise PermissionDenied
    return inbound


@login_required
@require_GET
def original(request, pk: int):
    inbound = _original(request, pk)
    context = {
        "inbound": inbound,
        "original": selectors.original_email(inbound),
        "may_review": selectors.may_review(request.user, inbound),
    }
    return render(request, "mail/original.html", context)


@login_required
@require_GET
def original_raw(request, pk: int):
    """The bytes exactly as received, for a mail client or a colleague who reads headers."""
    inbound = _original(request, pk)
    response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="email-{inbound.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def review_list(request):
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied
    queue = selectors.review_queue(request.user)
    rows = list(queue[: selectors.REVIEW_PAGE_SIZE])
    context = {"rows": rows, "more": len(rows) == selectors.REVIEW_PAGE_SIZE}
    return render(request, "mail/review_list.html", context)


@login_required
@require_POST
def release(request, pk: int):
    from mail.services import release as release_held

    inbound = _reviewable(request, pk)
    if inbound.status != InboundStatus.HELD:
        messages.error(request, _("Only a held e-mail can be released."))
        return redirect("mail:review_list")
    try:
        inbound = release_held(inbound, acting_user=request.user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The e-mail was released: %(outcome)s.") % {"outcome": _outcome(inbound)})
    return redirect("mail:review_list")


@login_required
@require_POST
def reprocess(request, pk: int):
    from mail.services import reprocess as reprocess_failed

    inbound = _reviewable(request, pk)
    if inbound.status != InboundStatus.FAILED:
        messages.error(request, _("Only a failed e-mail can be processed again."))
        return redirect("mail:review_list")
    try:
        inbound = reprocess_failed(inbound, acting_user=request.user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The e-mail was processed again: %(outcome)s.") % {"outcome": _outcome(inbound)})
    return redirect("mail:review_list")


def _outcome(inbound: InboundEmail) -> str:
    if inbound.ticket_id is not None:
        return _("it is in ticket %(reference)s") % {"reference": inbound.ticket.reference}
    return str(inbound.get_status_display()).lower()
