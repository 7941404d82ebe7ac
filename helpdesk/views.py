"""The landing page and the friendly error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader

from accounts import permissions
from tickets.models import Status, Ticket

HOME_LIST_LENGTH = 20


@login_required
def home(request):
    user = request.user
    if not user.works_tickets:
        return redirect("tickets:my_tickets")
    open_tickets = (
        permissions.visible(user, Ticket.objects.all())
        .exclude(status__in=[Status.RESOLVED, Status.CLOSED])
        .select_related("requester", "team")
        .order_by("priority", "created_at")
    )
    return render(
        request,
        "home.html",
        {
            "my_teams": user.teams.all(),
            "mine": open_tickets.filter(assignee=user)[:HOME_LIST_LENGTH],
            "unassigned": open_tickets.filter(assignee__isnull=True)[:HOME_LIST_LENGTH],
        },
    )


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: whatever failed must not fail again while rendering the apology.
    return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))
