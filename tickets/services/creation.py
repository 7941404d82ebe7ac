"""Opening tickets: by a signed-in requester, a guest, or staff on someone's behalf."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, Team, User
from helpdesk.errors import ApplicationError
from helpdesk.markdown import render_markdown
from tickets import notifications, search
from tickets.attachments import check_uploads
from tickets.events import record
from tickets.models import Category, Channel, EventKind, Impact, Ticket, TicketType, Urgency
from tickets.priority import priority_for
from tickets.services.base import describe, now_or
from tickets.services.messages import store_attachments
from tickets.sla.clocks import refresh_clocks

SUBJECT_MAX = 200
BODY_MAX = 50_000


def clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise ApplicationError(_("Please give the request a subject."), extra={"field": "subject"})
    if len(subject) > SUBJECT_MAX:
        raise ApplicationError(
            _("The subject can be at most %(max)d characters long.") % {"max": SUBJECT_MAX},
            extra={"field": "subject"},
        )
    return subject


def clean_body(body: str, field: str = "description") -> str:
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("Please write a message."), extra={"field": field})
    if len(body) > BODY_MAX:
        raise ApplicationError(
            _("The text can be at most %(max)d characters long.") % {"max": BODY_MAX}, extra={"field": field}
        )
    return body


def default_team() -> Team | None:
    """New requests land in the first tier-1 team (the service desk) unless routed elsewhere."""
    return Team.objects.filter(tier=Team.Tier.SERVICE_DESK).order_by("id").first()


def clean_guest(*, name: str, email: str) -> tuple[str, str]:
    """The name and address a guest typed, tidied: ``(name, email)``."""
    email = BaseUserManager.normalize_email(email or "").strip().lower()
    name = " ".join((name or "").split())[:200]
    if not email or "@" not in email:
        raise ApplicationError(_("Please give a valid e-mail address."), extra={"field": "email"})
    if not name:
        raise ApplicationError(_("Please tell us your name."), extra={"field": "name"})
    return name, email


def guest_requester(*, name: str, email: str, language: str) -> User:
    """The requester behind a guest submission: found by e-mail, or created without a password."""
    name, email = clean_guest(name=name, email=email)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing
    domain = email.rsplit("@", 1)[1]
    organisation = Organisation.objects.filter(domain__iexact=domain).first()
    user = User(email=email, full_name=name, role=Role.REQUESTER, language=language, organisation=organisation)
    user.set_unusable_password()
    user.save()
    return user


def signs_in(user: User) -> bool:
    """An account someone signs in to, as opposed to the record an earlier guest request left.

    Staff count whatever their password says: they may sign in by other means, and a request in
    their name is the kind a stranger would forge.
    """
    return user.role != Role.REQUESTER or user.has_usable_password()


@transaction.atomic
def ticket_create_by_guest(
    *,
    name: str,
    email: str,
    language: str,
    subject: str,
    description: str,
    category: Category | None = None,
    impact: int = Impact.PERSON,
    urgency: int = Urgency.DEGRADED,
    attachments: list | None = None,
    shared_with_organisation: bool | None = None,
    at: datetime | None = None,
    channel: str = Channel.WEB,
    team: Team | None = None,
) -> Ticket:
    """A request from someone who is not signed in and gave a name and an e-mail address.

    The web form's guests, and e-mail (``channel`` "email", ``team`` the mailbox's): a From
    header proves no more than a typed address.

    Anyone can type any address, so the address proves nothing. The ticket belongs to the
    address's user (e-mails go there: only the mailbox owner gets the tracking link), but where
    that user is an account someone signs in to, the guest does not act as them: the created
    event has no actor and names the guest, and the ticket stays out of the account's lists
    until the link is opened (:func:`ticket_verify_requester`). The record of an earlier guest
    (no password) is reached by tracking link only, as before: the guest acts as it.
    """
    name, email = clean_guest(name=name, email=email)
    requester = guest_requester(name=name, email=email, language=language)
    unverified = signs_in(requester)
    # A record matched to an organisation by the address's domain joins its shared list only once
    # the mailbox answers: anyone can type x@acme.example.
    joins_organisation = requester.organisation_id is not None
    return open_ticket(
        requester=requester,
        subject=subject,
        description=description,
        acting_user=None if unverified else requester,
        category=category,
        impact=impact,
        urgency=urgency,
        type=TicketType.INCIDENT,
        channel=channel,
        team=team,
        attachments=attachments,
        external_reference=None,
        at=at,
        guest={"email": email, "name": name} if unverified else None,
        shared_with_organisation=shared_with_organisation,
        requester_verified=not (unverified or joins_organisation),
    )


def ticket_verify_requester(ticket: Ticket) -> Ticket:
    """The requester's tracking link was opened: that proves control of their mailbox.

    From now on the ticket shows in the account's lists. Idempotent, and safe to call on every
    visit: the conditional update writes once however many requests race, and changes nothing
    an agent edits (no version bump, no event).
    """
    if not ticket.requester_verified:
        Ticket.objects.filter(pk=ticket.pk, requester_verified=False).update(requester_verified=True)
        ticket.requester_verified = True
    return ticket


@transaction.atomic
def ticket_create(
    *,
    requester: User,
    subject: str,
    description: str,
    acting_user: User | None,
    category: Category | None = None,
    impact: int = Impact.PERSON,
    urgency: int = Urgency.DEGRADED,
    type: str = TicketType.INCIDENT,
    channel: str = Channel.WEB,
    team: Team | None = None,
    attachments: list | None = None,
    external_reference: str | None = None,
    shared_with_organisation: bool | None = None,
    at: datetime | None = None,
    due_at: datetime | None = None,
) -> Ticket:
    """Open a ticket; ``acting_user`` is the requester, staff acting for them, or None (system).

    ``shared_with_organisation``: may the requester's colleagues see it? None takes the
    organisation's setting (:func:`shares_by_default`). ``due_at`` (a maintenance run's due
    time) is kept in the created event as ``due_at`` (ISO), so "done on time" reads from the log.
    """
    if acting_user is not None and acting_user.pk != requester.pk and not acting_user.works_tickets:
        raise PermissionDenied
    return open_ticket(
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
        external_reference=external_reference,
        at=at,
        shared_with_organisation=shared_with_organisation,
        due_at=due_at,
    )


def shares_by_default(requester: User) -> bool:
    """What the "share with my organisation" choice starts as: the organisation's setting."""
    organisation = requester.organisation if requester.organisation_id else None
    return bool(organisation and organisation.shares_tickets)


