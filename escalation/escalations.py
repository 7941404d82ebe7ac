"""Escalation: hand a ticket to another team or a vendor with a handover note, send it back.

Services (writes) first, then the selectors the KPI engine reads (aggregates computed in SQL).
A person escalates through :func:`ticket_escalate`, which checks and then calls :func:`escalate`;
a rule (escalation/rules.py) calls :func:`escalate` itself. Either way the same row and the same
events. The ticket's own changes (team, assignee) are recorded here the way
``ticket_change_team`` records them, in the same transaction and the same ticket save, so one
escalation is one version.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Aggregate, Count, Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Extract
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team, User
from escalation.models import Escalation, Vendor
from helpdesk.errors import ApplicationError, ConflictError
from tickets import notifications
from tickets.models import EventKind, Ticket, TicketEvent
from tickets.permissions import staff_team_ids
from tickets.services.base import check_version, describe, lock, now_or, record, require_staff, save

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


# --- Selectors for the KPI engine -------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``: an interpolated percentile."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _team_ids(teams: Iterable[Team | int]) -> list[int]:
    return [team.pk if isinstance(team, Team) else int(team) for team in teams]


def _escalations() -> QuerySet[TicketEvent]:
    """``escalated`` events, by a person or a rule; each one's team is the team that escalated.

    Before ``escalation_returned`` existed a send-back was an ``escalated`` event with
    ``sent_back``: those are send-backs, not escalations.
    """
    return TicketEvent.objects.filter(kind=EventKind.ESCALATED).exclude(new_value__contains=LEGACY_SEND_BACK)


def _send_backs() -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(
        Q(kind=EventKind.ESCALATION_RETURNED) | Q(kind=EventKind.ESCALATED, new_value__contains=LEGACY_SEND_BACK)
    )


def escalation_rate(teams: Iterable[Team | int], start: datetime, end: datetime) -> dict[str, Any]:
    """Of the tickets created in [start, end) that these teams handled, the share they escalated.

    "Handled": some event of the ticket happened while it was with one of the teams (its team
    snapshot), so a ticket counts for every team it passed through, whatever team it has now.
    A ticket escalated twice counts once.
    """
    ids = _team_ids(teams)
    handled = Exists(TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id"), team_id__in=ids))
    escalated = Exists(_escalations().filter(ticket_id=OuterRef("ticket_id"), team_id__in=ids))
    # One ``created`` event per ticket: counting them counts tickets.
    counts = TicketEvent.objects.filter(
        handled, kind=EventKind.CREATED, created_at__gte=start, created_at__lt=end
    ).aggregate(tickets=Count("id"), escalated=Count("id", filter=Q(escalated)))
    counts["rate"] = counts["escalated"] / counts["tickets"] if counts["tickets"] else None
    return counts


def time_to_escalate(teams: Iterable[Team | int], start: datetime, end: datetime) -> dict[str, Any]:
    """Escalations these teams made in [start, end): how many, and the median seconds from the
    ticket's creation to the escalation (``median_seconds`` is None when there were none)."""
    created_at = TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id"), kind=EventKind.CREATED).values(
        "created_at"
    )[:1]
    waited = Extract(F("created_at") - Subquery(created_at), "epoch")
    return (
        _escalations()
        .filter(team_id__in=_team_ids(teams), created_at__gte=start, created_at__lt=end)
        .aggregate(count=Count("id"), median_seconds=PercentileCont(waited, 0.5))
    )


def sent_back_count(teams: Iterable[Team | int], start: datetime, end: datetime) -> int:
    """Escalations made by these teams that were sent back in [start, end)."""
    escalated_by_teams = Exists(
        _escalations().filter(
            ticket_id=OuterRef("ticket_id"),
            new_value__escalation=OuterRef("new_value__escalation"),
            team_id__in=_team_ids(teams),
        )
    )
    return _send_backs().filter(escalated_by_teams, created_at__gte=start, created_at__lt=end).count()
