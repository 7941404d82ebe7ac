"""Who works a ticket: assignee and team."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Team, User
from helpdesk.errors import ApplicationError
from tickets import notifications
from tickets.events import record
from tickets.models import EventKind, Status, Ticket
from tickets.services.base import check_version, describe, lock, now_or, require_staff, save


def _previous_assignee_id(ticket: Ticket) -> int | None:
    """The last agent the ticket was ever assigned to (unassigning does not forget them)."""
    value = (
        ticket.events.filter(kind=EventKind.ASSIGNED, new_value__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("new_value", flat=True)
        .first()
    )
    return value["id"] if value else None


@transaction.atomic
def ticket_assign(
    ticket: Ticket,
    assignee: User | None,
    *,
    acting_user: User | None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Assign (or unassign with None). Moving from one agent to another counts as a reassignment."""
    ticket = lock(ticket)
    require_staff(acting_user, ticket)
    check_version(ticket, expected_version)
    if assignee is not None and not assignee.works_tickets:
        raise ApplicationError(_("Tickets can only be assigned to active agents."), extra={"field": "assignee"})
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    if ticket.status == Status.CLOSED:
        raise ApplicationError(_("This ticket is closed; closed tickets are final."))
    at = now_or(at)
    changed = ["assignee"]
    if assignee is not None:
        previous = _previous_assignee_id(ticket)
        if previous is not None and previous != assignee.pk:
            ticket.reassignment_count += 1
            changed.append("reassignment_count")
    record(ticket, EventKind.ASSIGNED, actor=acting_user, at=at, old=describe(ticket.assignee), new=describe(assignee))
    ticket.assignee = assignee
    if assignee is not None and ticket.status == Status.NEW:
        record(ticket, EventKind.STATUS_CHANGED, actor=acting_user, at=at, old=ticket.status, new=Status.OPEN)
        ticket.status = Status.OPEN
        changed.append("status")
    save(ticket, at, *changed)
    if assignee is not None:
        notifications.assigned(ticket, assignee, acting_user)
    return ticket


@transaction.atomic
def ticket_change_team(
    ticket: Ticket,
    team: Team,
    *,
    acting_user: User | None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Move to another team; an assignee who is not in it is unassigned."""
    ticket = lock(ticket)
    require_staff(acting_user, ticket)
    check_version(ticket, expected_version)
    if ticket.team_id == team.pk:
        return ticket
    at = now_or(at)
    record(ticket, EventKind.TEAM_CHANGED, actor=acting_user, at=at, old=describe(ticket.team), new=describe(team))
    ticket.team = team
    changed = ["team"]
    if ticket.assignee_id and not team.members.filter(pk=ticket.assignee_id).exists():
        record(ticket, EventKind.ASSIGNED, actor=acting_user, at=at, old=describe(ticket.assignee), new=None)
        ticket.assignee = None
        changed.append("assignee")
    save(ticket, at, *changed)
    return ticket
