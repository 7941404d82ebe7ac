"""Raising feedback items and linking tickets to them."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import may_view
from feedback.models import FeedbackItem, FeedbackLink
from helpdesk.errors import ApplicationError
from tickets.models import Ticket

TITLE_MAX = 200


@transaction.atomic
def feedback_raise(
    title: str,
    description: str = "",
    *,
    ticket: Ticket | None = None,
    acting_user: User,
    at: datetime | None = None,
) -> FeedbackItem:
    """An agent records a product need, from ``ticket`` or on their own."""
    if not acting_user.works_tickets:
        raise PermissionDenied
    title = " ".join((title or "").split())
    if not title:
        raise ApplicationError(_("Give the feedback item a title."), extra={"field": "title"})
    if len(title) > TITLE_MAX:
        raise ApplicationError(
            _("The title can be at most %(max)d characters long.") % {"max": TITLE_MAX}, extra={"field": "title"}
        )
    at = at or timezone.now()
    team = ticket.team if ticket is not None else acting_user.teams.order_by("id").first()
    item = FeedbackItem.objects.create(
        title=title, description=(description or "").strip(), raised_by=acting_user, team=team, created_at=at
    )
    if ticket is not None:
        feedback_link(item, ticket, acting_user=acting_user, at=at)
    return item


def feedback_link(item: FeedbackItem, ticket: Ticket, *, acting_user: User, at: datetime | None = None) -> FeedbackLink:
    """Link ``ticket`` to ``item`` (once); only staff who may see the ticket."""
    if not (acting_user.works_tickets and may_view(acting_user, ticket)):
        raise PermissionDenied
    link, _created = FeedbackLink.objects.get_or_create(
        item=item, ticket=ticket, defaults={"linked_by": acting_user, "created_at": at or timezone.now()}
    )
    return link
