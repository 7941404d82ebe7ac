"""Who may see and edit reply templates; registered with accounts.permissions.

Personal templates belong to their owner alone. Team templates are read by the team's agents
(and its managers) and edited by the team's managers and by admins, so that what a whole team
sends to requesters is looked after by the people answerable for it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role, User
from accounts.permissions import CHANGE, VIEW, rule, scope
from canned.models import ReplyTemplate
from tickets.permissions import staff_team_ids


def managed_team_ids(user: User) -> set[int]:
    """The teams a manager manages, read once per request (the list page asks for every row).

    Admins manage every team and are answered before this is asked, as in
    ``accounts.permissions.manages_team``.
    """
    cached = getattr(user, "_managed_team_ids", None)
    if cached is None:
        cached = set(user.managed_teams.values_list("id", flat=True)) if user.has_role(Role.MANAGER) else set()
        user._managed_team_ids = cached
    return cached


@rule(ReplyTemplate, VIEW)
def _view_template(user: User, template: ReplyTemplate) -> bool:
    if not user.works_tickets:
        return False
    if template.is_personal:
        return template.owner_id == user.pk
    return user.has_role(Role.ADMIN) or template.team_id in staff_team_ids(user)


@rule(ReplyTemplate, CHANGE)
def _change_template(user: User, template: ReplyTemplate) -> bool:
    if not user.works_tickets:
        return False
    if template.is_personal:
        return template.owner_id == user.pk
    return user.has_role(Role.ADMIN) or template.team_id in managed_team_ids(user)


@scope(ReplyTemplate)
def _templates(user: User, queryset: QuerySet) -> QuerySet:
    if not user.works_tickets:
        return queryset.none()
    if user.has_role(Role.ADMIN):
        return queryset.filter(Q(owner=user) | Q(team__isnull=False))
    return queryset.filter(Q(owner=user) | Q(team_id__in=staff_team_ids(user)))
