"""``/agent/``: the queues an agent works all day."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from tickets import queues
from tickets.filters import QueueFilter
from tickets.forms import BulkActionForm

# Query keys that move around the queue rather than filter it.
NAVIGATION_KEYS = frozenset({"view", "sort", "after"})


@login_required
def agent_queue(request):
    if not request.user.works_tickets:
        raise PermissionDenied
    try:
        view = queues.View(request.GET.get("view", queues.View.MINE))
    except ValueError:
        view = queues.View.MINE
    sort_key = request.GET.get("sort") if request.GET.get("sort") in queues.SORTS else queues.DEFAULT_SORT
    queryset = queues.view_queryset(request.user, view)
    # Building the filter set copies its 14 filters and their option querysets: only when used.
    show_filters = any(key not in NAVIGATION_KEYS for key in request.GET)
    filters = QueueFilter(request.GET, queryset=queryset) if show_filters else None
    if filters is not None and filters.is_valid():
        queryset = filters.qs
    result = queues.page(queryset, sort_key=sort_key, cursor=request.GET.get("after"))
    counts = queues.view_counts(request.user)
    views = [(key, label, counts.get(str(key))) for key, label in queues.VIEW_LABELS.items()]
    # Filters and sort survive moving between views and pages; the cursor does not.
    kept = request.GET.copy()
    for key in ("after", "view"):
        kept.pop(key, None)
    context = {
        "view": view,
        "views": views,
        "sort_key": sort_key,
        "sorts": queues.SORTS,
        "filters": filters,
        "page": result,
        "kept_query": kept.urlencode(),
        "show_filters": show_filters,
        "filters_query": _with(request.GET, filters="1"),
        # Its own ids: the filter form on the same page has fields of the same names.
        # Read only when the bulk bar's cached fragment has expired (templates/tickets/_bulk_bar.html).
        "bulk_form": SimpleLazyObject(lambda: BulkActionForm(user=request.user, auto_id="bulk_%s")),
    }
    if request.htmx and request.GET.get("filters") == "1":
        return render(request, "tickets/_queue_filters.html", context)
    template = "tickets/_queue_rows.html" if request.htmx and request.GET.get("after") else "tickets/queue.html"
    return render(request, template, context)


def _with(query, **values: str) -> str:
    changed = query.copy()
    changed.pop("after", None)
    for key, value in values.items():
        changed[key] = value
    return changed.urlencode()
