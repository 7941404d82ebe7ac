"""Major incidents: many tickets with one cause, linked under one parent ticket.

Each child is linked to the parent "caused by" (``LinkKind.CAUSED_BY``, child → parent) through
the tickets' link service, which records the event on the child. A reply to all linked
requesters is a public reply on every child through the reply service, so each requester gets
the reply e-mail they would get from an agent, in one transaction: all children or none.

Managers (and admins) run major incidents, and only on tickets they may work: every ticket is
checked before anything is written. Spikes (monitoring/spikes.py) and alert incidents use the
same functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role, Team, User
from accounts.permissions import require_change, require_view
from helpdesk.errors import ApplicationError
from tickets.models import Category, Channel, Impact, LinkKind, Priority, Status, Ticket, TicketType, Urgency
from tickets.permissions import staff_team_ids
from tickets.services import ticket_add_note, ticket_create, ticket_link, ticket_reply
from tickets.services.creation import clean_body

# The parent's priority comes from the impact/urgency matrix: the whole organisation, and
# blocked (P1) or degraded (P2).
URGENCY_FOR_PRIORITY: dict[int, int] = {Priority.P1: Urgency.BLOCKED, Priority.P2: Urgency.DEGRADED}


def may_run_major_incidents(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.has_role(Role.MANAGER)


def require_major_incident_manager(user: User | None) -> None:
    if not may_run_major_incidents(user):
        raise PermissionDenied


def parent_teams(user: User) -> QuerySet[Team]:
    """Teams a manager may open a major incident for: the ones whose tickets they work."""
    if user.has_role(Role.ADMIN):
        return Team.objects.all()
    return Team.objects.filter(pk__in=staff_team_ids(user))


@transaction.atomic
def major_incident_open(
    *,
    subject: str,
    description: str,
    team: Team,
    priority: int,
    category: Category | None,
    acting_user: User,
    at: datetime | None = None,
) -> Ticket:
    """A new parent incident ticket, requested by the manager who opens it."""
    require_major_incident_manager(acting_user)
    if int(priority) not in URGENCY_FOR_PRIORITY:
        raise ApplicationError(_("A major incident is P1 or P2."), extra={"field": "priority"})
    if not parent_teams(acting_user).filter(pk=team.pk).exists():
        raise ApplicationError(
            _("You can open a major incident only for a team whose tickets you work."), extra={"field": "team"}
        )
    return ticket_create(
        requester=acting_user,
        subject=subject,
        description=description,
        acting_user=acting_user,
        category=category,
        impact=Impact.ORGANISATION,
        urgency=URGENCY_FOR_PRIORITY[int(priority)],
        type=TicketType.INCIDENT,
        channel=Channel.WEB,
        team=team,
        shared_with_organisation=False,
        at=at,
    )


def major_incident_children(parent: Ticket) -> QuerySet[Ticket]:
    """The tickets linked "caused by" ``parent``."""
    return Ticket.objects.filter(links_out__target=parent, links_out__kind=LinkKind.CAUSED_BY)


@transaction.atomic
def major_incident_link(
    parent: Ticket, children: Iterable[Ticket], *, acting_user: User, at: datetime | None = None
) -> list[Ticket]:
    """Link each child "caused by" ``parent``; returns the children (already linked ones too)."""
    require_major_incident_manager(acting_user)
    require_change(acting_user, parent)
    children = [child for child in children if child.pk != parent.pk]
    if not children:
        raise ApplicationError(_("Choose at least one ticket to link."), extra={"field": "tickets"})
    for child in children:  # every ticket checked before the first link is written
        require_change(acting_user, child)
    for child in children:
        ticket_link(child, parent, LinkKind.CAUSED_BY, acting_user=acting_user, at=at)
    return children


@transaction.atomic
def major_incident_reply_all(
    parent: Ticket, body: str, *, acting_user: User, at: datetime | None = None
) -> list[Ticket]:
    """One public reply on every linked ticket that is not closed; returns the tickets replied on."""
    require_major_incident_manager(acting_user)
    require_view(acting_user, parent)
    body = clean_body(body, field="body")
    children = list(major_incident_children(parent).select_related("requester").order_by("id"))
    for child in children:
        require_change(acting_user, child)
    open_children = [child for child in children if child.status != Status.CLOSED]
    if not open_children:
        raise ApplicationError(_("No open ticket is linked to this incident."), extra={"field": "body"})
    replied = [ticket_reply(child, body, acting_user=acting_user, at=at).ticket for child in open_children]
    note = _("Reply sent to the requesters of %(count)d linked tickets:") % {"count": len(replied)}
    ticket_add_note(parent, f"{note}\n\n{body}", acting_user=acting_user, at=at)
    return replied
