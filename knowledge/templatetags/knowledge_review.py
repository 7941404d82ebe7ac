"""The "Review" entry of the manager's menu: how many articles wait for their decision."""

from __future__ import annotations

from django import template

from accounts.models import Role
from knowledge.permissions import review_queue

register = template.Library()


@register.simple_tag(takes_context=True)
def articles_to_review(context) -> int | None:
    """Articles in review the user may decide on (one COUNT); None for whoever reviews nothing.

    Counted when the menu is drawn, not cached: the number a manager sees after approving an
    article is the one the queue then shows.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_role(Role.MANAGER):
        return None
    return review_queue(user).count()
