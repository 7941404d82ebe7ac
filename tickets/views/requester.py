"""The requester side: the web form, "my tickets", and a ticket's public thread."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.errors import ApplicationError
from knowledge import reading
from tickets import selectors
from tickets.forms import GuestSubmitForm, ReplyForm, SubmitForm
from tickets.permissions import works_on
from tickets.services import ticket_close, ticket_create, ticket_create_by_guest, ticket_reply


def submit(request):
    """Signed-in users submit as themselves; guests give a name and an e-mail address."""
    form_class = SubmitForm if request.user.is_authenticated else GuestSubmitForm
    # "I still need help" on a suggested article comes back here with the subject typed.
    initial = {"subject": reading.clean_query(request.GET.get("subject", ""))}
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The ticket and the "read an article, submitted anyway" events: both or neither.
            with transaction.atomic():
                if request.user.is_authenticated:
                    ticket = ticket_create(
                        requester=request.user,
                        acting_user=request.user,
                        subject=data["subject"],
                        description=data["description"],
                        category=data["category"],
                        impact=data["impact"],
                        urgency=data["urgency"],
                        attachments=data["attachments"],
                    )
                else:
                    ticket = ticket_create_by_guest(
                        name=data["name"],
                        email=data["email"],
                        language=translation.get_language() or "en",
                        subject=data["subject"],
                        description=data["description"],
                        category=data["category"],
                        impact=data["impact"],
                        urgency=data["urgency"],
                        attachments=data["attachments"],
                    )
                # A guest who typed an account's address is not that account here either.
                reader = ticket.requester if ticket.requester_verified else None
                reading.record_submitted_anyway(ticket, reading.opened_articles(request.session), user=reader)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            reading.forget_opened(request.session)
            reading.record_request_search(ticket.subject, language=translation.get_language() or "en")
            if request.user.is_authenticated:
                messages.success(
                    request, _("Thank you. Your request %(reference)s was created.") % {"reference": ticket.reference}
                )
                if request.user.works_tickets:
                    return redirect("tickets:agent_ticket", ticket.reference)
                return redirect("tickets:my_ticket", ticket.reference)
            return render(request, "tickets/submitted.html", {"ticket": ticket, "email": ticket.requester.email})
    return render(request, "tickets/submit.html", {"form": form})


@login_required
def my_tickets(request):
    tickets = selectors.requester_tickets(request.user)
    status = request.GET.get("status")
    if status == "open":
        tickets = tickets.exclude(status__in=["resolved", "closed"])
    elif status == "done":
        tickets = tickets.filter(status__in=["resolved", "closed"])
    return render(request, "tickets/my_tickets.html", {"tickets": tickets[:200], "status": status})


@login_required
def my_ticket(request, reference: str):
    ticket = selectors.ticket_by_reference(request.user, reference)
    if works_on(request.user, ticket):
        return redirect("tickets:agent_ticket", ticket.reference)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = ticket_reply(
                ticket,
                form.cleaned_data["body"],
                acting_user=request.user,
                attachments=form.cleaned_data["attachments"],
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            return _after_reply(request, result, redirect("tickets:my_ticket", result.ticket.reference))
    return render(request, "tickets/requester_ticket.html", _thread_context(ticket, form))


@login_required
@require_POST
def my_ticket_close(request, reference: str):
    ticket = selectors.ticket_by_reference(request.user, reference)
    if works_on(request.user, ticket):
        raise PermissionDenied
    _close(request, ticket, request.user)
    return redirect("tickets:my_ticket", ticket.reference)


def _thread_context(ticket, form) -> dict:
    return {
        "ticket": ticket,
        "thread": selectors.thread(ticket, include_internal=False),
        "request_files": selectors.request_attachments(ticket),
        "form": form,
    }


def _after_reply(request, result, default_redirect):
    if result.follow_up is not None:
        messages.info(
            request,
            _("That request was already closed, so we opened a follow-up, %(reference)s.")
            % {"reference": result.follow_up.reference},
        )
    elif result.ticket.reopen_count and result.ticket.status == "open":
        messages.success(request, _("Your reply was sent and the request is open again."))
    else:
        messages.success(request, _("Your reply was sent."))
    return default_redirect


def _close(request, ticket, user) -> None:
    try:
        ticket_close(ticket, acting_user=user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The request is closed. Thank you!"))
