"""The ticket's history as staff read it: what happened, and what it changed from and to.

Every service records the old and the new value in the event (``old_value`` / ``new_value``),
as the names or labels were at the time. This module only puts them into words; it reads the
satisfaction answers and escalation handovers of the ticket in one query each, so the page
costs the same whatever the length of the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tickets.models import (
    EventKind,
    Priority,
    ResolutionCode,
    SatisfactionAnswer,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
    format_reference,
)

NOTHING = "—"


@dataclass(frozen=True)
class HistoryEntry:
    event: TicketEvent
    old: str | None = None  # shown as "old → new" when either is set
    new: str | None = None
    # Longer words that belong to the event: a CSAT comment, a handover, a resolution. (A
    # send-back's reason is part of its title, see _event_kind.html.)
    details: tuple[tuple[str, str], ...] = ()

    @property
    def shows_change(self) -> bool:
        return self.old is not None or self.new is not None


def _label(choices, value: Any) -> str:
    if value in (None, ""):
        return NOTHING
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)  # a value retired since the event was recorded


def _name(value: Any, empty: str = NOTHING) -> str:
    """A related object as ``describe`` kept it: ``{"id": 1, "name": "Network"}``."""
    if isinstance(value, dict):
        return str(value.get("name") or empty)
    return empty if value in (None, "") else str(value)


def _tags(value: Any) -> str:
    return ", ".join(value) if value else NOTHING


def _priority(value: Any) -> str:
    return _label(Priority, value.get("priority")) if isinstance(value, dict) else NOTHING


def _entry(event: TicketEvent, answers: dict[int, SatisfactionAnswer], handovers: dict[int, Any]) -> HistoryEntry:
    old, new = event.old_value, event.new_value
    match event.kind:
        case EventKind.STATUS_CHANGED:
            return HistoryEntry(event, _label(Status, old), _label(Status, new))
        case EventKind.ASSIGNED:
            return HistoryEntry(event, _name(old, _("Nobody")), _name(new, _("Nobody")))
        case EventKind.TEAM_CHANGED | EventKind.CATEGORY_CHANGED | EventKind.SLA_POLICY_CHANGED:
            return HistoryEntry(event, _name(old), _name(new))
        case EventKind.TYPE_CHANGED:
            return HistoryEntry(event, _label(TicketType, old), _label(TicketType, new))
        case EventKind.COMPLEXITY_CHANGED:
            return HistoryEntry(event, _name(old), _name(new))
        case EventKind.TAGS_CHANGED:
            return HistoryEntry(event, _tags(old), _tags(new))
        case EventKind.PRIORITY_CHANGED:
            reason = (new or {}).get("reason") if isinstance(new, dict) else ""
            details = ((_("Reason"), reason),) if reason else ()
            return HistoryEntry(event, _priority(old), _priority(new), details)
        case EventKind.RESOLVED if isinstance(new, dict):
            return HistoryEntry(
                event,
                details=(
                    (_("Resolution code"), _label(ResolutionCode, new.get("code"))),
                    (_("Resolution summary"), new.get("summary") or ""),
                ),
            )
        case EventKind.SATISFACTION if isinstance(new, dict):
            answer = answers.get(new.get("resolution_event"))
            details = [(_("Score"), _("%(score)s out of 5") % {"score": new.get("score")})]
            if answer is not None and answer.comment:
                details.append((_("Comment"), answer.comment))
            return HistoryEntry(event, details=tuple(details))
        case EventKind.ESCALATED if isinstance(new, dict) and not new.get("sent_back"):
            handover = handovers.get(new.get("escalation"))
            target = _name(new.get("vendor"), "") or _name(new.get("team"))
            from_team = _name((old or {}).get("team")) if isinstance(old, dict) else NOTHING
            details = ()
            if handover is not None:
                details = (
                    (_("Symptoms"), handover.symptoms),
                    (_("What was tried"), handover.tried),
                    (_("Diagnostics"), handover.diagnostics),
                )
            return HistoryEntry(event, from_team, target, details)
        case EventKind.MERGED if isinstance(new, dict):
            if "into" in new:
                return HistoryEntry(event, details=((_("Merged into"), format_reference(new["into"])),))
            merged = ", ".join(format_reference(number) for number in new.get("from", []))
            return HistoryEntry(event, details=((_("Merged from"), merged),))
    return HistoryEntry(event)


def ticket_history(ticket: Ticket) -> list[HistoryEntry]:
    """The ticket's events, oldest first, each with what it changed."""
    events = list(ticket.events.select_related("actor").order_by("created_at", "id"))
    kinds = {event.kind for event in events}
    answers = {}
    if EventKind.SATISFACTION in kinds:
        answers = {answer.resolution_event_id: answer for answer in SatisfactionAnswer.objects.filter(ticket=ticket)}
    handovers = {}
    if EventKind.ESCALATED in kinds:
        # Through the reverse relation: the escalation app sits above tickets and is not imported.
        handovers = {escalation.pk: escalation for escalation in ticket.escalations.all()}
    return [_entry(event, answers, handovers) for event in events]
