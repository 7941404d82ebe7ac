"""A guest's private tracking page: the token in the link is their key to one ticket.

The link is only ever e-mailed to the requester's address, so opening it proves control of that
mailbox: a guest's request in an account's name joins the account's lists from then on.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from helpdesk.errors import ApplicationError
from helpdesk.middleware import private_link
from tickets.forms import ReplyForm
from tickets.models import Ticket
from tickets.services import ticket_reply, ticket_verify_requester
from tickets.views.attachments import serve_attachment
from tickets.views.requester import _after_reply, _close, _rate, _thread_context


def _ticket_for_token(token: str) -> Ticket:
    ticket = Ticket.objects.select_related("requester", "organisation", "category").filter(access_token=token).first()
    if ticket is None or len(token) < 32:
        raise Http404
    return ticket_verify_requester(ticket)


@private_link
def track(request, token: str):
    ticket = _ticket_for_token(token)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            # The link stands for the requester: they act as themselves.
            result = ticket_reply(
                ticket,
                form.cleaned_data["body"],
                acting_user=ticket.requester,
                attachments=form.cleaned_data["attachments"],
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            target = result.follow_up.access_token if result.follow_up else token
            return _after_reply(request, result, redirect("tickets:track", target))
    # The link stands for the requester: they may rate the resolution here too.
    context = _thread_context(ticket, form, viewer=ticket.requester)
    context["token"] = token
    return render(request, "tickets/requester_ticket.html", context)


@private_link
@require_POST
def track_rate(request, token: str):
    ticket = _ticket_for_token(token)

    def page_context(survey_form):
        context = _thread_context(ticket, ReplyForm(), viewer=ticket.requester, survey_form=survey_form)
        context["token"] = token
        return context

    return _rate(request, ticket, ticket.requester, redirect("tickets:track", token), page_context)


@private_link
@require_POST
def track_close(request, token: str):
    ticket = _ticket_for_token(token)
    _close(request, ticket, ticket.requester)
    return redirect("tickets:track", token)


@private_link
def track_attachment(request, token: str, attachment_id: int):
    ticket = _ticket_for_token(token)
    attachment = ticket.attachments.select_related("message").filter(pk=attachment_id).first()
    if attachment is None or (attachment.message is not None and not attachment.message.is_public):
        raise Http404
    return serve_attachment(attachment)
