"""Staff side of one ticket: the whole thread, the reply bar and the fields beside it.

The reply bar sends and then sets the status ("Send and set pending", "Send and resolve"); the
side fields save together with one button. Each post runs its services in one transaction, so
a refused step leaves nothing half-done, and carries the ticket's version, so a page drawn
before a colleague's change cannot overwrite it (409 and a clear message). Everything works as
plain forms; htmx only fills the reply box from a template and renders the markdown preview.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import visible
from canned.rendering import render_reply_template
from canned.selectors import grouped_templates, template_for
from helpdesk.errors import ApplicationError
from helpdesk.markdown import render_markdown
from tickets import selectors
from tickets.forms import AgentReplyForm, LinkForm, MergeForm, ThenChoice, TicketFieldsForm
from tickets.history import ticket_history
from tickets.models import Status, Ticket, TicketLink, format_reference
from tickets.permissions import works_on
from tickets.priority import priority_for
from tickets.services import (
    ticket_add_note,
    ticket_assign,
    ticket_change_category,
    ticket_change_complexity,
    ticket_change_priority,
    ticket_change_status,
    ticket_change_team,
    ticket_change_type,
    ticket_link,
    ticket_merge,
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
    ticket_set_tags,
)
from tickets.services.base import check_version, lock
from tickets.services.bulk import refusal_message

# The forms beside the thread, by the name the page's context gives them (``<name>_form``).
SIDE_FORMS: dict[str, type[Form]] = {"fields": TicketFieldsForm, "link": LinkForm, "merge": MergeForm}


def _staff_ticket(request, reference: str) -> Ticket:
    ticket = selectors.ticket_by_reference(request.user, reference)
    if not works_on(request.user, ticket):
        raise PermissionDenied
    return ticket


def _page(
    request,
    ticket: Ticket,
    *,
    reply: AgentReplyForm | None = None,
    forms: dict[str, Form] | None = None,
    preview_html: str | None = None,
    http_status: int = 200,
):
    side = {name: form_class(ticket=ticket) for name, form_class in SIDE_FORMS.items() if name not in (forms or {})}
    side.update(forms or {})
    context = {
        "ticket": ticket,
        "thread": selectors.thread(ticket, include_internal=True),
        "request_files": selectors.request_attachments(ticket),
        "history": ticket_history(ticket),
        "reply_form": reply or AgentReplyForm(),
        "preview_html": preview_html,
        "template_groups": grouped_templates(request.user),
        "links": selectors.ticket_links(request.user, ticket),
        "other_tickets": selectors.requester_other_tickets(request.user, ticket),
        "article_links": selectors.linked_articles(ticket),
        **{f"{name}_form": form for name, form in side.items()},
    }
    return render(request, "tickets/agent_ticket.html", context, status=http_status)


@login_required
@require_GET
def agent_ticket(request, reference: str):
    ticket = _staff_ticket(request, reference)
    reply = None
    if request.GET.get("template"):
        # The template picker without JavaScript: reload with the reply box filled in.
        try:
            template = template_for(request.user, request.GET["template"])
        except Http404:
            messages.error(request, _("That reply template is not available."))
        else:
            body = render_reply_template(template, ticket, agent=request.user)
            reply = AgentReplyForm(initial={"body": body, "internal": bool(request.GET.get("internal"))})
    return _page(request, ticket, reply=reply)


@login_required
@require_GET
def agent_reply_template(request, reference: str):
    """A reply template rendered for this ticket: the reply box itself for htmx, else plain text."""
    ticket = _staff_ticket(request, reference)
    if not request.GET.get("template"):
        return HttpResponse(status=204)  # the picker's "choose…" line: leave the reply box alone
    template = template_for(request.user, request.GET["template"])
    body = render_reply_template(template, ticket, agent=request.user)
    if request.htmx:
        return render(request, "tickets/_agent_reply_body.html", {"value": body})
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def agent_reply_preview(request, reference: str):
    """The reply as the requester will see it, rendered by the same code that stores it."""
    ticket = _staff_ticket(request, reference)
    body = request.POST.get("body", "")
    preview_html = render_markdown(body) if body.strip() else ""
    if request.htmx:
        return render(request, "tickets/_agent_preview.html", {"preview_html": preview_html})
    # Without JavaScript the whole page comes back with the reply box as it was.
    reply = AgentReplyForm(initial={"body": body, "internal": bool(request.POST.get("internal"))})
    return _page(request, ticket, reply=reply, preview_html=preview_html)


@login_required
@require_POST
def agent_reply(request, reference: str):
    """The reply bar: send the reply or note, then set the status the button asked for."""
    ticket = _staff_ticket(request, reference)
    form = AgentReplyForm(request.POST, request.FILES)
    http_status = 400
    if form.is_valid():
        try:
            # One transaction: if the status change is refused, the reply is not sent either.
            with transaction.atomic():
                done = _send_then(ticket, form.cleaned_data, request.user)
        except ApplicationError as error:
            http_status = error.status_code
            form.add_service_error(error)
        else:
            messages.success(request, done)
            return redirect("tickets:agent_ticket", ticket.reference)
    return _page(request, ticket, reply=form, http_status=http_status)


def _send_then(ticket: Ticket, data: dict, user) -> str:
    """Send (when there is text), then move the status; return what to tell the agent."""
    ticket = lock(ticket)  # held to the end: the status is judged on the row as it is now
    done = []
    if data["body"].strip():
        if data["internal"]:
            ticket_add_note(ticket, data["body"], acting_user=user, attachments=data["attachments"])
            done.append(_("Internal note added."))
        else:
            ticket = ticket_reply(ticket, data["body"], acting_user=user, attachments=data["attachments"]).ticket
            done.append(_("Reply sent to the requester."))
    match data["then"]:
        case ThenChoice.PENDING:
            ticket = lock(ticket)
            if ticket.status != Status.PENDING:
                ticket_change_status(ticket, Status.PENDING, acting_user=user)
            done.append(_("The ticket is pending: waiting on the requester."))
        case ThenChoice.RESOLVE:
            ticket_resolve(ticket, code=data["code"], summary=data["summary"], acting_user=user)
            done.append(_("Ticket resolved; the requester was told and asked for feedback."))
    return " ".join(str(text) for text in done)


@login_required
@require_POST
def agent_fields(request, reference: str):
    """The side fields, saved together: each changed one through its service, in one transaction."""
    ticket = _staff_ticket(request, reference)
    form = TicketFieldsForm(request.POST, ticket=ticket)
    http_status = 400
    try:
        with transaction.atomic():
            # The version first, once, on the locked row: a form drawn before a colleague's change
            # may not even fit the ticket now (a "New" status that is gone). The services then
            # run one by one, each on the row as the one before left it.
            check_version(lock(ticket), form.posted_version())
            if form.is_valid():
                changed = _save_fields(ticket, form, request.user)
                return _after_change(request, ticket, changed, _("Changes saved."))
    except ApplicationError as error:
        http_status = error.status_code
        form = _with_current_version(form, error, ticket)
        form.add_service_error(error)
    except PermissionDenied as error:
        # A later step may be refused where the first was allowed (a manager moves the ticket
        # out of their teams, then assigns it): the whole save is undone, and said so.
        http_status = 403
        form.add_error(None, refusal_message(error))
    return _page(request, ticket, forms={"fields": form}, http_status=http_status)


def _save_fields(ticket: Ticket, form: TicketFieldsForm, user) -> Ticket:
    data, changed = form.cleaned_data, form.changed()
    # Team before assignee (a move unassigns an agent outside the new team), assignee before
    # status (assigning a new ticket opens it).
    if "team" in changed:
        ticket = ticket_change_team(ticket, data["team"], acting_user=user)
    if "assignee" in changed:
        ticket = ticket_assign(ticket, data["assignee"], acting_user=user)
    if "status" in changed and ticket.status != data["status"]:
        ticket = ticket_change_status(ticket, data["status"], acting_user=user)
    if changed & {"impact", "urgency", "priority", "reason"}:
        # "From impact × urgency" drops an override: ask for exactly what the matrix gives.
        ticket = ticket_change_priority(
            ticket,
            impact=data["impact"],
            urgency=data["urgency"],
            priority=data["priority"] or priority_for(data["impact"], data["urgency"]),
            reason=data["reason"],
            acting_user=user,
        )
    if "category" in changed:
        ticket = ticket_change_category(ticket, data["category"], acting_user=user)
    if "type" in changed:
        ticket = ticket_change_type(ticket, data["type"], acting_user=user)
    if "complexity" in changed:
        ticket = ticket_change_complexity(ticket, data["complexity"], acting_user=user)
    if "tags" in changed:
        ticket = ticket_set_tags(ticket, data["tags"], acting_user=user)
    return ticket


def _with_current_version(form: Form, error: ApplicationError, ticket: Ticket) -> Form:
    """After a stale post, the same choices with the current version.

    Sending it again is then a deliberate decision made after seeing the colleague's change.
    """
    if "current_version" not in error.extra:
        return form
    data = form.data.copy()
    data["version"] = str(error.extra["current_version"])
    fresh = type(form)(data, ticket=ticket)
    fresh.is_valid()
    return fresh


def _after_change(request, ticket: Ticket, changed: Ticket, done: str):
    if changed.version == ticket.version:
        messages.info(request, _("Nothing to change."))
    else:
        messages.success(request, done)
    if not works_on(request.user, changed):
        # Moved to a team the agent is not in: their page for it is gone.
        messages.info(request, _("%(reference)s is no longer in your teams.") % {"reference": changed.reference})
        return redirect("home")
    return redirect("tickets:agent_ticket", changed.reference)


def _apply_control(
    request,
    reference: str,
    form_class: type[Form],
    change: Callable[[Ticket, dict], Ticket],
    done: str,
):
    """Validate one control's form, call its service, and answer with a redirect or the page."""
    ticket = _staff_ticket(request, reference)
    form = form_class(request.POST, ticket=ticket)
    http_status = 400
    if form.is_valid():
        try:
            changed = change(ticket, form.cleaned_data)
        except ApplicationError as error:
            http_status = error.status_code
            form.add_service_error(error)
        else:
            return _after_change(request, ticket, changed, done)
    return _page(request, ticket, forms={form_class.control: form}, http_status=http_status)


