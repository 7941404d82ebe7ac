"""The manager page listing the SLA breaches of the last seven days."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Role, User
from escalation.models import SlaEvent, SlaEventKind

BREACH_DAYS = 7


def recent_breaches(user: User, now: datetime | None = None) -> QuerySet[SlaEvent]:
    """Breaches recorded in the last seven days, newest first: all of them for admins, their teams' for managers."""
    now = now or timezone.now()
    breaches = SlaEvent.objects.filter(kind=SlaEventKind.BREACH, recorded_at__gte=now - timedelta(days=BREACH_DAYS))
    if not user.has_role(Role.ADMIN):
        breaches = breaches.filter(ticket__team__in=user.managed_teams.all())
    return breaches.select_related("ticket__team", "ticket__assignee").order_by("-recorded_at", "-id")


@login_required
def breach_list(request):
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied
    return render(
        request, "escalation/breach_list.html", {"breaches": recent_breaches(request.user), "days": BREACH_DAYS}
    )
