"""The participants card on the agent's ticket page: add one by address, remove one.

Plain forms that answer with a redirect to the ticket page and a message; the services check
who may do it again (tickets/services/participants.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.errors import ApplicationError
from tickets import selectors
from tickets.models import Participant, Ticket
from tickets.permissions import works_on
from tickets.services import participant_remove, participants_add


def _worked_ticket(request, reference: str) -> Ticket:
    ticket = selectors.ticket_by_reference(request.user, reference)
    if not works_on(request.user, ticket):
        raise PermissionDenied
    return ticket


@login_required
@require_POST
def participant_add(request, reference: str):
    ticket = _worked_ticket(request, reference)
    address = request.POST.get("email", "").strip()
    try:
        if not address:
            raise ApplicationError(_("Enter the e-mail address of the person to add."), extra={"field": "email"})
        added = participants_add(ticket, [address], acting_user=request.user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        if added:
            messages.success(request, _("%(address)s now follows this ticket.") % {"address": added[0].email})
        else:
            messages.info(request, _("%(address)s already follows this ticket.") % {"address": address})
    return redirect("tickets:agent_ticket", ticket.reference)


@login_required
@require_POST
def participant_delete(request, reference: str, pk: int):
    ticket = _worked_ticket(request, reference)
    participant = get_object_or_404(Participant, pk=pk, ticket=ticket)
    participant_remove(participant, acting_user=request.user)
    messages.success(request, _("%(address)s no longer follows this ticket.") % {"address": participant.email})
    return redirect("tickets:agent_ticket", ticket.reference)
