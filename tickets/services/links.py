from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require_view
from helpdesk.errors import ApplicationError
from tickets.events import record
from tickets.models import EventKind, LinkKind, Ticket, TicketLink
from tickets.services.base import lock, now_or, require_staff, save


@transaction.atomic
def ticket_link(
    source: Ticket, target: Ticket, kind: str, *, acting_user: User | None, at: datetime | None = None
) -> TicketLink:
    """Record that ``source`` is a duplicate of / related to / caused by ``target``."""
    source = lock(source)
    require_staff(acting_user, source)
    if acting_user is not None:
        require_view(acting_user, target)
    if kind not in LinkKind.values:
        raise ApplicationError(_("Unknown kind of link."), extra={"field": "kind"})
    if source.pk == target.pk:
        raise ApplicationError(_("A ticket cannot be linked to itself."))
    link, created = TicketLink.objects.get_or_create(source=source, target=target, kind=kind)
    if created:
        at = now_or(at)
        record(source, EventKind.LINKED, actor=acting_user, at=at, new={"kind": kind, "ticket": target.pk})
        save(source, at)
    return link
