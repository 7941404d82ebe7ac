"""Priority, category, type, complexity and tags."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.errors import ApplicationError
from tickets.events import record
from tickets.models import Category, EventKind, Impact, Priority, Tag, Ticket, TicketType, Urgency, tag_slugs
from tickets.priority import priority_for
from tickets.services.base import check_version, describe, lock, now_or, require_staff, save


@transaction.atomic
def ticket_change_priority(
    ticket: Ticket,
    *,
    acting_user: User | None,
    impact: int | None = None,
    urgency: int | None = None,
    priority: int | None = None,
    reason: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Change impact/urgency (priority follows the matrix) or override the priority with a reason."""
    ticket = lock(ticket)
    require_staff(acting_user, ticket)
    check_version(ticket, expected_version)
    impact = ticket.impact if impact is None else int(impact)
    urgency = ticket.urgency if urgency is None else int(urgency)
    if impact not in Impact.values or urgency not in Urgency.values:
        raise ApplicationError(_("Choose an impact and an urgency from the lists."))
    computed = priority_for(impact, urgency)
    reason = (reason or "").strip()
    if priority is None:
        # Keep an earlier override unless impact or urgency changed underneath it.
        unchanged = (impact, urgency) == (ticket.impact, ticket.urgency)
        priority, reason = (ticket.priority, ticket.priority_reason) if unchanged else (computed, "")
    priority = int(priority)
    if priority not in Priority.values:
        raise ApplicationError(_("Choose a priority from P1 to P4."), extra={"field": "priority"})
    if priority != computed and not reason:
        raise ApplicationError(
            _("Give a reason when the priority differs from the impact × urgency matrix."), extra={"field": "reason"}
        )
    if priority == computed:
        reason = ""
    old = {"impact": ticket.impact, "urgency": ticket.urgency, "priority": ticket.priority}
    new = {"impact": impact, "urgency": urgency, "priority": priority, "reason": reason}
    if {k: new[k] for k in old} == old and reason == ticket.priority_reason:
        return ticket
    at = now_or(at)
    record(ticket, EventKind.PRIORITY_CHANGED, actor=acting_user, at=at, old=old, new=new)
    ticket.impact, ticket.urgency, ticket.priority, ticket.priority_reason = impact, urgency, priority, reason
    save(ticket, at, "impact", "urgency", "priority", "priority_reason")
    return ticket


def _change(ticket: Ticket, field: str, value, kind: EventKind, *, acting_user, expected_version, at, shown=None):
    ticket = lock(ticket)
    require_staff(acting_user, ticket)
    check_version(ticket, expected_version)
    if getattr(ticket, field) == value:
        return ticket
    at = now_or(at)
    shown = shown or (lambda v: v)
    record(ticket, kind, actor=acting_user, at=at, old=shown(getattr(ticket, field)), new=shown(value))
    setattr(ticket, field, value)
    save(ticket, at, field)
    return ticket


@transaction.atomic
def ticket_change_category(
    ticket: Ticket, category: Category | None, *, acting_user: User | None, expected_version=None, at=None
) -> Ticket:
    return _change(
        ticket,
        "category",
        category,
        EventKind.CATEGORY_CHANGED,
        acting_user=acting_user,
        expected_version=expected_version,
        at=at,
        shown=describe,
    )


@transaction.atomic
def ticket_change_type(ticket: Ticket, type: str, *, acting_user: User | None, expected_version=None, at=None):
    if type not in TicketType.values:
        raise ApplicationError(_("Unknown ticket type."), extra={"field": "type"})
    return _change(
        ticket, "type", type, EventKind.TYPE_CHANGED, acting_user=acting_user, expected_version=expected_version, at=at
    )


@transaction.atomic
def ticket_change_complexity(
    ticket: Ticket, complexity: int | None, *, acting_user: User | None, expected_version=None, at=None
) -> Ticket:
    if complexity is not None and not 1 <= int(complexity) <= 5:
        raise ApplicationError(_("Complexity goes from 1 to 5."), extra={"field": "complexity"})
    return _change(
        ticket,
        "complexity",
        None if complexity is None else int(complexity),
        EventKind.COMPLEXITY_CHANGED,
        acting_user=acting_user,
        expected_version=expected_version,
        at=at,
    )


@transaction.atomic
def ticket_set_tags(ticket: Ticket, names: list[str], *, acting_user: User | None, at=None) -> Ticket:
    ticket = lock(ticket)
    require_staff(acting_user, ticket)
    wanted = tag_slugs(names)
    current = sorted(ticket.tags.values_list("name", flat=True))
    if wanted == current:
        return ticket
    at = now_or(at)
    tags = [Tag.objects.get_or_create(name=name)[0] for name in wanted]
    record(ticket, EventKind.TAGS_CHANGED, actor=acting_user, at=at, old=current, new=wanted)
    ticket.tags.set(tags)
    save(ticket, at)
    return ticket
