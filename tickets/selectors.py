"""Reads for ticket pages, already narrowed to what the reader may see."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.permissions import may_view, visible
from tickets.models import Attachment, Message, Ticket, parse_reference
from tickets.permissions import requester_scope


def requester_tickets(user: User) -> QuerySet[Ticket]:
    """The requester side's list: own tickets and, where shared, the organisation's."""
    return (
        requester_scope(user, Ticket.objects.all())
        .select_related("requester", "category")
        .order_by("-last_public_activity_at", "-id")
    )


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
