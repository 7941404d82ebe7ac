"""The e-mail linked requesters get when an item ships, queued in the outbox inside the change."""

from __future__ import annotations

from datetime import datetime

from feedback.models import FeedbackItem, FeedbackLink, FeedbackShippedNotice
from notifications.outbox import queue_email
from tickets.notifications import private_link, requester_url


def tell_requesters_shipped(item: FeedbackItem, *, at: datetime) -> int:
    """One e-mail per distinct requester of the linked tickets not told before; how many were queued.

    Each e-mail links the requester's first linked ticket: their tracking link for guests and
    requesters who do not sign in (as every ticket e-mail does, tickets/notifications.py). The
    notice rows remember who was told, so shipped → planned → shipped again tells nobody twice,
    while a requester linked after the first shipping is told the next time.
    """
    told = set(FeedbackShippedNotice.objects.filter(item=item).values_list("requester_id", flat=True))
    links = (
        FeedbackLink.objects.filter(item=item)
        .exclude(ticket__requester_id__in=told)
        .select_related("ticket__requester")
        .order_by("created_at", "id")
    )
    queued = 0
    for link in links:
        ticket = link.ticket
        requester = ticket.requester
        if requester.pk in told:
            continue
        told.add(requester.pk)
        FeedbackShippedNotice.objects.create(item=item, requester=requester, ticket=ticket, created_at=at)
        queue_email(
            kind="feedback_shipped",
            to=requester.email,
            language=requester.language,
            template="feedback_shipped",
            context={
                "item": item,
                "ticket": ticket,
                "recipient": requester,
                "link": requester_url(ticket),
                "private_link": private_link(ticket),
            },
            ticket_id=ticket.pk,
        )
        queued += 1
    return queued
