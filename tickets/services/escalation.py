"""Escalation: hand a ticket to another team or a vendor with a handover note, send it back.

Services (writes) first, then the selectors the KPI engine reads (aggregates computed in SQL).
A person escalates through :func:`ticket_escalate`, which checks and then calls :func:`escalate`;
a rule (escalation/rules.py) calls :func:`escalate` itself. Either way the same row and the same
events. The ticket's own changes (team, assignee) are recorded here the way
``ticket_change_team`` records them, in the same transaction and the same ticket save, so one
escalation is one version.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team, User
from helpdesk.errors import ApplicationError, ConflictError
from tickets import notifications
from tickets.events import record
from tickets.models import Escalation, EventKind, Ticket, Vendor
from tickets.permissions import staff_team_ids
from tickets.services.base import check_version, describe, lock, now_or, require_staff, save

# How a send-back was recorded before it had its own kind (``escalation_returned``).
LEGACY_SEND_BACK = {"sent_back": True}

HANDOVER_FIELDS = {
    "symptoms": gettext_lazy("Describe the symptoms for the receiving team."),
    "tried": gettext_lazy("Say what was already tried."),
    "diagnostics": gettext_lazy("Give the diagnostics gathered so far (logs, error messages, tests run)."),
}


def _move_to_team(ticket: Ticket, team: Team | None, *, actor: User | None, at: datetime) -> list[str]:
    """What ``ticket_change_team`` does, inside the caller's lock: returns the changed fields."""
    if team is None or ticket.team_id == team.pk:
        return []
    record(ticket, EventKind.TEAM_CHANGED, actor=actor, at=at, old=describe(ticket.team), new=describe(team))
    ticket.team = team
    changed = ["team"]
    if ticket.assignee_id and not team.members.filter(pk=ticket.assignee_id).exists():
        record(ticket, EventKind.ASSIGNED, actor=actor, at=at, old=describe(ticket.assignee), new=None)
        ticket.assignee = None
        changed.append("assignee")
    return changed


def _handover(symptoms: str, tried: str, diagnostics: str) -> dict[str, str]:
    values = {"symptoms": (symptoms or "").strip(), "tried": (tried or "").strip()}
    values["diagnostics"] = (diagnostics or "").strip()
    for field, message in HANDOVER_FIELDS.items():
        if not values[field]:
            raise ApplicationError(str(message), extra={"field": field})
    return values


@transaction.atomic
def ticket_escalate(
    ticket: Ticket,
    *,
    to_team: Team | None = None,
    vendor: Vendor | None = None,
    vendor_reference: str = "",
    symptoms: str,
    tried: str,
    diagnostics: str,
    acting_user: User | None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Escalation:
    """Hand the ticket to ``to_team`` or to ``vendor``; the acting agent stays its coordinator."""
    ticket = lock(ticket)
    if acting_user is None:
        raise PermissionDenied  # a manual escalation needs a person to coordinate it
    require_staff(acting_user, ticket)
    check_version(ticket, expected_version)
    if not ticket.is_open:
        raise ConflictError(_("Only open tickets can be escalated."))
    if (to_team is None) == (vendor is None):
        raise ApplicationError(_("Escalate either to a team or to a vendor."), extra={"field": "to_team"})
    if to_team is not None and to_team.pk == ticket.team_id:
        raise ApplicationError(
            _("The ticket is already with this team; choose another team."), extra={"field": "to_team"}
        )
    if vendor is not None and not vendor.is_active:
        raise ApplicationError(_("This vendor is no longer active."), extra={"field": "vendor"})
    handover = _handover(symptoms, tried, diagnostics)
    return escalate(
        ticket,
        to_team=to_team,
        vendor=vendor,
        vendor_reference=(vendor_reference or "").strip()[:100],
        handover=handover,
        coordinator=acting_user,
        at=now_or(at),
    )


def escalate(
    ticket: Ticket,
    *,
    to_team: Team | None,
    vendor: Vendor | None = None,
    vendor_reference: str = "",
    handover: dict[str, str],
    coordinator: User | None,
    at: datetime,
    rule: str | None = None,
) -> Escalation:
    """The one way a ticket is escalated, by a person or by the rule named ``rule``.

    The caller holds the ticket's lock, has checked the target and acts for ``coordinator`` (None
    for a rule: nobody coordinates it, so "escalated by me" and coordinator access do not apply).
    ``escalated`` is recorded before the move, so its team snapshot is the escalating team, which
    the KPI selectors below attribute it to.
    """
    escalation = Escalation.objects.create(
        ticket=ticket,
        from_team=ticket.team,
        to_team=to_team,
        vendor=vendor,
        vendor_reference=vendor_reference,
        escalated_by=coordinator,
        created_at=at,
        **handover,
    )
    new = {
        "escalation": escalation.pk,
        "team": describe(to_team),
        "vendor": describe(vendor),
        "vendor_reference": vendor_reference,
    }
    if rule is not None:
        new["rule"] = rule
    record(ticket, EventKind.ESCALATED, actor=coordinator, at=at, old={"team": describe(ticket.team)}, new=new)
    changed = _move_to_team(ticket, to_team, actor=coordinator, at=at)
    ticket.escalation_count += 1
    save(ticket, at, *changed, "escalation_count")
    notifications.escalated(ticket, escalation)
    return escalation


def may_send_back(user: User, escalation: Escalation) -> bool:
    team_id = escalation.receiving_team_id
    return user.works_tickets and team_id is not None and team_id in staff_team_ids(user)


@transaction.atomic
def escalation_send_back(escalation: Escalation, *, reason: str, acting_user: User) -> Escalation:
    """The receiving team returns the ticket to the team it came from, saying why."""
    ticket = lock(escalation.ticket)
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("from_team", "escalated_by")
        .get(pk=escalation.pk)
    )
    if not may_send_back(acting_user, escalation):
        raise PermissionDenied
    if not escalation.is_open:
        raise ConflictError(_("This escalation was already sent back."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why you send the ticket back."), extra={"field": "reason"})
    at = now_or(None)
    record(
        ticket,
        EventKind.ESCALATION_RETURNED,
        actor=acting_user,
        at=at,
        old={"team": describe(ticket.team)},
        new={"escalation": escalation.pk, "reason": reason, "team": describe(escalation.from_team)},
    )
    changed = _move_to_team(ticket, escalation.from_team, actor=acting_user, at=at)
    escalation.returned_at, escalation.return_reason = at, reason
    escalation.save(update_fields=["returned_at", "return_reason"])
    save(ticket, at, *changed)
    notifications.escalation_sent_back(ticket, escalation, acting_user)
    return escalation
