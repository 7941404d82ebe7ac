"""``/agent/``: the queues an agent works all day."""

from __future__ import annotations

from uuid import uuid4

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from tickets import queues
from tickets.filters import QueueFilter
from tickets.forms import BulkActionForm
from tickets.permissions import prime_staff_team_ids, team_ids_cache_keys

# Query keys that move around the queue rather than filter it.
NAVIGATION_KEYS = frozenset({"view", "sort", "after"})
# The bulk bar is drawn again when this cache entry changes (templates/tickets/_bulk_bar.html).
BULK_BAR_VERSION_KEY = "queue-bulk-bar:version"
BULK_BAR_SECONDS = 60


@login_required
def agent_queue(request):
    if not request.user.works_tickets:
        raise PermissionDenied
    try:
        view = queues.View(request.GET.get("view", queues.View.MINE))
    except ValueError:
        view = queues.View.MINE
    sort_key = request.GET.get("sort") if request.GET.get("sort") in queues.SORTS else queues.DEFAULT_SORT
    # What the page reads from the cache, in one round trip: the user's teams, the sidebar
    # counts and the bulk bar's version.
    team_keys, counts_key = team_ids_cache_keys(request.user), queues.counts_cache_key(request.user)
    found = cache.get_many([*team_keys, counts_key, BULK_BAR_VERSION_KEY])
    prime_staff_team_ids(request.user, found)
    # Building the filter set copies its 14 filters and their option querysets: only when used.
    show_filters = any(key not in NAVIGATION_KEYS for key in request.GET)
    filters = QueueFilter(request.GET, queryset=queues.view_queryset(request.user, view)) if show_filters else None
    if filters is not None and filters.is_valid():
        source = filters.qs
    else:
        # The view's own WHERE written out where there is one: no ORM statement to build.
        source = queues.view_condition(request.user, view) or queues.view_queryset(request.user, view)
    after = request.GET.get("after")
    result = queues.page(source, sort_key=sort_key, cursor=after)
    counts = queues.view_counts(request.user, found.get(counts_key))
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
        "after": after,
        "kept_query": kept.urlencode(),
        "show_filters": show_filters,
        "filters_query": _with(request.GET, filters="1"),
        # Its own ids: the filter form on the same page has fields of the same names.
        # Read only when the bulk bar is drawn again (templates/tickets/_bulk_bar.html).
        "bulk_form": SimpleLazyObject(lambda: BulkActionForm(user=request.user, auto_id="bulk_%s")),
        "bulk_bar_version": found.get(BULK_BAR_VERSION_KEY) or _new_bulk_bar_version(),
    }
    if request.htmx and request.GET.get("filters") == "1":
        return render(request, "tickets/_queue_filters.html", context)
    template = "tickets/_queue_rows.html" if request.htmx and after else "tickets/queue.html"
    return render(request, template, context)


def _new_bulk_bar_version() -> str:
    """A version for the next minute; another process's, if it set one first."""
    version = uuid4().hex
    if cache.add(BULK_BAR_VERSION_KEY, version, BULK_BAR_SECONDS):
        return version
    return cache.get(BULK_BAR_VERSION_KEY) or version


def _with(query, **values: str) -> str:
    changed = query.copy()
    changed.pop("after", None)
    for key, value in values.items():
        changed[key] = value
    return changed.urlencode()
