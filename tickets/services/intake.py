"""Staff logging a request for someone else: a phone call, a walk-in, an e-mail forwarded by hand.

The ticket is opened by :func:`ticket_create` like any other (the requester gets the usual
acknowledgement e-mail, the created event names the agent as its actor); then the agent's
choices that the web form has no field for (assignee, tags, the status it starts in) go through
the services that make those changes on an existing ticket, in the same transaction, so each
leaves its own event and the ticket is never seen half-made.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, Team, User
from accounts.permissions import visible
from helpdesk.errors import ApplicationError
from tickets.models import Category, Channel, Status, Ticket, TicketType
from tickets.permissions import staff_team_ids
from tickets.services.assignment import ticket_assign
from tickets.services.classification import ticket_set_tags
from tickets.services.creation import default_team, guest_requester, ticket_create
from tickets.services.status import ticket_change_status, ticket_resolve

# How staff hear of a request they type in: the other channels are machines' or the portal's.
CALLER_CHANNELS = (Channel.PHONE, Channel.WALK_IN, Channel.EMAIL)
# The statuses a ticket may start in ("submit as"): on hold needs a reason nobody has yet.
START_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.RESOLVED)
START_STATUS_LABELS = {
    Status.NEW: gettext_lazy("New"),
    Status.OPEN: gettext_lazy("Open"),
    Status.PENDING: gettext_lazy("Pending on requester"),
    Status.RESOLVED: gettext_lazy("Resolved (answered on the call)"),
}
REQUESTER_MATCHES = 20


def requesters_matching(user: User, text: str, limit: int = REQUESTER_MATCHES) -> QuerySet[User]:
    """Active people ``user`` may see whose name or e-mail address contains ``text``."""
    text = " ".join((text or "").split())
    if len(text) < 2 or not user.works_tickets:
        return User.objects.none()
    people = visible(user, User.objects.filter(is_active=True))
    found = people.filter(Q(full_name__icontains=text) | Q(email__icontains=text))
    return found.select_related("organisation").order_by("full_name", "email")[:limit]


@dataclass(frozen=True)
class NewRequester:
    """Someone not yet known: found by this address after all, or made a requester without a password."""

    email: str
    name: str


@transaction.atomic
def ticket_create_for_requester(
    *,
    requester: User | NewRequester,
    subject: str,
    description: str,
    channel: str,
    acting_user: User,
    category: Category | None = None,
    type: str = TicketType.INCIDENT,
    impact: int,
    urgency: int,
    team: Team | None = None,
    assignee: User | None = None,
    tags: list[str] | None = None,
    status: str = Status.NEW,
    resolution_code: str = "",
    resolution_summary: str = "",
    attachments: list | None = None,
) -> Ticket:
    """Open a ticket on behalf of ``requester``, as ``acting_user`` (staff only), and set it up.

    Assigning someone makes a new ticket open (as it does on any ticket). Assignee, tags and a
    status other than new are changes to the ticket, so they need a ticket the agent works:
    one of their teams' (an admin: any).
    """
    if not acting_user.works_tickets:
        raise PermissionDenied
    if channel not in CALLER_CHANNELS:
        raise ApplicationError(_("Choose how the request reached you."), extra={"field": "channel"})
    if status not in START_STATUSES:
        raise ApplicationError(_("Choose the status the ticket starts in."), extra={"field": "status"})
    if isinstance(requester, NewRequester):
        requester = guest_requester(
            name=requester.name, email=requester.email, language=translation.get_language() or "en"
        )
    elif not visible(acting_user, User.objects.filter(pk=requester.pk, is_active=True)).exists():
        raise ApplicationError(_("Choose the requester from the list."), extra={"field": "requester"})
    team = team or default_team()
    works_team = acting_user.has_role(Role.ADMIN) or (team is not None and team.pk in staff_team_ids(acting_user))
    if (assignee or tags or status != Status.NEW) and not works_team:
        raise ApplicationError(
            _("Assignee, tags and status can be set only on tickets of your own teams; leave them empty."),
            extra={"field": "team"},
        )
    ticket = ticket_create(
        requester=requester,
        subject=subject,
        description=description,
        acting_user=acting_user,
        category=category,
        impact=impact,
        urgency=urgency,
        type=type,
        channel=channel,
        team=team,
        attachments=attachments,
    )
    if tags:
        ticket = ticket_set_tags(ticket, tags, acting_user=acting_user)
    if assignee is not None:
        ticket = ticket_assign(ticket, assignee, acting_user=acting_user)
    if status == Status.RESOLVED:
        ticket = ticket_resolve(ticket, code=resolution_code, summary=resolution_summary, acting_user=acting_user)
    elif status != Status.NEW and status != ticket.status:
        ticket = ticket_change_status(ticket, status, acting_user=acting_user)
    return ticket
