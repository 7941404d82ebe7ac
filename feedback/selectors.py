"""Reads for the feedback pages, the CSV export and the API, narrowed to what the reader may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.permissions import visible
from feedback.models import FeedbackItem, FeedbackLink, FeedbackStatus, FeedbackStatusChange, ProductArea
from tickets.models import Ticket

PAGE_SIZE = 50
SEARCH_MAX = 200

# Sort keys of the list: most tickets, most distinct requesters, newest first. Each ends with the
# creation time and id, so the order (and the pages) never depend on how PostgreSQL breaks ties.
SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-id"),
    "tickets": ("-ticket_count", "-requester_count", "-created_at", "-id"),
    "requesters": ("-requester_count", "-ticket_count", "-created_at", "-id"),
}
DEFAULT_SORT = "newest"


def search_text(text: str) -> str:
    """Words as typed, spaces tidied, at most SEARCH_MAX characters; NUL (which PostgreSQL refuses) dropped."""
    return " ".join(text.replace("\x00", " ").split())[:SEARCH_MAX]


@dataclass(frozen=True)
class ItemFilters:
    status: str = ""
    area: int | None = None
    q: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, query) -> ItemFilters:
        """From a query string: anything not understood is left out rather than refused."""
        status = query.get("status", "")
        area = query.get("area", "")
        sort = query.get("sort", DEFAULT_SORT)
        return cls(
            status=status if status in FeedbackStatus.values else "",
            area=int(area) if area.isascii() and area.isdigit() and len(area) < 12 else None,
            q=search_text(query.get("q", "")),
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )


def items_counted(user: User, filters: ItemFilters = ItemFilters()) -> QuerySet[FeedbackItem]:
    """The items with their ticket and distinct requester counts, counted by PostgreSQL.

    Every linked ticket counts, also those in queues the reader does not work: the counts are
    the desk's figures for product teams, and they show no ticket's contents.
    """
    items = (
        visible(user, FeedbackItem.objects.all())
        .select_related("area", "raised_by")
        .annotate(
            ticket_count=Count("links", distinct=True),
            requester_count=Count("links__ticket__requester", distinct=True),
        )
    )
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.area is not None:
        items = items.filter(area_id=filters.area)
    if filters.q:
        for word in filters.q.split():
            items = items.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return items.order_by(*SORTS[filters.sort])


@dataclass(frozen=True)
class ItemPage:
    items: list[FeedbackItem]
    number: int
    has_previous: bool
    has_next: bool


def items_page(user: User, filters: ItemFilters, page: int = 1) -> ItemPage:
    """One page of the list in one query: PAGE_SIZE rows and one more to know whether a next exists.

    Offset pages, not keyset: items are typed by people, so the list stays in the hundreds, and
    the sorts by counts would need a cursor compared against aggregates (a HAVING per page).
    No total count either: that would be a second query for a figure nobody asked for.
    """
    page = max(1, page)
    start = (page - 1) * PAGE_SIZE
    rows = list(items_counted(user, filters)[start : start + PAGE_SIZE + 1])
    return ItemPage(items=rows[:PAGE_SIZE], number=page, has_previous=page > 1, has_next=len(rows) > PAGE_SIZE)


def item_for(user: User, pk: int) -> FeedbackItem:
    """The item with its counts, if ``user`` may see it; 404 otherwise."""
    item = items_counted(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


@dataclass(frozen=True)
class LinkedTickets:
    links: list[FeedbackLink]
    # Linked tickets in queues the reader does not work: counted, not shown.
    hidden: int


def linked_tickets(user: User, item: FeedbackItem) -> LinkedTickets:
    """The item's tickets the reader may see, with reference, subject, requester and status."""
    seen = visible(user, Ticket.objects.all()).values("pk")
    links = list(
        FeedbackLink.objects.filter(item=item, ticket__in=seen)
        .select_related("ticket__requester", "linked_by")
        .order_by("-created_at", "-id")
    )
    total = getattr(item, "ticket_count", None)
    if total is None:
        total = FeedbackLink.objects.filter(item=item).count()
    return LinkedTickets(links=links, hidden=max(0, total - len(links)))


def status_history(item: FeedbackItem) -> list[FeedbackStatusChange]:
    return list(item.status_changes.select_related("changed_by").order_by("-created_at", "-id"))


def active_areas() -> QuerySet[ProductArea]:
    return ProductArea.objects.filter(is_active=True).order_by("name")


def items_matching(user: User, text: str, limit: int = 20) -> list[FeedbackItem]:
    """Items to pick from when recording a ticket as feedback: open needs first, most tickets first."""
    filters = ItemFilters(q=search_text(text), sort="tickets")
    items = items_counted(user, filters).exclude(status=FeedbackStatus.DECLINED)
    return list(items[:limit])