def open_ticket(
    *,
    requester: User,
    subject: str,
    description: str,
    acting_user: User | None,
    category: Category | None,
    impact: int,
    urgency: int,
    type: str,
    channel: str,
    team: Team | None,
    attachments: list | None,
    external_reference: str | None,
    at: datetime | None,
    guest: dict | None = None,
    shared_with_organisation: bool | None = None,
    due_at: datetime | None = None,
    requester_verified: bool | None = None,
) -> Ticket:
    """:func:`ticket_create` after its permission check; callers that checked already use it too.

    ``guest`` (``{"email", "name"}``, with ``acting_user`` None) marks a request a guest made in
    the name of an account: see :func:`ticket_create_by_guest`.
    """
    subject = clean_subject(subject)
    description = clean_body(description)
    if int(impact) not in Impact.values or int(urgency) not in Urgency.values:
        raise ApplicationError(_("Choose an impact and an urgency from the lists."))
    if type not in TicketType.values or channel not in Channel.values:
        raise ApplicationError(_("Unknown ticket type or channel."))
    checked = check_uploads(attachments or [])
    if shared_with_organisation is None:
        shared_with_organisation = shares_by_default(requester)
    shared_with_organisation = bool(shared_with_organisation and requester.organisation_id)
    at = now_or(at)
    ticket = Ticket.objects.create(
        subject=subject,
        description=description,
        description_html=render_markdown(description),
        requester=requester,
        organisation_id=requester.organisation_id,
        shared_with_organisation=shared_with_organisation,
        channel=channel,
        type=type,
        category=category,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact, urgency),
        team=team or default_team(),
        external_reference=external_reference or None,
        created_at=at,
        updated_at=at,
        last_public_activity_at=at,
        requester_verified=guest is None if requester_verified is None else requester_verified,
    )
    new = {
        "subject": subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "impact": int(impact),
        "urgency": int(urgency),
        "type": type,
        "channel": channel,
        "category": describe(category),
        "team": describe(ticket.team),
        "requester": describe(requester),
    }
    if guest is not None:
        new["guest"] = guest
    if due_at is not None:
        new["due_at"] = due_at.isoformat()
    record(ticket, EventKind.CREATED, actor=acting_user, at=at, new=new)
    # The uploader must be a user and a guest has none: their files are filed under the
    # requester account. The created event (no actor, ``guest``) tells who really sent them;
    # files with no message are the request's own.
    store_attachments(ticket, None, checked, uploaded_by=acting_user or requester, at=at)
    ticket.save(update_fields=refresh_clocks(ticket, actor=None, at=at))
    notifications.ticket_created(ticket)
    search.refresh_search_vector(ticket.pk)
    return ticket
