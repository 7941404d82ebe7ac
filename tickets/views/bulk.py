"""``POST /agent/bulk/``: one action for the tickets ticked in a queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from helpdesk.errors import ApplicationError
from tickets.forms import BulkActionForm
from tickets.services import BulkAction, BulkResult, bulk_apply


def _safe_next(request) -> str:
    """Back to the queue the selection came from, never to another site."""
    fallback = reverse("home")
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or fallback
    # A path or this site's URL; a bare word ("2026-13-45") would be taken for a view's name.
    if target.startswith(("/", "http://", "https://")) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def agent_bulk(request):
    if not request.user.works_tickets:
        raise PermissionDenied
    back = _safe_next(request)
    form = BulkActionForm(request.POST, user=request.user)
    if not form.is_valid():
        errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
        messages.error(request, " ".join(errors))
        return redirect(back)
    try:
        result = bulk_apply(
            form.cleaned_data["tickets"], form.cleaned_data["action"], acting_user=request.user, **form.params()
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect(back)
    level = messages.WARNING if result.refused or form.not_found else messages.SUCCESS
    messages.add_message(request, level, outcome(result, not_found=form.not_found))
    return redirect(back)


def outcome(result: BulkResult, *, not_found: int = 0) -> str:
    """What happened to each part of the selection: "2 tickets updated, 1 refused: HD-000007: …"."""
    done = len(result.updated)
    if result.action is BulkAction.MERGE:
        parts = [
            ngettext("%(count)d ticket merged into %(target)s", "%(count)d tickets merged into %(target)s", done)
            % {"count": done, "target": result.target}
        ]
    else:
        parts = [ngettext("%(count)d ticket updated", "%(count)d tickets updated", done) % {"count": done}]
    if result.unchanged:
        count = len(result.unchanged)
        parts.append(ngettext("%(count)d unchanged", "%(count)d unchanged", count) % {"count": count})
    if not_found:
        parts.append(ngettext("%(count)d not found", "%(count)d not found", not_found) % {"count": not_found})
    if result.refused:
        count = len(result.refused)
        reasons = "; ".join(f"{reference}: {reason}" for reference, reason in result.refused)
        parts.append(
            ngettext("%(count)d refused: %(reasons)s", "%(count)d refused: %(reasons)s", count)
            % {"count": count, "reasons": reasons}
        )
    return ", ".join(parts)
