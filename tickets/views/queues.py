"""``/agent/``: the queues an agent works all day."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

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
    sort_key = request.GET.get("sort") if request.GET.get("sort") in queues.SORTS else queues.default_sort(view)
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
    counts = queues.view_counts(request.user)
    # Overdue and due soon apart, where the rows come in due order.
    due_groups = queues.due_groups(after) if view == queues.View.BREACHING and sort_key == "due" else None
    views = [(key, label, counts.get(str(key))) for key, label in queues.VIEW_LABELS.items()]
    # Filters and sort survive moving between views and pages; the cursor does not.
    kept_query = _query_without(request.GET, ("after", "view"))
    context = {
        "view": view,
        "views": views,
        "sort_key": sort_key,
        "sorts": queues.SORTS,
        "filters": filters,
        "page": result,
        "due_groups": due_groups,
        "after": after,
        "kept_query": kept_query,
        "sort_form_hidden": _hidden_inputs(request.GET, leave_out=("sort", "after")),
        "show_filters": show_filters,
        "filters_query": _query_without(request.GET, ("after", "filters"), filters="1"),
        # Its own ids: the filter form on the same page has fields of the same names.
        "bulk_form": BulkActionForm(user=request.user, auto_id="bulk_%s"),
    }
    if request.htmx and request.GET.get("filters") == "1":
        return render(request, "tickets/_queue_filters.html", context)
    if request.htmx and after:
        return render(request, "tickets/_queue_rows.html", context)
    return render(request, "tickets/queue.html", context)


def _hidden_inputs(query, *, leave_out: tuple[str, ...]) -> str:
    """``query`` as hidden form fields (escaped), but for the keys ``leave_out``."""
    return mark_safe(
        "".join(
            f'<input type="hidden" name="{escape(key)}" value="{escape(value)}">'
            for key, value in _pairs(query, leave_out)
        )
    )


def _query_without(query, leave_out: tuple[str, ...], **values: str) -> str:
    """``query`` urlencoded without the keys ``leave_out``, then ``values`` (no copy of the QueryDict)."""
    return urlencode([*_pairs(query, leave_out), *values.items()])


def _pairs(query, leave_out: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(key, value) for key, values in query.lists() if key not in leave_out for value in values]
