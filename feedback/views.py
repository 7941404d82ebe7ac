"""Staff pages for feedback items: the list (and its CSV), a new item, one item, and
"record as feedback" from a ticket. Every page is for staff only; requesters get 403."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from feedback import selectors
from feedback.export import csv_lines
from feedback.forms import FeedbackItemForm, LinkTicketForm, StatusForm
from feedback.models import FeedbackItem, FeedbackStatus
from feedback.services import (
    feedback_change_status,
    feedback_link,
    feedback_raise,
    feedback_unlink,
    feedback_update,
)
from helpdesk.errors import ApplicationError
from tickets.models import Ticket
from tickets.selectors import ticket_by_reference


def _staff(request) -> User:
    if not request.user.works_tickets:
        raise PermissionDenied
    return request.user


def _item(request, pk: int) -> FeedbackItem:
    return selectors.item_for(_staff(request), pk)


def _page_number(request) -> int:
    text = request.GET.get("page", "1")
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 7 else 1


def _query(filters: selectors.ItemFilters, **changes) -> str:
    values = {"status": filters.status, "area": filters.area or "", "q": filters.q, "sort": filters.sort, **changes}
    return urlencode({key: value for key, value in values.items() if value not in ("", None)})


@login_required
@require_GET
def item_list(request):
    user = _staff(request)
    filters = selectors.ItemFilters.from_query(request.GET)
    page = selectors.items_page(user, filters, _page_number(request))
    context = {
        "page": page,
        "filters": filters,
        "statuses": FeedbackStatus.choices,
        "areas": list(selectors.active_areas()),
        "sorts": [("newest", _("Newest")), ("tickets", _("Most tickets")), ("requesters", _("Most requesters"))],
        "query": _query(filters),
        "previous_query": _query(filters, page=page.number - 1),
        "next_query": _query(filters, page=page.number + 1),
    }
    return render(request, "feedback/item_list.html", context)


@login_required
@require_GET
def item_export(request):
    """Every item the filters select (not one page), as CSV for product teams."""
    user = _staff(request)
    filters = selectors.ItemFilters.from_query(request.GET)
    rows = selectors.items_counted(user, filters)
    response = StreamingHttpResponse(csv_lines(rows.iterator(chunk_size=500)), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="feedback-items-{stamp}.csv"'
    return response


@login_required
def item_new(request):
    user = _staff(request)
    form = FeedbackItemForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            item = feedback_raise(**form.cleaned_data, acting_user=user)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Feedback item recorded."))
            return redirect("feedback:detail", item.pk)
    return render(request, "feedback/item_new.html", {"form": form}, status=400 if form.errors else 200)


def _detail_page(request, item: FeedbackItem, *, forms: dict | None = None, http_status: int = 200):
    initial = {"title": item.title, "description": item.description, "area": item.area_id}
    context = {
        "item": item,
        "linked": selectors.linked_tickets(request.user, item),
        "history": selectors.status_history(item),
        "edit_form": FeedbackItemForm(initial=initial, item=item),
        "status_form": StatusForm(initial={"status": item.status}),
        "link_form": LinkTicketForm(),
        **(forms or {}),
    }
    return render(request, "feedback/item_detail.html", context, status=http_status)


@login_required
@require_GET
def item_detail(request, pk: int):
    return _detail_page(request, _item(request, pk))


@login_required
@require_POST
def item_edit(request, pk: int):
    item = _item(request, pk)
    form = FeedbackItemForm(request.POST, item=item)
    if form.is_valid():
        try:
            feedback_update(item, **form.cleaned_data, acting_user=request.user)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Feedback item saved."))
            return redirect("feedback:detail", item.pk)
    return _detail_page(request, item, forms={"edit_form": form}, http_status=400)


@login_required
@require_POST
def item_status(request, pk: int):
    item = _item(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        feedback_change_status(item, form.cleaned_data["status"], acting_user=request.user)
        messages.success(request, _("Status set to “%(status)s”.") % {"status": item.get_status_display()})
        return redirect("feedback:detail", item.pk)
    return _detail_page(request, item, forms={"status_form": form}, http_status=400)


def _ticket_from_reference(user: User, reference: str) -> Ticket | None:
    try:
        return ticket_by_reference(user, reference)
    except Http404:
        return None


@login_required
@require_POST
def item_link(request, pk: int):
    item = _item(request, pk)
    form = LinkTicketForm(request.POST)
    if form.is_valid():
        ticket = _ticket_from_reference(request.user, form.cleaned_data["reference"])
        if ticket is None:
            form.add_error("reference", _("No ticket you can see has that reference."))
        else:
            feedback_link(item, ticket, acting_user=request.user)
            messages.success(request, _("%(reference)s linked.") % {"reference": ticket.reference})
            return redirect("feedback:detail", item.pk)
    return _detail_page(request, item, forms={"link_form": form}, http_status=400)


@login_required
@require_POST
def item_unlink(request, pk: int, reference: str):
    item = _item(request, pk)
    ticket = ticket_by_reference(request.user, reference)
    if feedback_unlink(item, ticket, acting_user=request.user):
        messages.success(request, _("%(reference)s unlinked.") % {"reference": ticket.reference})
    return redirect("feedback:detail", item.pk)


@login_required
def record_from_ticket(request, reference: str):
    """ "Record as feedback": link the ticket to an item found by search, or raise a new one from it."""
    user = _staff(request)
    ticket = ticket_by_reference(user, reference)
    form = FeedbackItemForm(initial={"title": ticket.subject})
    if request.method == "POST":
        if request.POST.get("item"):
            item = _picked_item(user, request.POST["item"])
            if item is not None:
                feedback_link(item, ticket, acting_user=user)
                messages.success(request, _("Recorded as feedback: %(title)s.") % {"title": item.title})
                return redirect("tickets:agent_ticket", ticket.reference)
            messages.error(request, _("That feedback item does not exist any more."))
        else:
            form = FeedbackItemForm(request.POST)
            if form.is_valid():
                try:
                    item = feedback_raise(**form.cleaned_data, ticket=ticket, acting_user=user)
                except ApplicationError as error:
                    form.add_service_error(error)
                else:
                    messages.success(request, _("Recorded as feedback: %(title)s.") % {"title": item.title})
                    return redirect("tickets:agent_ticket", ticket.reference)
    q = selectors.search_text(request.GET.get("q", ""))
    context = {
        "ticket": ticket,
        "q": q,
        "matches": selectors.items_matching(user, q),
        "linked_ids": set(ticket.feedback_items.values_list("id", flat=True)),
        "form": form,
    }
    http_status = 400 if request.method == "POST" else 200
    return render(request, "feedback/record.html", context, status=http_status)


def _picked_item(user: User, text: str) -> FeedbackItem | None:
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        return None
    try:
        return selectors.item_for(user, int(text))
    except Http404:
        return None