@login_required
@require_POST
def agent_link(request, reference: str):
    def change(ticket: Ticket, data: dict) -> Ticket:
        # Only tickets the agent may see can be named; any other reference gets the same answer
        # as one that does not exist, so the form cannot be used to probe for tickets.
        other = visible(request.user, Ticket.objects.all()).filter(pk=data["reference"]).first()
        if other is None:
            raise ApplicationError(
                _("There is no ticket %(reference)s that you can see.")
                % {"reference": format_reference(data["reference"])},
                extra={"field": "reference"},
            )
        link: TicketLink = ticket_link(ticket, other, data["kind"], acting_user=request.user)
        return link.source

    return _apply_control(request, reference, LinkForm, change, _("Tickets linked."))


@login_required
@require_POST
def agent_merge(request, reference: str):
    """Merge this ticket into another as a duplicate; the agent carries on on the other one."""
    ticket = _staff_ticket(request, reference)
    form = MergeForm(request.POST, ticket=ticket)
    http_status = 400
    if form.is_valid():
        # As with links, a ticket the agent may not see gets the answer of one that does not exist.
        target = visible(request.user, Ticket.objects.all()).filter(pk=form.cleaned_data["into"]).first()
        try:
            if target is None:
                raise ApplicationError(
                    _("There is no ticket %(reference)s that you can see.")
                    % {"reference": format_reference(form.cleaned_data["into"])},
                )
            target = ticket_merge([ticket], target, acting_user=request.user)
        except (ApplicationError, PermissionDenied) as error:
            http_status = getattr(error, "status_code", 403)
            form.add_error("into", refusal_message(error))
        else:
            messages.success(
                request,
                _("%(duplicate)s was merged into %(target)s and closed as a duplicate.")
                % {"duplicate": ticket.reference, "target": target.reference},
            )
            return redirect("tickets:agent_ticket", target.reference)
    return _page(request, ticket, forms={"merge": form}, http_status=http_status)


@login_required
@require_POST
def agent_take(request, reference: str):
    """One click and no version: "give it to me" means the same whatever changed meanwhile."""
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
