"""Escalating a ticket from its page, and sending an escalation back.

The handover note and the send-back form sit in ``tickets/_agent_escalation.html`` on the ticket
page; escalating has a page of its own because the handover note needs room.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Team
from helpdesk.errors import ApplicationError
from tickets import selectors
from tickets.forms import ServiceErrorsMixin
from tickets.models import Escalation, Ticket, Vendor
from tickets.permissions import works_on
from tickets.services.escalation import escalation_send_back, may_send_back, ticket_escalate


class TeamChoiceField(forms.ModelChoiceField):
    """Teams by name; the ticket's next tier (``next_tier``) says so, as the choice an agent usually makes."""

    next_tier: Team | None = None

    def label_from_instance(self, team: Team) -> str:
        if self.next_tier is not None and team.pk == self.next_tier.pk:
            return _("To the next tier: %(team)s") % {"team": team.name}
        return team.name


def next_tier_team(ticket: Ticket) -> Team | None:
    """The first team (by name) of the lowest tier above the ticket's team's, as escalation rules pick it."""
    tier = ticket.team.tier if ticket.team_id else Team.Tier.SERVICE_DESK
    return Team.objects.filter(tier__gt=tier).order_by("tier", "name").first()


class EscalateForm(ServiceErrorsMixin, forms.Form):
    to_team = TeamChoiceField(
        label=gettext_lazy("To team"), queryset=Team.objects.none(), required=False, empty_label=gettext_lazy("—")
    )
    vendor = forms.ModelChoiceField(
        label=gettext_lazy("Or to vendor"),
        queryset=Vendor.objects.none(),
        required=False,
        empty_label=gettext_lazy("—"),
    )
    vendor_reference = forms.CharField(label=gettext_lazy("Vendor's reference"), max_length=100, required=False)
    # Required by the service, which says which field is missing; not by the form, so the
    # message is the same in the API and here.
    symptoms = forms.CharField(
        label=gettext_lazy("Symptoms"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    tried = forms.CharField(
        label=gettext_lazy("What was tried"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    diagnostics = forms.CharField(
        label=gettext_lazy("Diagnostics"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, ticket: Ticket, **kwargs):
        kwargs.setdefault("initial", {"version": ticket.version})
        super().__init__(*args, **kwargs)
        self.fields["to_team"].queryset = Team.objects.exclude(pk=ticket.team_id).order_by("tier", "name")
        # The next tier up is offered first and chosen until the agent picks something else.
        self.fields["to_team"].next_tier = next_tier = next_tier_team(ticket)
        if next_tier is not None:
            self.fields["to_team"].initial = next_tier.pk
        self.fields["vendor"].queryset = Vendor.objects.filter(is_active=True).order_by("name")


class SendBackForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for sending it back"),
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _staff_ticket(request, reference: str) -> Ticket:
    ticket = selectors.ticket_by_reference(request.user, reference)
    if not works_on(request.user, ticket):
        raise PermissionDenied
    return ticket


@login_required
@require_http_methods(["GET", "POST"])
def escalation_new(request, reference: str):
    ticket = _staff_ticket(request, reference)
    form = EscalateForm(request.POST or None, ticket=ticket)
    http_status = 200
    if request.method == "POST":
        http_status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket_escalate(
                    ticket,
                    to_team=data["to_team"],
                    vendor=data["vendor"],
                    vendor_reference=data["vendor_reference"],
                    symptoms=data["symptoms"],
                    tried=data["tried"],
                    diagnostics=data["diagnostics"],
                    acting_user=request.user,
                    expected_version=data["version"],
                )
            except ApplicationError as error:
                http_status = error.status_code
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("Escalated. You stay the coordinator of %(reference)s.") % {"reference": ticket.reference},
                )
                return redirect("tickets:agent_ticket", ticket.reference)
    return render(request, "tickets/escalation_form.html", {"ticket": ticket, "form": form}, status=http_status)


@login_required
@require_POST
def escalation_return(request, reference: str, pk: int):
    ticket = _staff_ticket(request, reference)
    escalation = get_object_or_404(Escalation, pk=pk, ticket=ticket)
    if not may_send_back(request.user, escalation):
        raise PermissionDenied
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            escalation_send_back(escalation, reason=form.cleaned_data["reason"], acting_user=request.user)
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Sent back to %(team)s.") % {"team": escalation.from_team or "—"})
            if not works_on(request.user, Ticket.objects.get(pk=ticket.pk)):
                # Back with a team the agent is not in: their page for it is gone.
                return redirect("home")
    return redirect("tickets:agent_ticket", ticket.reference)
