"""``/agent/new/``: staff open a ticket for a caller, and look the caller up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helpdesk.errors import ApplicationError
from tickets.intake_forms import NewTicketForm
from tickets.services.intake import requesters_matching, ticket_create_for_requester


@login_required
def agent_new_ticket(request):
    if not request.user.works_tickets:
        raise PermissionDenied
    form = NewTicketForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = ticket_create_for_requester(
                requester=data["requester"],
                subject=data["subject"],
                description=data["description"],
                channel=data["channel"],
                acting_user=request.user,
                category=data["category"],
                type=data["type"],
                impact=data["impact"],
                urgency=data["urgency"],
                team=data["team"],
                assignee=data["assignee"],
                tags=data["tags"],
                status=data["status"],
                resolution_code=data["resolution_code"],
                resolution_summary=data["resolution_summary"],
                attachments=data["attachments"],
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Ticket %(reference)s was created for %(requester)s.")
                % {"reference": ticket.reference, "requester": ticket.requester},
            )
            return redirect("tickets:agent_ticket", ticket.reference)
    return render(request, "tickets/agent_new_ticket.html", {"form": form})


@login_required
@require_GET
def agent_requester_search(request):
    """Up to 20 people matching ``q`` by name or address, as JSON for the requester picker."""
    if not request.user.works_tickets:
        raise PermissionDenied
    people = requesters_matching(request.user, request.GET.get("q", ""))
    return JsonResponse(
        {
            "results": [
                {
                    "id": person.pk,
                    "name": person.full_name,
                    "email": person.email,
                    "organisation": person.organisation.name if person.organisation_id else "",
                }
                for person in people
            ]
        }
    )
