"""Feedback items: raise, edit, change status, link and unlink tickets (spec §7).

Each change takes the acting user, checks permission here, writes in one transaction and
returns the changed object. Status changes leave a :class:`FeedbackStatusChange` row; the change
to "shipped" tells the linked requesters (feedback/notifications.py).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import may_view, require_change
from feedback import notifications
from feedback.models import FeedbackItem, FeedbackLink, FeedbackStatus, FeedbackStatusChange, ProductArea
from helpdesk.errors import ApplicationError
from tickets.models import Ticket

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000


def _require_staff(user: User) -> None:
    if not (user.is_authenticated and user.works_tickets):
        raise PermissionDenied


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ApplicationError(_("Give the feedback item a title."), extra={"field": "title"})
    if len(title) > TITLE_MAX:
        raise ApplicationError(
            _("The title can be at most %(max)d characters long.") % {"max": TITLE_MAX}, extra={"field": "title"}
        )
    return title


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ApplicationError(
            _("The description can be at most %(max)d characters long.") % {"max": DESCRIPTION_MAX},
            extra={"field": "description"},
        )
    return description


def _check_area(area: ProductArea | None, current: ProductArea | None = None) -> None:
    # An area taken out of use stays on the items that have it, but no new item gets it.
    if area is not None and not area.is_active and (current is None or current.pk != area.pk):
        raise ApplicationError(_("That product area is no longer in use."), extra={"field": "area"})


@transaction.atomic
def feedback_raise(
    title: str,
    description: str = "",
    *,
    area: ProductArea | None = None,
    ticket: Ticket | None = None,
    acting_user: User,
    at: datetime | None = None,
) -> FeedbackItem:
    """An agent records a product need, from ``ticket`` or on their own."""
    _require_staff(acting_user)
    title = _clean_title(title)
    description = _clean_description(description)
    _check_area(area)
    at = at or timezone.now()
    team = ticket.team if ticket is not None else acting_user.teams.order_by("id").first()
    item = FeedbackItem.objects.create(
        title=title, description=description, area=area, raised_by=acting_user, team=team, created_at=at
    )
    if ticket is not None:
        feedback_link(item, ticket, acting_user=acting_user, at=at)
    return item


@transaction.atomic
def feedback_update(
    item: FeedbackItem, *, title: str, description: str, area: ProductArea | None, acting_user: User
) -> FeedbackItem:
    """Edit what the item says and where it belongs; its status changes through its own door."""
    require_change(acting_user, item)
    title = _clean_title(title)
    description = _clean_description(description)
    _check_area(area, item.area)
    item.title, item.description, item.area = title, description, area
    item.save(update_fields=["title", "description", "area"])
    return item


@transaction.atomic
def feedback_change_status(
    item: FeedbackItem, status: str, *, acting_user: User, at: datetime | None = None
) -> FeedbackItem:
    """Move the item to ``status``, record who and when, and on "shipped" tell the requesters.

    The item row is locked first, so two people shipping it at once tell each requester once.
    Setting the status it already has changes nothing.
    """
    require_change(acting_user, item)
    if status not in FeedbackStatus.values:
        raise ApplicationError(_("Choose one of the statuses offered."), extra={"field": "status"})
    locked = FeedbackItem.objects.select_for_update().get(pk=item.pk)
    if locked.status == status:
        item.status = status
        return item
    at = at or timezone.now()
    FeedbackStatusChange.objects.create(
        item=locked, old_status=locked.status, new_status=status, changed_by=acting_user, created_at=at
    )
    locked.status = status
    locked.save(update_fields=["status"])
    if status == FeedbackStatus.SHIPPED:
        notifications.tell_requesters_shipped(locked, at=at)
    item.status = status
    return item


def feedback_link(item: FeedbackItem, ticket: Ticket, *, acting_user: User, at: datetime | None = None) -> FeedbackLink:
    """Link ``ticket`` to ``item`` (once); only staff who may see the ticket."""
    if not (acting_user.works_tickets and may_view(acting_user, ticket)):
        raise PermissionDenied
    link, _created = FeedbackLink.objects.get_or_create(
        item=item, ticket=ticket, defaults={"linked_by": acting_user, "created_at": at or timezone.now()}
    )
    return link


@transaction.atomic
def feedback_unlink(item: FeedbackItem, ticket: Ticket, *, acting_user: User) -> bool:
    """Take ``ticket`` off ``item``; False when it was not linked."""
    if not (acting_user.works_tickets and may_view(acting_user, ticket)):
        raise PermissionDenied
    deleted, _per_model = FeedbackLink.objects.filter(item=item, ticket=ticket).delete()
    return bool(deleted)
