"""Who may see and work which ticket; registered with accounts.permissions."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete
from django.dispatch import receiver

from accounts.backends import cached_values, read_with_user
from accounts.models import Role, Team, User
from accounts.permissions import CHANGE, VIEW, rule, scope
from escalation.models import Escalation
from helpdesk.cache_versions import current_version, replace_version
from tickets.models import Ticket

# Every membership change replaces this token; an entry cached under another token is stale.
TEAMS_VERSION_KEY = "staff-teams:version"
TEAMS_SECONDS = 24 * 60 * 60


def staff_team_ids(user: User) -> set[int]:
    """Teams whose tickets a staff user works: the ones they belong to and the ones they manage.

    Kept on the user for the request, and in the cache across requests (one round trip for the
    token and the entry, instead of a query on every page): any change of a team's members or
    managers replaces the token (``_teams_changed``), a change of role is part of the entry.
    """
    cached = getattr(user, "_ticket_team_ids", None)
    if cached is None:
        cached = user._ticket_team_ids = _cached_team_ids(user)
    return cached


@read_with_user
def team_ids_cache_keys(pk: int) -> list[str]:
    """The cache keys ``staff_team_ids`` reads for the user ``pk``; fetched with the signed-in user."""
    return [TEAMS_VERSION_KEY, _team_ids_key(pk)]


def _team_ids_key(pk: int) -> str:
    return f"staff-teams:{pk}"


def prime_staff_team_ids(user: User, found: dict) -> set[int]:
    """``staff_team_ids(user)`` from ``found``, the cache's values for ``team_ids_cache_keys(user.pk)``."""
    cached = user._ticket_team_ids = _cached_team_ids(user, found)
    return cached


def _cached_team_ids(user: User, found: dict | None = None) -> set[int]:
    key = _team_ids_key(user.pk)
    if found is None:
        found = cached_values(user, team_ids_cache_keys(user.pk))
    version = found.get(TEAMS_VERSION_KEY)
    manager = user.has_role(Role.MANAGER)
    # The user's row is part of the entry's identity: a test database reuses primary keys.
    owner = (user.pk, user.date_joined.isoformat() if user.date_joined else None, manager)
    entry = found.get(key)
    if version is not None and entry is not None and entry[0] == version and entry[1] == owner:
        return set(entry[2])
    version = current_version(TEAMS_VERSION_KEY, found, None)
    ids = set(user.teams.values_list("id", flat=True))
    if manager:
        ids |= set(user.managed_teams.values_list("id", flat=True))
    if version is not None:
        # Read after the token: a change committed in between replaced it, so this entry is
        # never taken for current.
        cache.set(key, (version, owner, sorted(ids)), TEAMS_SECONDS)
    return ids


@receiver(m2m_changed, sender=Team.members.through)
@receiver(m2m_changed, sender=Team.managers.through)
@receiver(post_delete, sender=Team)
def _teams_changed(sender, action: str = "post_delete", **kwargs) -> None:
    """Invalidate every cached set of team ids, now and again when the transaction commits."""
    if action in ("post_add", "post_remove", "post_clear", "post_delete"):
        replace_version(TEAMS_VERSION_KEY, None)


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
    """The requester side: own tickets, plus the organisation's where it shares them.

    Unverified guest requests are left out, as in :func:`is_requester_side`.
    """
    own = Q(requester=user)
    if user.organisation_id:
        own |= Q(organisation_id=user.organisation_id, organisation__shares_tickets=True)
    return queryset.filter(own, requester_verified=True)
