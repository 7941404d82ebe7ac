"""Reads for ticket pages, already narrowed to what the reader may see."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.permissions import may_view, visible
from knowledge.models import ArticleTicketLink
from tickets import search
from tickets.models import Attachment, LinkKind, Message, Status, Ticket, parse_reference
from tickets.permissions import requester_scope


def requester_tickets(user: User) -> QuerySet[Ticket]:
    """The requester side's list: own tickets and, where shared, the organisation's."""
    return (
        requester_scope(user, Ticket.objects.all())
        .select_related("requester", "category")
        .order_by("-last_public_activity_at", "-id")
    )


MY_TICKETS_PAGE_SIZE = 50
_MY_CURSOR = re.compile(r"([0-9]{1,18})\.([0-9]{1,12})")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RequesterPage:
    tickets: list[Ticket]
    # For the "older" link: where the next page starts, or None on the last page.
    next_cursor: str | None
    # No ticket had every word of the query: these have some of them.
    some_words: bool = False


def requester_page(
    user: User,
    *,
    status: str | None = None,
    query: str = "",
    cursor: str | None = None,
    size: int = MY_TICKETS_PAGE_SIZE,
) -> RequesterPage:
    """One page of "my requests", most recent activity first, after ``cursor``.

    Keyset pages (the cursor carries the last row's activity time and id), so every ticket is
    reachable however many there are, and a page costs the same deep in the list as at its top.
    A cursor that does not parse starts from the first page. ``status``: "open" (not yet
    resolved) or "done" (resolved or closed). ``query``: a reference, or words (tickets/search.py).
    """
    tickets = requester_tickets(user)
    if status == "open":
        tickets = tickets.exclude(status__in=[Status.RESOLVED, Status.CLOSED])
    elif status == "done":
        tickets = tickets.filter(status__in=[Status.RESOLVED, Status.CLOSED])
    some_words = False
    if query:
        matches = search.matching(tickets, user, query)
        if not matches.exists():
            # A Chinese question often carries words (无法, 一直) its ticket does not: any word then.
            matches, some_words = search.matching(tickets, user, query, any_word=True), True
        tickets = matches
    after = _decode_my_cursor(cursor) if cursor else None
    if after is not None:
        at, pk = after
        tickets = tickets.filter(Q(last_public_activity_at__lt=at) | Q(last_public_activity_at=at, pk__lt=pk))
    rows = list(tickets[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return RequesterPage(rows, _encode_my_cursor(rows[-1]) if more else None, some_words)


def _encode_my_cursor(ticket: Ticket) -> str:
    micros = (ticket.last_public_activity_at - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{ticket.pk}"


def _decode_my_cursor(cursor: str) -> tuple[datetime, int] | None:
    """``(activity time, id)`` from a cursor, or None for anything that is not one."""
    match = _MY_CURSOR.fullmatch(cursor or "")
    if match is None:
        return None
    try:
        return _EPOCH + timedelta(microseconds=int(match[1])), int(match[2])
    except OverflowError:
        return None


def ticket_by_reference(user: User, reference: str) -> Ticket:
    """The ticket behind ``HD-000123`` if ``user`` may see it; 404 either way otherwise."""
    number = parse_reference(reference)
    if number is None:
        raise Http404
    ticket = (
        visible(user, Ticket.objects.all())
        .select_related("requester", "organisation", "category", "team", "assignee", "sla_policy__calendar")
        .filter(pk=number)
        .first()
    )
    if ticket is None or not may_view(user, ticket):
        raise Http404
    return ticket


def thread(ticket: Ticket, *, include_internal: bool) -> list[Message]:
    """Messages in order with their files; internal notes are not even loaded for requesters."""
    messages = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if not include_internal:
        messages = messages.filter(is_public=True)
    return list(messages)


def request_attachments(ticket: Ticket) -> list[Attachment]:
    """Files sent with the request itself."""
    return list(ticket.attachments.filter(message__isnull=True).order_by("id"))


OTHER_TICKETS_SHOWN = 10

INVERSE_LINK_LABELS = {
    LinkKind.DUPLICATE_OF: gettext_lazy("has duplicate"),
    LinkKind.RELATED_TO: gettext_lazy("related to"),
    LinkKind.CAUSED_BY: gettext_lazy("causes"),
    LinkKind.FOLLOW_UP_OF: gettext_lazy("followed up by"),
}


@dataclass(frozen=True)
class ShownLink:
    label: str
    other: Ticket


def ticket_links(user: User, ticket: Ticket) -> list[ShownLink]:
    """Links both ways, leaving out tickets the reader may not see (their subjects are private)."""
    seen = visible(user, Ticket.objects.all()).values("pk")
    outgoing = ticket.links_out.filter(target__in=seen).select_related("target").order_by("created_at", "id")
    incoming = ticket.links_in.filter(source__in=seen).select_related("source").order_by("created_at", "id")
    return [ShownLink(link.get_kind_display(), link.target) for link in outgoing] + [
        ShownLink(str(INVERSE_LINK_LABELS[LinkKind(link.kind)]), link.source) for link in incoming
    ]


def requester_other_tickets(user: User, ticket: Ticket) -> list[Ticket]:
    """The requester's latest other tickets that this reader may see."""
    others = visible(user, Ticket.objects.filter(requester_id=ticket.requester_id).exclude(pk=ticket.pk))
    return list(
        others.only("id", "subject", "status", "created_at").order_by("-created_at", "-id")[:OTHER_TICKETS_SHOWN]
    )


def linked_articles(ticket: Ticket) -> list[ArticleTicketLink]:
    """Knowledge-base articles used on this ticket, newest link first (the ticket page's list)."""
    links = ArticleTicketLink.objects.filter(ticket=ticket).select_related("article", "linked_by")
    return list(links.order_by("-created_at", "-id"))
