"""Recalculating SLA clocks after a policy changed: a task per change, one transaction per ticket."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from helpdesk.broker import send_now
from tickets.lifecycle import ACTIVE
from tickets.models import ACTIVE_TICKETS, Ticket
from tickets.services.base import lock
from tickets.sla.business_time import business_seconds_between, cached_calendar_spec
from tickets.sla.clocks import refresh_clocks
from tickets.sla.models import BusinessCalendar, SlaPolicy

logger = logging.getLogger(__name__)
RECALCULATION_BATCH = 500


def request_recalculation(**arguments: Any) -> None:
    """Ask a worker to recalculate; with the broker down, do it here rather than leave clocks wrong.

    Runs after the commit, inside the manager's request: give up on the broker at once instead
    of waiting through kombu's connection retries.
    """
    from escalation.tasks import recalculate_policy_clocks

    try:
        send_now(recalculate_policy_clocks, **arguments)
    except Exception as exc:  # broker unreachable
        logger.warning("SLA policy change %s: broker unreachable, recalculating in-process: %s", arguments, exc)
        recalculate_policy_clocks(**arguments)  # the task's body, run here


def _tickets_affected(policy_id: int) -> Q:
    """Active tickets the policy holds now, or may take from another policy (or from none)."""
    policy = SlaPolicy.objects.filter(pk=policy_id, is_active=True).first()
    affected = Q(sla_policy_id=policy_id)
    if policy is not None:
        conditions = Q(pk__isnull=False)  # no conditions: every ticket (an empty Q() would vanish in "|")
        if policy.priorities:
            conditions &= Q(priority__in=policy.priorities)
        if policy.types:
            conditions &= Q(type__in=policy.types)
        for field, column in (("categories", "category"), ("organisations", "organisation"), ("teams", "team")):
            ids = list(getattr(policy, field).values_list("pk", flat=True))
            if ids:
                conditions &= Q(**{f"{column}_id__in": ids})
        affected |= conditions
    return ACTIVE_TICKETS & affected


def policy_recalculate_clocks(
    policy_id: int,
    *,
    acting_user: User | None = None,
    calendar_before: BusinessCalendar | None = None,
    changed_at: datetime | None = None,
) -> int:
    """Bring the clocks of the tickets a policy change may concern in line; return how many moved.

    Each ticket in its own short transaction under its row lock, as a ticket service would, so
    agents working the ticket meanwhile are never blocked for long and never overwritten. Safe
    to run twice: a ticket whose clocks come out the same is not written.
    """
    affected = _tickets_affected(policy_id)
    moved = 0
    last_id = 0
    while True:
        batch = list(
            Ticket.objects.filter(affected, pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:RECALCULATION_BATCH]
        )
        if not batch:
            return moved
        for ticket_id in batch:
            moved += _recalculate_ticket(
                ticket_id, policy_id, acting_user=acting_user, calendar_before=calendar_before, changed_at=changed_at
            )
        last_id = batch[-1]


def _outputs(ticket: Ticket) -> tuple:
    return (
        ticket.sla_policy_id,
        ticket.first_response_due_at,
        ticket.first_response_warn_at,
        ticket.resolution_due_at,
        ticket.resolution_warn_at,
    )


def _same(before: tuple, after: tuple, at: datetime) -> bool:
    """Whether the recalculation changed nothing a user or the scan can see.

    A warning or due time that had already passed and is still passed counts as unchanged:
    the clocks put a used-up budget at the moment of the refresh, and rewriting it would only
    bump the ticket's version (agents' open forms would then be refused as stale).
    """
    if before[0] != after[0]:
        return False
    for old, new in zip(before[1:], after[1:], strict=True):
        if old == new or (old is not None and new is not None and old <= at and new <= at):
            continue
        return False
    return True


def _count_stretch_in_old_calendar(
    ticket: Ticket, policy_id: int, calendar_before: BusinessCalendar | None, changed_at: datetime | None
) -> bool:
    """Count the running stretch up to the change in the calendar that applied then.

    refresh_clocks measures the open stretch in the policy's calendar as it is now; when the
    manager switched calendars, the part before the switch belongs to the old one.
    """
    since = ticket.sla_running_since
    if calendar_before is None or changed_at is None or ticket.sla_policy_id != policy_id or since is None:
        return False
    if since >= changed_at:
        return False  # the stretch began after the switch (a second run, or a ticket change meanwhile)
    spent = business_seconds_between(cached_calendar_spec(calendar_before), since, changed_at)
    if ticket.first_response_due_at is not None:
        ticket.first_response_used_s += spent
    if ticket.resolution_due_at is not None:
        ticket.resolution_used_s += spent
    ticket.sla_running_since = changed_at
    return True


@transaction.atomic
def _recalculate_ticket(
    ticket_id: int,
    policy_id: int,
    *,
    acting_user: User | None,
    calendar_before: BusinessCalendar | None,
    changed_at: datetime | None,
) -> bool:
    try:
        ticket = lock(Ticket(pk=ticket_id))
    except Ticket.DoesNotExist:
        return False
    if ticket.status not in ACTIVE:
        return False  # resolved or closed since the batch was read: its clocks have stopped
    at = timezone.now()
    before = _outputs(ticket)
    # The old calendar's share must be saved even when the due times do not show it (already
    # overdue): a later refresh would measure that stretch in the new calendar.
    counted_in_old_calendar = _count_stretch_in_old_calendar(ticket, policy_id, calendar_before, changed_at)
    fields = refresh_clocks(ticket, actor=acting_user, at=at)
    if not counted_in_old_calendar and _same(before, _outputs(ticket), at):
        return False
    ticket.updated_at = max(ticket.updated_at, at)
    ticket.version += 1
    ticket.save(update_fields=[*fields, "updated_at", "version"])
    return True
