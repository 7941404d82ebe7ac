"""Where a requester's reply to a ticket e-mail should go (the mailbox of the ticket's team), and
which addresses are the helpdesk's own.

Registered with the outbox (notifications.outbox) in MailConfig.ready: notifications and tickets
sit below mail and may not import it.
"""

from __future__ import annotations

from mail.models import Mailbox


def reply_address(ticket_id: int) -> str | None:
    """The address of the active mailbox routing to the ticket's team (the oldest one when a team
    has several), or None: the ticket has no team, or the team no mailbox."""
    return (
        Mailbox.objects.filter(active=True, team__tickets__pk=ticket_id)
        .order_by("pk")
        .values_list("address", flat=True)
        .first()
    )


def mailbox_addresses() -> set[str]:
    """Every mailbox's address, active or not: mail to any of them comes back to the helpdesk."""
    return {address.lower() for address in Mailbox.objects.values_list("address", flat=True)}
