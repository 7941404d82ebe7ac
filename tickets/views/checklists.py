"""Ticking a step of a ticket's checklist from the agent's ticket page (htmx, or a plain form)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from helpdesk.errors import ApplicationError
from tickets import selectors
from tickets.models import ChecklistItem
from tickets.permissions import works_on
from tickets.services import checklist_tick


@login_required
@require_POST
def agent_checklist_tick(request, reference: str, item_id: int):
    ticket = selectors.ticket_by_reference(request.user, reference)
    if not works_on(request.user, ticket):
        raise PermissionDenied
    item = get_object_or_404(ChecklistItem, pk=item_id, ticket=ticket)
    error = None
    try:
        checklist_tick(item, request.POST.get("done") == "1", acting_user=request.user)
    except ApplicationError as refusal:
        error = refusal.message
    if request.htmx:
        context = {"ticket": ticket, "checklist_error": error}
        return render(request, "tickets/_agent_checklist.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("tickets:agent_ticket", ticket.reference)
