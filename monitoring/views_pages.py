"""Pages at /manage/incidents/: ticket spikes and the major incidents made of them.

Staff may read (agents see only the tickets they may see); managers link tickets under one
major incident and reply to all its requesters (monitoring/major_incidents.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import visible
from helpdesk.errors import ApplicationError
from monitoring.major_incidents import (
    major_incident_children,
    major_incident_reply_all,
    may_run_major_incidents,
    parent_teams,
    require_major_incident_manager,
)
from monitoring.models import Spike
from monitoring.spikes import spike_link_major_incident, spike_tickets, spikes_for
from tickets.models import Priority, Ticket, parse_reference

PAGE_SIZE = 50
NEW, EXISTING = "new", "existing"


class LinkForm(forms.Form):
    tickets = forms.MultipleChoiceField(label=gettext_lazy("Tickets"), widget=forms.CheckboxSelectMultiple)
    parent_kind = forms.ChoiceField(
        label=gettext_lazy("Link them under"),
        choices=[(NEW, gettext_lazy("A new major incident")), (EXISTING, gettext_lazy("An existing ticket"))],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=None, required=False)
    priority = forms.TypedChoiceField(
        label=gettext_lazy("Priority"),
        choices=[(Priority.P1.value, Priority.P1.label), (Priority.P2.value, Priority.P2.label)],
        coerce=int,
        empty_value=None,
        required=False,
        initial=Priority.P1.value,
    )
    reference = forms.CharField(
        label=gettext_lazy("Reference of the existing ticket"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("For example HD-000123."),
    )

    def __init__(self, *args, spike: Spike, candidates: list[Ticket], user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.candidates = {str(ticket.pk): ticket for ticket in candidates}
        self.fields["tickets"].choices = [(key, ticket.reference) for key, ticket in self.candidates.items()]
        self.fields["team"].queryset = parent_teams(user).order_by("name")
        if not self.is_bound:
            self.initial["subject"] = _("Major incident: %(category)s") % {"category": spike.category}
            self.initial["description"] = _(
                "Many tickets in %(category)s since %(started)s; this incident collects them."
            ) % {"category": spike.category, "started": date_format(localtime(spike.started_at), "DATETIME_FORMAT")}
            teams = {ticket.team_id for ticket in candidates if ticket.team_id}
            self.initial["team"] = self.fields["team"].queryset.filter(pk__in=teams).first()

    def clean(self):
        data = super().clean()
        if data.get("parent_kind") == EXISTING:
            number = parse_reference(data.get("reference") or "")
            parent = visible(self.user, Ticket.objects.all()).filter(pk=number).first() if number else None
            if parent is None:
                self.add_error("reference", _("No ticket you may see has this reference."))
            data["parent"] = parent
        else:
            if not (data.get("subject") or "").strip():
                self.add_error("subject", _("Give the major incident a subject."))
            if not data.get("team"):
                self.add_error("team", _("Choose the team that works the major incident."))
            if not data.get("priority"):
                self.add_error("priority", _("Choose P1 or P2."))
            data["parent"] = None
        return data

    def chosen_tickets(self) -> list[Ticket]:
        return [self.candidates[key] for key in self.cleaned_data["tickets"]]

    def new_parent(self) -> dict | None:
        if self.cleaned_data["parent"] is not None:
            return None
        data = self.cleaned_data
        description = (data.get("description") or "").strip() or data["subject"]
        return {
            "subject": data["subject"],
            "description": description,
            "team": data["team"],
            "priority": data["priority"],
        }


class ReplyAllForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Reply to all linked requesters"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Sent as a public reply on every linked ticket; each requester gets it by e-mail."),
    )


def _require_staff(user: User) -> None:
    if not user.works_tickets:
        raise PermissionDenied


def _spike(request, pk: int) -> Spike:
    _require_staff(request.user)
    return get_object_or_404(spikes_for(request.user), pk=pk)


@login_required
def spike_list(request):
    _require_staff(request.user)
    page = Paginator(spikes_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "monitoring/spike_list.html", {"page": page, "spikes": page.object_list})


def _detail_page(request, spike: Spike, *, link_form: LinkForm | None = None, reply_form=None, status: int = 200):
    candidates = spike_tickets(spike, request.user)
    manager = may_run_major_incidents(request.user)
    linked_ids: set[int] = set()
    if spike.parent_id:
        linked_ids = set(major_incident_children(spike.parent).values_list("id", flat=True))
    context = {
        "spike": spike,
        "tickets": candidates,
        "linked_ids": linked_ids,
        "may_act": manager,
        "link_form": link_form
        or (LinkForm(spike=spike, candidates=candidates, user=request.user) if manager else None),
        "reply_form": reply_form or (ReplyAllForm() if manager and spike.parent_id else None),
        "chosen": set(link_form["tickets"].value() or []) if link_form is not None else set(),
    }
    return render(request, "monitoring/spike_detail.html", context, status=status)


@login_required
def spike_detail(request, pk: int):
    return _detail_page(request, _spike(request, pk))


def _field_of(error: ApplicationError, form: forms.Form) -> str | None:
    field = error.extra.get("field")
    return field if field in form.fields else None


@login_required
@require_POST
def spike_link(request, pk: int):
    spike = _spike(request, pk)
    require_major_incident_manager(request.user)
    form = LinkForm(request.POST, spike=spike, candidates=spike_tickets(spike, request.user), user=request.user)
    if form.is_valid():
        try:
            parent = spike_link_major_incident(
                spike,
                form.chosen_tickets(),
                acting_user=request.user,
                parent=form.cleaned_data["parent"],
                new_parent=form.new_parent(),
            )
        except ApplicationError as error:
            form.add_error(_field_of(error, form), error.message)
        else:
            count = len(form.cleaned_data["tickets"])
            messages.success(
                request,
                ngettext(
                    "%(count)d ticket linked under %(reference)s.",
                    "%(count)d tickets linked under %(reference)s.",
                    count,
                )
                % {"count": count, "reference": parent.reference},
            )
            return redirect("incidents:spike_detail", pk=spike.pk)
    return _detail_page(request, spike, link_form=form, status=400)


@login_required
@require_POST
def spike_reply_all(request, pk: int):
    spike = _spike(request, pk)
    require_major_incident_manager(request.user)
    if spike.parent is None:
        raise PermissionDenied
    form = ReplyAllForm(request.POST)
    if form.is_valid():
        try:
            replied = major_incident_reply_all(spike.parent, form.cleaned_data["body"], acting_user=request.user)
        except ApplicationError as error:
            form.add_error("body", error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Reply sent on %(count)d linked ticket.", "Reply sent on %(count)d linked tickets.", len(replied)
                )
                % {"count": len(replied)},
            )
            return redirect("incidents:spike_detail", pk=spike.pk)
    return _detail_page(request, spike, reply_form=form, status=400)
