"""Who may see and work which ticket; registered with accounts.permissions."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Role, Team, User
from accounts.permissions import CHANGE, VIEW, rule, scope
from tickets.models import Escalation, Ticket


def staff_team_ids(user: User) -> set[int]:
    """Teams whose tickets a staff user works: the ones they belong to and the ones they manage.

    Read from PostgreSQL, never from the cache: a restored or lagging cache must not give back
    a team someone has left. Kept on the user instance, which lives as long as the request
    (``request.user`` is loaded afresh for each one).
    """
    ids = getattr(user, "_ticket_team_ids", None)
    if ids is None:
        member = getattr(user, "member_team_ids", None)
        if member is not None:
            # Read with the user itself, on this request (accounts.backends.TeamsBackend).
            ids = set(member) | (set(user.managed_team_ids) if user.has_role(Role.MANAGER) else set())
        else:
            ids = Team.objects.filter(members=user).values_list("id", flat=True)
            if user.has_role(Role.MANAGER):
                ids = ids.union(Team.objects.filter(managers=user).values_list("id", flat=True))
            ids = set(ids)
        user._ticket_team_ids = ids
    return ids


def is_requester_side(user: User, ticket: Ticket) -> bool:
    # A guest's request in an account's name joins that account's side only once the link in the
    # confirmation e-mail is opened (tickets/services/creation.py, ticket_create_by_guest): until
    # then the tracking link is the only way in, for whoever holds it.
    if not ticket.requester_verified:
        return False
    if ticket.requester_id == user.pk:
        return True
    if user.works_tickets or ticket.organisation_id is None or ticket.organisation_id != user.organisation_id:
        return False
    # The requester's choice for this ticket, not the organisation's current setting (which is
    # only the default offered on the form): a private matter stays private.
    return ticket.shared_with_organisation


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
    """The requester side: own tickets, plus the colleagues' tickets shared with the organisation.

    Unverified guest requests are left out, as in :func:`is_requester_side`.
    """
    own = Q(requester=user)
    if user.organisation_id:
        own |= Q(organisation_id=user.organisation_id, shared_with_organisation=True)
    return queryset.filter(own, requester_verified=True)
