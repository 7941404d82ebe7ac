"""People besides the requester who follow a ticket (Cc of the first e-mail, or added by an agent).

Participants receive the ticket's public replies by e-mail and may answer by e-mail; they do not
get portal access through it (tickets/notifications.py says why). There is no event kind for
them: the row itself (``added_at``) is the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.errors import ApplicationError
from notifications.outbox import own_addresses
from tickets.models import Participant, Ticket
from tickets.services.base import lock, now_or, require_staff

# A Cc line is not a mailing list: more than this on one ticket is someone's mistake or spam.
MAX_PARTICIPANTS = 50


def normalise_address(address: str) -> str:
    """The address as stored and compared: trimmed, lower case; refuse what is not one address."""
    address = (address or "").strip().strip("<>").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ApplicationError(
            _("“%(address)s” is not a valid e-mail address.") % {"address": address[:254]},
            extra={"field": "email"},
        ) from None
    return address.lower()


@transaction.atomic
def participants_add(
    ticket: Ticket, emails: Iterable[str], *, acting_user: User | None, at: datetime | None = None
) -> list[Participant]:
    """Add these addresses as participants; return the rows created (existing ones are skipped).

    ``acting_user`` None is the system (the e-mail import); otherwise it must be staff who may
    work the ticket. The requester's own address, addresses already on the ticket and (for the
    import) the helpdesk's own addresses are skipped, case-insensitively; an agent who names one
    of the helpdesk's addresses is told so. One invalid address refuses the whole call: the
    caller (a form, or the import, which filters first) says which one.
    """
    ticket = lock(ticket)
    require_staff(acting_user, ticket)
    addresses: list[str] = []
    for email in emails:
        address = normalise_address(email)
        if address not in addresses:
            addresses.append(address)
    ours = own_addresses().intersection(addresses)
    if ours and acting_user is not None:
        raise ApplicationError(
            _("%(address)s is an address of the helpdesk itself.") % {"address": sorted(ours)[0]},
            extra={"field": "email"},
        )
    existing = {email.lower() for email in ticket.participants.values_list("email", flat=True)}
    # The helpdesk's own mailboxes (in Cc of an e-mail to several of them) are never participants:
    # the ticket's replies would come back to it as new mail.
    skip = existing | ours | ({ticket.requester.email.lower()} if ticket.requester_id else set())
    addresses = [address for address in addresses if address not in skip]
    if not addresses:
        return []
    if len(existing) + len(addresses) > MAX_PARTICIPANTS:
        raise ApplicationError(
            _("A ticket may have at most %(count)d participants.") % {"count": MAX_PARTICIPANTS},
            extra={"field": "email"},
        )
    accounts = User.objects.annotate(address=Lower("email")).filter(address__in=addresses)
    users = {user.address: user for user in accounts}
    at = now_or(at)
    return Participant.objects.bulk_create(
        [Participant(ticket=ticket, email=address, user=users.get(address), added_at=at) for address in addresses]
    )


@transaction.atomic
def participant_remove(participant: Participant, *, acting_user: User) -> None:
    """Stop a participant following the ticket: staff who may work the ticket only."""
    ticket = lock(participant.ticket)
    if acting_user is None:
        raise PermissionDenied
    require_staff(acting_user, ticket)
    Participant.objects.filter(pk=participant.pk, ticket=ticket).delete()
