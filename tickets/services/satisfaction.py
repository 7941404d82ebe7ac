"""One-click satisfaction surveys: a signed link per resolution, one answer each."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from helpdesk.errors import ApplicationError, ConflictError
from tickets.events import record
from tickets.models import EventKind, SatisfactionAnswer, TicketEvent
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
    event = resolution_from_token(token)
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
