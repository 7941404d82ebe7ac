"""Every change to a reply template goes through these functions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Team, User
from accounts.permissions import manages_team, require_change
from canned.models import ReplyTemplate
from helpdesk.errors import ApplicationError

TITLE_MAX = 200
BODY_MAX = 50_000


def _clean(title: str, body: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    body = (body or "").strip()
    if not title:
        raise ApplicationError(_("Give the template a title."), extra={"field": "title"})
    if len(title) > TITLE_MAX:
        raise ApplicationError(
            _("The title can be at most %(max)d characters long.") % {"max": TITLE_MAX}, extra={"field": "title"}
        )
    if not body:
        raise ApplicationError(_("Write the text of the template."), extra={"field": "body"})
    if len(body) > BODY_MAX:
        raise ApplicationError(
            _("The text can be at most %(max)d characters long.") % {"max": BODY_MAX}, extra={"field": "body"}
        )
    return title, body


def _check_scope(user: User, team: Team | None) -> None:
    if not user.works_tickets:
        raise PermissionDenied
    if team is not None and not manages_team(user, team):
        raise ApplicationError(_("You can only share templates with teams you manage."), extra={"field": "team"})


@transaction.atomic
def reply_template_create(*, title: str, body: str, team: Team | None, acting_user: User) -> ReplyTemplate:
    """A personal template of ``acting_user``, or, with ``team``, one shared with that team."""
    _check_scope(acting_user, team)
    title, body = _clean(title, body)
    return ReplyTemplate.objects.create(
        title=title, body=body, team=team, owner=None if team is not None else acting_user
    )


@transaction.atomic
def reply_template_update(
    template: ReplyTemplate, *, title: str, body: str, team: Team | None, acting_user: User
) -> ReplyTemplate:
    """Edit text and scope; moving a team template to "personal" makes it the editor's own."""
    template = ReplyTemplate.objects.select_for_update(of=("self",)).select_related("team").get(pk=template.pk)
    require_change(acting_user, template)
    _check_scope(acting_user, team)
    template.title, template.body = _clean(title, body)
    if team is not None:
        template.team, template.owner = team, None
    elif not template.is_personal:
        template.team, template.owner = None, acting_user
    template.save()
    return template


@transaction.atomic
def reply_template_delete(template: ReplyTemplate, *, acting_user: User) -> None:
    template = ReplyTemplate.objects.select_for_update(of=("self",)).select_related("team").get(pk=template.pk)
    require_change(acting_user, template)
    template.delete()
