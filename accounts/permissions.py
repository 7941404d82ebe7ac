"""The one place that answers "may this user see / change this object?".

Every view, API endpoint and service asks here, never inline. Each model registers its
rules with :func:`rule`; apps add theirs in ``permissions.py`` modules imported by their
``AppConfig.ready``. Unknown models are refused (deny by default).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models

from accounts.models import Organisation, Role, Team, User

VIEW = "view"
CHANGE = "change"

Predicate = Callable[[User, Any], bool]
Scope = Callable[[User, models.QuerySet], models.QuerySet]

_rules: dict[tuple[type[models.Model], str], Predicate] = {}
_scopes: dict[type[models.Model], Scope] = {}


def rule(model: type[models.Model], action: str) -> Callable[[Predicate], Predicate]:
    """Register the predicate deciding ``action`` on instances of ``model``."""

    def register(predicate: Predicate) -> Predicate:
        _rules[(model, action)] = predicate
        return predicate

    return register


def scope(model: type[models.Model]) -> Callable[[Scope], Scope]:
    """Register the queryset filter listing the ``model`` rows a user may see."""

    def register(narrow: Scope) -> Scope:
        _scopes[model] = narrow
        return narrow

    return register


def _allowed(user: User | None, action: str, obj: models.Model) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    predicate = _rules.get((type(obj)._meta.concrete_model, action))
    return bool(predicate and predicate(user, obj))


def may_view(user: User | None, obj: models.Model) -> bool:
    return _allowed(user, VIEW, obj)


def may_change(user: User | None, obj: models.Model) -> bool:
    return _allowed(user, CHANGE, obj)


def require_view(user: User | None, obj: models.Model) -> None:
    if not may_view(user, obj):
        raise PermissionDenied


def require_change(user: User | None, obj: models.Model) -> None:
    if not may_change(user, obj):
        raise PermissionDenied


def visible(user: User | None, queryset: models.QuerySet) -> models.QuerySet:
    """Narrow ``queryset`` to the rows ``user`` may see; nothing for anyone unknown."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    narrow = _scopes.get(queryset.model._meta.concrete_model)
    return narrow(user, queryset) if narrow else queryset.none()


def manages_team(user: User, team: Team) -> bool:
    return user.has_role(Role.ADMIN) or (user.has_role(Role.MANAGER) and team.managers.filter(pk=user.pk).exists())


def managed_teams(user: User) -> models.QuerySet:
    """The teams ``user`` manages: every team for admins, their own for managers, none otherwise."""
    if user.has_role(Role.ADMIN):
        return Team.objects.all()
    if user.has_role(Role.MANAGER):
        return Team.objects.filter(managers=user)
    return Team.objects.none()


# --- accounts' own rules --------------------------------------------------------------------


@rule(Team, VIEW)
def _view_team(user: User, team: Team) -> bool:
    return user.works_tickets


@rule(Team, CHANGE)
def _change_team(user: User, team: Team) -> bool:
    return manages_team(user, team)


@scope(Team)
def _teams(user: User, queryset: models.QuerySet) -> models.QuerySet:
    return queryset if user.works_tickets else queryset.none()


@rule(Organisation, VIEW)
def _view_organisation(user: User, organisation: Organisation) -> bool:
    return user.works_tickets or user.organisation_id == organisation.pk


@rule(Organisation, CHANGE)
def _change_organisation(user: User, organisation: Organisation) -> bool:
    return user.has_role(Role.ADMIN)


@scope(Organisation)
def _organisations(user: User, queryset: models.QuerySet) -> models.QuerySet:
    if user.works_tickets:
        return queryset
    return queryset.filter(pk=user.organisation_id)


@rule(User, VIEW)
def _view_user(user: User, other: User) -> bool:
    return user.pk == other.pk or user.works_tickets


@rule(User, CHANGE)
def _change_user(user: User, other: User) -> bool:
    return user.pk == other.pk or user.has_role(Role.ADMIN)


@scope(User)
def _users(user: User, queryset: models.QuerySet) -> models.QuerySet:
    return queryset if user.works_tickets else queryset.filter(pk=user.pk)
