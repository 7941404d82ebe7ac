"""Staff side of one ticket: the whole thread and the basic actions.

The full agent workspace (queues, search, bulk actions) builds on this page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.errors import ApplicationError
from tickets import selectors
from tickets.forms import ResolveForm, StaffReplyForm, StatusForm
from tickets.models import Ticket
from tickets.permissions import works_on
from tickets.services import (
    ticket_add_note,
    ticket_assign,
    ticket_change_status,
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
)


def _staff_ticket(request, reference: str) -> Ticket:
    ticket = selectors.ticket_by_reference(request.user, reference)
    if not works_on(request.user, ticket):
        raise PermissionDenied
    return ticket


def _page(request, ticket: Ticket, *, reply=None, status=None, resolve=None, http_status=200):
    context = {
        "ticket": ticket,
        "thread": selectors.thread(ticket, include_internal=True),
        "request_files": selectors.request_attachments(ticket),
        "events": ticket.events.select_related("actor").order_by("created_at", "id"),
        "reply_form": reply or StaffReplyForm(),
        "status_form": status or StatusForm(initial={"status": ticket.status, "version": ticket.version}),
        "resolve_form": resolve or ResolveForm(initial={"version": ticket.version}),
    }
    return render(request, "tickets/agent_ticket.html", context, status=http_status)


@login_required
def agent_ticket(request, reference: str):
    return _page(request, _staff_ticket(request, reference))


@login_required
@require_POST
def agent_reply(request, reference: str):
    ticket = _staff_ticket(request, reference)
    form = StaffReplyForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["internal"]:
                ticket_add_note(ticket, data["body"], acting_user=request.user, attachments=data["attachments"])
                messages.success(request, _("Internal note added."))
            else:
                ticket_reply(ticket, data["body"], acting_user=request.user, attachments=data["attachments"])
                messages.success(request, _("Reply sent to the requester."))
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            return redirect("tickets:agent_ticket", ticket.reference)
    return _page(request, ticket, reply=form, http_status=400)


@login_required
@require_POST
def agent_status(request, reference: str):
    ticket = _staff_ticket(request, reference)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            ticket_change_status(
                ticket,
                form.cleaned_data["status"],
                acting_user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Status changed."))
            return redirect("tickets:agent_ticket", ticket.reference)
    return _page(request, ticket, status=form, http_status=409 if form.errors.get("__all__") else 400)


@login_required
@require_POST
def agent_resolve(request, reference: str):
    ticket = _staff_ticket(request, reference)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            ticket_resolve(
                ticket,
                code=form.cleaned_data["code"],
                summary=form.cleaned_data["summary"],
                acting_user=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Ticket resolved; the requester was told and asked for feedback."))
            return redirect("tickets:agent_ticket", ticket.reference)
    return _page(request, ticket, resolve=form, http_status=400)


@login_required
@require_POST
def agent_take(request, reference: str):
    ticket = _staff_ticket(request, reference)
    try:
        ticket_assign(ticket, request.user, acting_user=request.user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The ticket is yours."))
    return redirect("tickets:agent_ticket", ticket.reference)


@login_required
@require_POST
def agent_reopen(request, reference: str):
    ticket = _staff_ticket(request, reference)
    try:
        ticket_reopen(ticket, acting_user=request.user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Ticket reopened."))
    return redirect("tickets:agent_ticket", ticket.reference)
