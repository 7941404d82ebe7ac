"""The requester side: the web form, "my tickets", and a ticket's public thread."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.errors import ApplicationError, ConflictError
from knowledge import reading
from tickets import selectors
from tickets.forms import GuestSubmitForm, ReplyForm, SubmitForm, SurveyForm
from tickets.permissions import works_on
from tickets.services import (
    portal_survey,
    satisfaction_answer_in_portal,
    ticket_close,
    ticket_create,
    ticket_create_by_guest,
    ticket_reply,
)


def submit(request):
    """Signed-in users submit as themselves; guests give a name and an e-mail address."""
    form_class = SubmitForm if request.user.is_authenticated else GuestSubmitForm
    # "I still need help" on a suggested article comes back here with the subject typed.
    initial = {"subject": reading.clean_query(request.GET.get("subject", ""))}
    form = form_class(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        requester=request.user if request.user.is_authenticated else None,
    )
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
                        # Absent when the requester has no organisation: nobody to share with.
                        shared_with_organisation=data.get("shared_with_organisation", False),
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
                        shared_with_organisation=data["shared_with_organisation"],
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
    """The requester's tickets and their organisation's shared ones, newest activity first.

    Pages by keyset ("older" carries a cursor); a search box filters by reference or words.
    """
    status = request.GET.get("status")
    status = status if status in {"open", "done"} else None
    query = " ".join(request.GET.get("q", "").split())[:200]
    cursor = request.GET.get("before") or None
    page = selectors.requester_page(request.user, status=status, query=query, cursor=cursor)
    return render(
        request,
        "tickets/my_tickets.html",
        {
            "tickets": page.tickets,
            "page": page,
            "status": status,
            "query": query,
            "older_url": _my_tickets_url(status, query, page.next_cursor) if page.next_cursor else None,
            "newest_url": _my_tickets_url(status, query, None) if cursor else None,
        },
    )


def _my_tickets_url(status: str | None, query: str, cursor: str | None) -> str:
    params = {key: value for key, value in (("status", status), ("q", query), ("before", cursor)) if value}
    return f"{reverse('tickets:my_tickets')}?{urlencode(params)}" if params else reverse("tickets:my_tickets")


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
    return render(request, "tickets/requester_ticket.html", _thread_context(ticket, form, viewer=request.user))


@login_required
@require_POST
def my_ticket_rate(request, reference: str):
    """The satisfaction rating of the ticket's last resolution, from the portal page."""
    ticket = selectors.ticket_by_reference(request.user, reference)
    if works_on(request.user, ticket):
        raise PermissionDenied
    reply_form = ReplyForm()
    return _rate(
        request,
        ticket,
        request.user,
        redirect("tickets:my_ticket", ticket.reference),
        lambda survey_form: _thread_context(ticket, reply_form, viewer=request.user, survey_form=survey_form),
    )


@login_required
@require_POST
def my_ticket_close(request, reference: str):
    ticket = selectors.ticket_by_reference(request.user, reference)
    if works_on(request.user, ticket):
        raise PermissionDenied
    _close(request, ticket, request.user)
    return redirect("tickets:my_ticket", ticket.reference)


def _thread_context(ticket, form, *, viewer=None, survey_form=None) -> dict:
    """The requester's ticket page; ``viewer`` is who reads it (the requester, on a tracking link)."""
    survey = portal_survey(ticket, viewer) if viewer is not None else None
    if survey_form is None and survey is not None and survey.answer is None:
        survey_form = SurveyForm(auto_id="rate-%s")
    return {
        "ticket": ticket,
        "thread": selectors.thread(ticket, include_internal=False),
        "request_files": selectors.request_attachments(ticket),
        "form": form,
        "survey": survey,
        "survey_form": survey_form,
    }


def _rate(request, ticket, user, done, page_context):
    """Record the rating posted from a ticket page, or show that page again with the error."""
    form = SurveyForm(request.POST, auto_id="rate-%s")
    status = 400
    if form.is_valid():
        try:
            satisfaction_answer_in_portal(
                ticket, acting_user=user, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        except ConflictError:
            messages.info(request, _("This survey has already been answered; only the first answer counts."))
            return done
        except ApplicationError as error:
            form.add_service_error(error)
            status = error.status_code
        else:
            messages.success(request, _("Thank you for your feedback. It helps us get better."))
            return done
    return render(request, "tickets/requester_ticket.html", page_context(form), status=status)


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
