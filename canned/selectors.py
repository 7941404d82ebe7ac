"""Reads of reply templates, already narrowed to what the reader may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Role, Team, User
from accounts.permissions import may_view, visible
from canned.models import ReplyTemplate


def visible_templates(user: User) -> QuerySet[ReplyTemplate]:
    return visible(user, ReplyTemplate.objects.select_related("team")).order_by("title", "id")


def template_for(user: User, pk: int | str | None) -> ReplyTemplate:
    """One template ``user`` may see; 404 alike for missing and hidden ones."""
    try:
        number = int(pk)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Http404 from None
    template = visible_templates(user).filter(pk=number).first()
    if template is None or not may_view(user, template):
        raise Http404
    return template


def manageable_teams(user: User) -> QuerySet[Team]:
    """Teams whose shared templates ``user`` may write (see accounts.permissions.manages_team)."""
    if user.has_role(Role.ADMIN):
        return Team.objects.all()
    if user.has_role(Role.MANAGER):
        return user.managed_teams.all()
    return Team.objects.none()


@dataclass
class TemplateGroup:
    label: str
    templates: list[ReplyTemplate] = field(default_factory=list)


def grouped_templates(user: User) -> list[TemplateGroup]:
    """Personal templates first, then one group per team, in one query."""
    personal = TemplateGroup(_("My templates"))
    teams: dict[int, TemplateGroup] = {}
    for template in visible_templates(user):
        if template.is_personal:
            personal.templates.append(template)
        else:
            teams.setdefault(template.team_id, TemplateGroup(template.team.display_name)).templates.append(template)
    groups = [personal] if personal.templates else []
    return groups + sorted(teams.values(), key=lambda group: group.label.casefold())
