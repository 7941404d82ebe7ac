"""The landing page and the friendly error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from accounts import permissions


@login_required
def home(request):
    user = request.user
    teams = []
    if user.works_tickets:
        teams = permissions.visible(user, user.teams.all())
    return render(request, "home.html", {"my_teams": teams})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: whatever failed must not fail again while rendering the apology.
    return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))
