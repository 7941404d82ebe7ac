"""Who may see and work which ticket; registered with accounts.permissions."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Role, User
from accounts.permissions import CHANGE, VIEW, rule, scope
from escalation.models import Escalation
from tickets.models import Ticket


def staff_team_ids(user: User) -> set[int]:
    """Teams whose tickets a staff user works: the ones they belong to and the ones they manage."""
    cached = getattr(user, "_ticket_team_ids", None)
    if cached is None:
        cached = set(user.teams.values_list("id", flat=True))
        if user.has_role(Role.MANAGER):
            cached |= set(user.managed_teams.values_list("id", flat=True))
        user._ticket_team_ids = cached
    return cached


def is_requester_side(user: User, ticket: Ticket) -> bool:
    if ticket.requester_id == user.pk:
        return True
    if user.works_tickets or ticket.organisation_id is None or ticket.organisation_id != user.organisation_id:
        return False
    return ticket.organisation.shares_tickets


def works_on(user: User, ticket: Ticket) -> bool:
    if not user.works_tickets:
        return False
    if user.has_role(Role.ADMIN) or ticket.assignee_id == user.pk:
        return True
    if ticket.team_id is not None and ticket.team_id in staff_team_ids(user):
        return True
    return coordinates(user, ticket)


def coordinates(user: User, ticket: Ticket) -> bool:
    """The agent who escalated it keeps working it until the escalation is sent back."""
    return Escalation.objects.open().filter(ticket_id=ticket.pk, escalated_by_id=user.pk).exists()


def coordinated_by(user: User) -> Exists:
    """Tickets with an open escalation coordinated by ``user`` (for querysets of tickets)."""
    return Exists(Escalation.objects.open().filter(ticket=OuterRef("pk"), escalated_by_id=user.pk))


@rule(Ticket, VIEW)
def _view_ticket(user: User, ticket: Ticket) -> bool:
    return works_on(user, ticket) or is_requester_side(user, ticket)


@rule(Ticket, CHANGE)
def _change_ticket(user: User, ticket: Ticket) -> bool:
    return works_on(user, ticket)


@scope(Ticket)
def _tickets(user: User, queryset: QuerySet) -> QuerySet:
    if user.has_role(Role.ADMIN):
        return queryset
    if user.works_tickets:
        return queryset.filter(Q(team_id__in=staff_team_ids(user)) | Q(assignee=user) | Q(coordinated_by(user)))
    return requester_scope(user, queryset)


def requester_scope(user: User, queryset: QuerySet) -> QuerySet:
    """The requester side: own tickets, plus the organisation's where it shares them."""
    own = Q(requester=user)
    if user.organisation_id:
        own |= Q(organisation_id=user.organisation_id, organisation__shares_tickets=True)
    return queryset.filter(own)
