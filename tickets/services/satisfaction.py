"""One-click satisfaction surveys: a signed link per resolution, one answer each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.errors import ApplicationError, ConflictError
from tickets.events import record
from tickets.models import EventKind, SatisfactionAnswer, Status, Ticket, TicketEvent
from tickets.notifications import SURVEY_SALT
from tickets.services.base import now_or

SURVEY_VALID_FOR = timedelta(days=60)


def resolution_from_token(token: str) -> TicketEvent:
    """The resolution event a survey link is for; refuse tampered or expired links."""
    try:
        payload = signing.loads(token, salt=SURVEY_SALT, max_age=SURVEY_VALID_FOR)
        return TicketEvent.objects.select_related("ticket", "actor").get(
            pk=int(payload["e"]), ticket_id=int(payload["t"]), kind=EventKind.RESOLVED
        )
    except signing.SignatureExpired as exc:
        raise ApplicationError(_("This survey link has expired.")) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError, TicketEvent.DoesNotExist) as exc:
        raise ApplicationError(_("This survey link is not valid.")) from exc


def already_answered(event: TicketEvent) -> bool:
    return SatisfactionAnswer.objects.filter(resolution_event=event).exists()


def satisfaction_answer(token: str, *, score: int, comment: str = "", at: datetime | None = None) -> SatisfactionAnswer:
    """The answer behind the signed link in the resolution e-mail."""
    return _answer(resolution_from_token(token), score=score, comment=comment, at=at)


def portal_survey(ticket: Ticket, user: User, *, at: datetime | None = None) -> PortalSurvey | None:
    """What the ticket page offers ``user`` about rating: None when there is nothing to rate.

    The requester (signed in, or through their tracking link) rates the ticket's last
    resolution while it stands (resolved, or closed after it) and the e-mail link for it would
    still be valid; a colleague who reads a shared ticket does not answer for them.
    """
    if user is None or user.pk != ticket.requester_id or ticket.status not in (Status.RESOLVED, Status.CLOSED):
        return None
    event = _last_resolution(ticket)
    if event is None:
        return None
    answer = SatisfactionAnswer.objects.filter(resolution_event=event).first()
    if answer is None and event.created_at < now_or(at) - SURVEY_VALID_FOR:
        return None
    return PortalSurvey(event, answer)


def satisfaction_answer_in_portal(
    ticket: Ticket, *, acting_user: User, score: int, comment: str = "", at: datetime | None = None
) -> SatisfactionAnswer:
    """The requester rates the ticket's last resolution from the ticket page.

    The same resolution as the e-mail link, and the same rule: one answer per resolution,
    whichever way it comes first.
    """
    survey = portal_survey(ticket, acting_user, at=at)
    if survey is None:
        raise ApplicationError(_("There is no resolution of this request to rate."))
    if survey.answer is not None:
        raise ConflictError(_("Thank you — this survey has already been answered."))
    return _answer(survey.resolution, score=score, comment=comment, at=at)


@dataclass(frozen=True)
class PortalSurvey:
    resolution: TicketEvent
    # The answer already given (by either way), or None while the requester may still rate.
    answer: SatisfactionAnswer | None


def _last_resolution(ticket: Ticket) -> TicketEvent | None:
    return (
        TicketEvent.objects.select_related("ticket", "actor")
        .filter(ticket_id=ticket.pk, kind=EventKind.RESOLVED)
        .order_by("-created_at", "-id")
        .first()
    )


def _answer(event: TicketEvent, *, score: int, comment: str, at: datetime | None) -> SatisfactionAnswer:
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ApplicationError(_("Choose a score from 1 to 5."), extra={"field": "score"})
    comment = (comment or "").strip()[:5000]
    at = now_or(at)
    try:
        with transaction.atomic():
            answer = SatisfactionAnswer.objects.create(
                ticket=event.ticket,
                resolution_event=event,
                resolved_by=event.actor,
                score=score,
                comment=comment,
                created_at=at,
            )
            record(
                event.ticket,
                EventKind.SATISFACTION,
                actor=event.ticket.requester,
                at=at,
                new={"score": score, "resolution_event": event.pk, "comment": bool(comment)},
            )
    except IntegrityError as exc:
        raise ConflictError(_("Thank you — this survey has already been answered.")) from exc
    return answer
