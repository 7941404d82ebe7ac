"""Ticket e-mails, queued in the outbox inside the change's transaction (spec §3)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from accounts.models import User
from notifications.outbox import AUTO_GENERATED, AUTO_REPLIED, is_silenced, queue_email
from notifications.suppression import failing_among
from tickets.models import Channel, Message, Ticket, TicketEvent

SURVEY_SALT = "tickets.satisfaction"


def requester_url(ticket: Ticket) -> str:
    """Guests (no password) follow their private tracking link; account holders sign in.

    A guest's request in an account's name is not in the account's lists until the tracking
    link is opened, so that is the link its owner gets until then.
    """
    if private_link(ticket):
        path = reverse("tickets:track", args=[ticket.access_token])
    else:
        path = reverse("tickets:my_ticket", args=[ticket.reference])
    return f"{settings.SITE_URL}{path}"


def private_link(ticket: Ticket) -> bool:
    """The requester's link is the tracking link: whoever holds it reads and answers the request."""
    return not (ticket.requester_verified and ticket.requester.has_usable_password())


def survey_token(event: TicketEvent) -> str:
    return signing.dumps({"t": event.ticket_id, "e": event.pk}, salt=SURVEY_SALT, compress=True)


def survey_urls(event: TicketEvent) -> list[tuple[int, str]]:
    base = settings.SITE_URL + reverse("tickets:survey", args=[survey_token(event)])
    return [(score, f"{base}?score={score}") for score in range(5, 0, -1)]


def _to_requester(
    ticket: Ticket,
    kind: str,
    template: str,
    *,
    starts_thread: bool = False,
    auto_submitted: str | None = AUTO_GENERATED,
    **context,
) -> None:
    if is_silenced():
        return  # nothing would be queued: skip building the links
    requester = ticket.requester
    queue_email(
        kind=kind,
        to=requester.email,
        language=requester.language,
        template=template,
        context={
            "ticket": ticket,
            "recipient": requester,
            "link": requester_url(ticket),
            "private_link": private_link(ticket),
            **context,
        },
        ticket_id=ticket.pk,
        starts_thread=starts_thread,
        auto_submitted=auto_submitted,
    )


def _to_participants(
    ticket: Ticket, kind: str, template: str, *, auto_submitted: str | None = AUTO_GENERATED, **context
) -> None:
    """The people in Cc (tickets.models.Participant), each in their own language if they have an
    account, else in the requester's; never an address marked failing (a bounce).

    No link: the requester's link may be the private tracking link, which lets whoever holds it
    read and answer the whole request as the requester (survey included), and a participant's
    address is only what someone put in Cc. So a participant's e-mail carries the text itself and
    they answer by replying to it; the e-mail import checks the sender against the participants.
    """
    if is_silenced():
        return  # no e-mail would be queued; the participants need not be read
    participants = list(ticket.participants.select_related("user"))
    if not participants:
        return
    failing = failing_among(participant.email for participant in participants)
    for participant in participants:
        if participant.email.lower() in failing:
            continue
        account = participant.user if participant.user is not None and participant.user.is_active else None
        queue_email(
            kind=kind,
            to=participant.email,
            language=account.language if account is not None else ticket.requester.language,
            template=template,
            context={"ticket": ticket, "recipient": account, **context},
            ticket_id=ticket.pk,
            auto_submitted=auto_submitted,
        )


def _to_staff(ticket: Ticket, recipients: list[User], kind: str, template: str, **context) -> None:
    if is_silenced():
        return  # nothing would be queued: skip building the link
    link = settings.SITE_URL + reverse("tickets:agent_ticket", args=[ticket.reference])
    for person in recipients:
        queue_email(
            kind=kind,
            to=person.email,
            language=person.language,
            template=template,
            context={"ticket": ticket, "recipient": person, "link": link, **context},
            ticket_id=ticket.pk,
        )


def ticket_created(ticket: Ticket) -> None:
    # The acknowledgement of an e-mail answers that message (RFC 3834 "auto-replied"); of a form,
    # it is a notification like the others.
    auto_submitted = AUTO_REPLIED if ticket.channel == Channel.EMAIL else AUTO_GENERATED
    _to_requester(ticket, "ticket_created", "ticket_created", starts_thread=True, auto_submitted=auto_submitted)


def public_reply(ticket: Ticket, message: Message) -> None:
    """An agent's words: no Auto-Submitted, so that the requester's mail client treats it as mail
    from a person (and an out-of-office may answer it, which the import then ignores)."""
    _to_requester(ticket, "public_reply", "public_reply", auto_submitted=None, message=message)
    _to_participants(ticket, "participant_reply", "participant_reply", auto_submitted=None, message=message)


def status_changed(ticket: Ticket, old: str, new: str) -> None:
    _to_requester(ticket, "status_changed", "status_changed", old=old, new=new)


