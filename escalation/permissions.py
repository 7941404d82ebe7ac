"""Who may see and change business calendars; registered with accounts.permissions.

Calendars belong to the whole installation (several teams may share one), so managers and
admins change them; agents may read them because their tickets' due times come from them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import Role, User
from accounts.permissions import CHANGE, VIEW, rule, scope
from tickets.sla.models import BusinessCalendar, SlaPolicy


def may_manage_calendars(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.has_role(Role.MANAGER)


def require_calendar_manager(user: User | None) -> None:
    """For actions without an object yet (creating a calendar) and for the manager pages."""
    if not may_manage_calendars(user):
        raise PermissionDenied


@rule(BusinessCalendar, VIEW)
def _view_calendar(user: User, calendar: BusinessCalendar) -> bool:
    return user.works_tickets


@rule(BusinessCalendar, CHANGE)
def _change_calendar(user: User, calendar: BusinessCalendar) -> bool:
    return may_manage_calendars(user)


@scope(BusinessCalendar)
def _calendars(user: User, queryset: QuerySet) -> QuerySet:
    return queryset if user.works_tickets else queryset.none()


# --- SLA policies ------------------------------------------------------------------------------
# Like calendars, policies belong to the whole installation: managers and admins change them,
# agents may read them because their tickets' due times come from them.


def may_manage_policies(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.has_role(Role.MANAGER)


def require_policy_manager(user: User | None) -> None:
    """For actions without an object yet (creating, reordering) and for the manager pages."""
    if not may_manage_policies(user):
        raise PermissionDenied


@rule(SlaPolicy, VIEW)
def _view_policy(user: User, policy: SlaPolicy) -> bool:
    return user.works_tickets


@rule(SlaPolicy, CHANGE)
def _change_policy(user: User, policy: SlaPolicy) -> bool:
    return may_manage_policies(user)


@scope(SlaPolicy)
def _policies(user: User, queryset: QuerySet) -> QuerySet:
    return queryset if user.works_tickets else queryset.none()
