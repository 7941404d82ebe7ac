"""Who may see and change feedback items; registered with accounts.permissions.

Feedback items belong to the whole desk (they are counted for product teams, not worked in a
team's queue): every agent, manager and admin reads and edits them; requesters never do. The
tickets linked to an item stay under the ticket rules (a ticket is linked, unlinked and listed
only for staff who may see it).
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.permissions import CHANGE, VIEW, rule, scope
from feedback.models import FeedbackItem


@rule(FeedbackItem, VIEW)
@rule(FeedbackItem, CHANGE)
def _staff(user: User, item: FeedbackItem) -> bool:
    return user.works_tickets


@scope(FeedbackItem)
def _items(user: User, queryset: QuerySet) -> QuerySet:
    return queryset if user.works_tickets else queryset.none()
