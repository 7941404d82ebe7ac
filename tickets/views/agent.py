"""Staff side of one ticket: the whole thread, the reply box and the controls beside it.

Each control posts to its own small view that calls one service with the ticket's version,
so a page drawn before a colleague's change cannot overwrite it (409 and a clear message).
Everything works as plain forms; htmx only fills the reply box from a template and renders the
markdown preview in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
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
from tickets.forms import (
    AgentReplyForm,
    AgentResolveForm,
    AgentStatusForm,
    AssigneeForm,
    CategoryForm,
    ComplexityForm,
    LinkForm,
    PriorityForm,
    TeamForm,
    TypeForm,
)
from tickets.models import Ticket, TicketLink, format_reference
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
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
)

# How a link reads from the other end: "HD-2 duplicate of HD-1" shows on HD-1 as "has duplicate HD-2".

CONTROL_FORMS: dict[str, type[Form]] = {
    form.control: form
    for form in (
        AgentStatusForm,
        AgentResolveForm,
        PriorityForm,
        CategoryForm,
        ComplexityForm,
        TypeForm,
        TeamForm,
        AssigneeForm,
        LinkForm,
    )
}


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
    forms: dict[str, Any] | None = None,
    preview_html: str | None = None,
    http_status: int = 200,
):
    controls = {name: form_class(ticket=ticket) for name, form_class in CONTROL_FORMS.items()}
    controls.update(forms or {})
    context = {
        "ticket": ticket,
        "thread": selectors.thread(ticket, include_internal=True),
        "request_files": selectors.request_attachments(ticket),
        "events": ticket.events.select_related("actor").order_by("created_at", "id"),
        "reply_form": reply or AgentReplyForm(),
        "preview_html": preview_html,
        "template_groups": grouped_templates(request.user),
        "links": selectors.ticket_links(request.user, ticket),
        "other_tickets": selectors.requester_other_tickets(request.user, ticket),
        "article_links": selectors.linked_articles(ticket),
        **{f"{name}_form": form for name, form in controls.items()},
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
    ticket = _staff_ticket(request, reference)
    form = AgentReplyForm(request.POST, request.FILES)
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


def _apply_control(
    request,
    reference: str,
    form_class: type[Form],
    change: Callable[[Ticket, dict], Ticket],
    done: str,
):
    """Validate one control's form, call its service, and answer with a redirect or the page.

    A stale version comes back as 409 with the service's message; the form keeps the agent's
    choice but now carries the current version, so sending it again is a deliberate decision
    made after seeing the colleague's change on the page.
    """
    ticket = _staff_ticket(request, reference)
    form = form_class(request.POST, ticket=ticket)
    http_status = 400
    if form.is_valid():
        try:
            changed = change(ticket, form.cleaned_data)
        except ApplicationError as error:
            http_status = error.status_code
            if "current_version" in error.extra:
                data = request.POST.copy()
                data["version"] = str(error.extra["current_version"])
                form = form_class(data, ticket=ticket)
                form.is_valid()
            form.add_service_error(error)
        else:
            if changed.version == ticket.version:
                messages.info(request, _("Nothing to change."))
            else:
                messages.success(request, done)
            if not works_on(request.user, changed):
                # Moved to a team the agent is not in: their page for it is gone.
                messages.info(
                    request, _("%(reference)s is no longer in your teams.") % {"reference": changed.reference}
                )
                return redirect("home")
            return redirect("tickets:agent_ticket", changed.reference)
    return _page(request, ticket, forms={form_class.control: form}, http_status=http_status)


@login_required
@require_POST
def agent_status(request, reference: str):
    def change(ticket: Ticket, data: dict) -> Ticket:
        if data["status"] == ticket.status and data["version"] == ticket.version:
            return ticket  # "Save" on the status it already has: the lifecycle would call that a bad move
        return ticket_change_status(ticket, data["status"], acting_user=request.user, expected_version=data["version"])

    return _apply_control(request, reference, AgentStatusForm, change, _("Status changed."))


@login_required
@require_POST
def agent_resolve(request, reference: str):
    def change(ticket: Ticket, data: dict) -> Ticket:
        return ticket_resolve(
            ticket,
            code=data["code"],
            summary=data["summary"],
            acting_user=request.user,
            expected_version=data["version"],
        )

    return _apply_control(
        request,
        reference,
        AgentResolveForm,
        change,
        _("Ticket resolved; the requester was told and asked for feedback."),
    )


@login_required
@require_POST
def agent_priority(request, reference: str):
    def change(ticket: Ticket, data: dict) -> Ticket:
        # "From impact × urgency" drops an override: ask for exactly what the matrix gives.
        priority = data["priority"] or priority_for(data["impact"], data["urgency"])
        return ticket_change_priority(
            ticket,
            impact=data["impact"],
            urgency=data["urgency"],
            priority=priority,
            reason=data["reason"],
            acting_user=request.user,
            expected_version=data["version"],
        )

    return _apply_control(request, reference, PriorityForm, change, _("Priority changed."))


@login_required
@require_POST
def agent_category(request, reference: str):
    def change(ticket: Ticket, data: dict) -> Ticket:
        return ticket_change_category(
            ticket, data["category"], acting_user=request.user, expected_version=data["version"]
        )

    return _apply_control(request, reference, CategoryForm, change, _("Category changed."))


@login_required
@require_POST
def agent_complexity(request, reference: str):
    def change(ticket: Ticket, data: dict) -> Ticket:
        return ticket_change_complexity(
            ticket, data["complexity"], acting_user=request.user, expected_version=data["version"]
        )

    return _apply_control(request, reference, ComplexityForm, change, _("Complexity changed."))


@login_required
@require_POST
def agent_type(request, reference: str):
    def change(ticket: Ticket, data: dict) -> Ticket:
        return ticket_change_type(ticket, data["type"], acting_user=request.user, expected_version=data["version"])

    return _apply_control(request, reference, TypeForm, change, _("Type changed."))


@login_required
@require_POST
def agent_team(request, reference: str):
    def change(ticket: Ticket, data: dict) -> Ticket:
        return ticket_change_team(ticket, data["team"], acting_user=request.user, expected_version=data["version"])

    return _apply_control(request, reference, TeamForm, change, _("Team changed."))


@login_required
@require_POST
def agent_assignee(request, reference: str):
    def change(ticket: Ticket, data: dict) -> Ticket:
        return ticket_assign(ticket, data["assignee"], acting_user=request.user, expected_version=data["version"])

    return _apply_control(request, reference, AssigneeForm, change, _("Assignee changed."))


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
