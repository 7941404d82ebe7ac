"""Who may see and change maintenance plans; registered with accounts.permissions.

A plan belongs to its team: the team's managers (and admins) create and edit it; everyone on
the support side may read plans and their runs, since they work the tickets the runs open.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import Role, Team, User
from accounts.permissions import CHANGE, VIEW, manages_team, rule, scope
from maintenance.models import MaintenancePlan


def may_read_plans(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_active and user.works_tickets


def require_plan_reader(user: User | None) -> None:
    if not may_read_plans(user):
        raise PermissionDenied


def may_plan_for(user: User | None, team: Team) -> bool:
    """May ``user`` create a plan for ``team`` (or move one to it)?"""
    return user is not None and user.is_authenticated and user.is_active and manages_team(user, team)


def may_create_plans(user: User | None) -> bool:
    return may_read_plans(user) and user.has_role(Role.MANAGER)


@rule(MaintenancePlan, VIEW)
def _view_plan(user: User, plan: MaintenancePlan) -> bool:
    return user.works_tickets


@rule(MaintenancePlan, CHANGE)
def _change_plan(user: User, plan: MaintenancePlan) -> bool:
    return manages_team(user, plan.team)


@scope(MaintenancePlan)
def _plans(user: User, queryset: QuerySet) -> QuerySet:
    return queryset if user.works_tickets else queryset.none()