def resolved(ticket: Ticket, event: TicketEvent) -> None:
    if is_silenced():
        return  # nothing would be queued: skip signing the survey links
    _to_requester(
        ticket, "resolved", "resolved", survey=survey_urls(event), reopen_days=settings.TICKET_REOPEN_WINDOW_DAYS
    )
    _to_participants(ticket, "participant_resolved", "participant_resolved")


def follow_up_opened(ticket: Ticket, original: Ticket) -> None:
    _to_requester(ticket, "follow_up", "follow_up", original=original)


def assigned(ticket: Ticket, assignee: User, actor: User | None) -> None:
    if actor is not None and actor.pk == assignee.pk:
        return  # taking a ticket yourself needs no e-mail
    _to_staff(ticket, [assignee], "assigned", "assigned", actor=actor)


def requester_replied(ticket: Ticket, message: Message) -> None:
    if is_silenced():
        return  # no e-mail would be queued; the team's members need not be read
    if ticket.assignee_id:
        recipients = [ticket.assignee]
    elif ticket.team_id:
        recipients = list(ticket.team.members.filter(is_active=True))
    else:
        recipients = []
    _to_staff(ticket, recipients, "requester_reply", "requester_reply", message=message)
    if message.author_id is not None and message.author_id != ticket.requester_id:
        # A colleague answered on a shared request: its owner hears of it.
        _to_requester(ticket, "colleague_reply", "colleague_reply", auto_submitted=None, message=message)


def merged(duplicate: Ticket, target: Ticket) -> None:
    """Tell the duplicate's requester that their request goes on in ``target``."""
    if duplicate.requester_id == target.requester_id:
        link = requester_url(target)
    else:
        # A colleague where the organisation shares tickets: they sign in to read it. Never hand
        # them the other requester's private tracking link.
        link = settings.SITE_URL + reverse("tickets:my_ticket", args=[target.reference])
    _to_requester(duplicate, "merged", "merged", target=target, link=link)


# --- SLA warnings and breaches, sent by the scan (escalation/scan.py) ------------------------


def _active_once(people: list[User]) -> list[User]:
    """Each active person once, in order (an assignee may also manage the team)."""
    unique: dict[int, User] = {}
    for person in people:
        if person.is_active:
            unique.setdefault(person.pk, person)
    return list(unique.values())


def sla_warning(ticket: Ticket, target: str) -> None:
    """``target`` ("first_response" or "resolution") is close to due: tell whoever works the ticket.

    The assignee, or while nobody has it the team's members.
    """
    if ticket.assignee_id:
        recipients = [ticket.assignee]
    elif ticket.team_id:
        recipients = list(ticket.team.members.all())
    else:
        recipients = []
    due_at = getattr(ticket, f"{target}_due_at")
    _to_staff(ticket, _active_once(recipients), "sla_warning", "sla_warning", target=target, due_at=due_at)


def sla_breach(ticket: Ticket, target: str) -> None:
    """``target`` is overdue: the assignee and the team's managers."""
    recipients = [ticket.assignee] if ticket.assignee_id else []
    if ticket.team_id:
        recipients += list(ticket.team.managers.all())
    due_at = getattr(ticket, f"{target}_due_at")
    _to_staff(ticket, _active_once(recipients), "sla_breach", "sla_breach", target=target, due_at=due_at)


# --- Escalation rules (escalation/rules.py) --------------------------------------------------


def rule_fired(ticket: Ticket, rule_name: str, trigger: str) -> None:
    """An escalation rule with "notify manager" fired: tell the managers of the ticket's team.

    ``trigger`` is the label of what happened, already in words ("SLA breach (resolution)").
    """
    recipients = list(ticket.team.managers.all()) if ticket.team_id else []
    _to_staff(ticket, _active_once(recipients), "rule_fired", "rule_fired", rule_name=rule_name, trigger=trigger)


# --- Manual escalation (tickets/services/escalation.py) --------------------------------------------


def escalated(ticket: Ticket, escalation) -> None:
    """Tell the requester in plain words: specialists or the named vendor now work on it."""
    _to_requester(ticket, "escalated", "escalated", vendor=escalation.vendor)


def escalation_sent_back(ticket: Ticket, escalation, actor: User | None) -> None:
    """Tell the coordinator that the receiving team returned the ticket, and why.

    A rule's escalation has no coordinator: the managers of the team it returns to hear instead,
    or the send-back would go unnoticed until someone looks at the queue.
    """
    if escalation.escalated_by_id:
        recipients = [escalation.escalated_by]
    elif escalation.from_team_id:
        recipients = list(escalation.from_team.managers.all())
    else:
        recipients = []
    _to_staff(
        ticket,
        _active_once(recipients),
        "escalated_sent_back",
        "escalated_sent_back",
        escalation=escalation,
        actor=actor,
    )
