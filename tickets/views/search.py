"""Staff search over tickets: ``/agent/search/?q=...`` (full text, a reference or an e-mail)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from tickets.search import QUERY_MAX_CHARS, run_search

RESULTS_SHOWN = 50


@login_required
def agent_search(request):
    # Requesters follow their own few requests on /my/; the workspace search is for staff.
    if not request.user.works_tickets:
        raise PermissionDenied
    result = run_search(request.user, request.GET.get("q", ""), limit=RESULTS_SHOWN)
    context = {
        "search": result,
        "query_max": QUERY_MAX_CHARS,
        "more_than_shown": len(result.tickets) >= RESULTS_SHOWN,
    }
    return render(request, "tickets/search.html", context)
