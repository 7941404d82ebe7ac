"""Django's ModelBackend, with the signed-in user's teams read in the same query as the user."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from accounts.models import Team, User


def with_team_ids(users):
    """``users`` with ``member_team_ids`` and ``managed_team_ids``: two subqueries of one SELECT."""
    return users.annotate(
        member_team_ids=ArraySubquery(Team.members.through.objects.filter(user_id=OuterRef("pk")).values("team_id")),
        managed_team_ids=ArraySubquery(Team.managers.through.objects.filter(user_id=OuterRef("pk")).values("team_id")),
    )


# Built once: resolving the two subqueries took a third of the time of reading the user. A
# queryset is only a statement; each get() below clones it and reads PostgreSQL afresh.
USERS_WITH_TEAM_IDS = with_team_ids(User._default_manager.all())


class TeamsBackend(ModelBackend):
    """Every request reads the user and their team ids from PostgreSQL, in one statement.

    ``tickets.permissions.staff_team_ids`` uses the ids read here; nothing about who a user is
    or which teams they work in comes from the cache.
    """

    def get_user(self, user_id):
        try:
            user = USERS_WITH_TEAM_IDS.get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
