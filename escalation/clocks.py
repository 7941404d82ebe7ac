"""SLA clocks on a ticket: first response and resolution, in business time, pausing as the policy says.

State on the ticket: per clock the business seconds already used (``*_used_s``) and, while the
clocks run, the moment the current stretch began (``sla_running_since``). Due and warning times
are derived from that state and stored only while a clock runs. :func:`refresh_clocks` is called
by every ticket service that can change what applies (status, priority, type, category, team,
first response, reopening), inside that service's transaction; it records pauses, resumptions and
policy changes as events, so the SLA history can be replayed (``manage.py sla_rebuild``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from escalation.business_time import (
    add_business_seconds,
    business_seconds_between,
    cached_calendar_spec,
    subtract_business_seconds,
)
from escalation.models import SlaPolicy
from escalation.policies import matching_policy
from tickets.lifecycle import ACTIVE
from tickets.models import EventKind, Status, Ticket

CLOCK_FIELDS = [
    "sla_policy",
    "sla_running_since",
    "first_response_used_s",
    "resolution_used_s",
    "first_response_due_at",
    "first_response_warn_at",
    "resolution_due_at",
    "resolution_warn_at",
    "sla_next_due_at",
]


@dataclass(frozen=True)
class Running:
    response: bool
    resolution: bool

    @property
    def any(self) -> bool:
        return self.response or self.resolution


def paused_by(policy: SlaPolicy, status: str) -> bool:
    return (status == Status.PENDING and policy.pause_on_pending) or (status == Status.ON_HOLD and policy.pause_on_hold)


def running(policy: SlaPolicy | None, status: str, first_response_at: datetime | None) -> Running:
    if policy is None or status not in ACTIVE or paused_by(policy, status):
        return Running(False, False)
    return Running(response=first_response_at is None, resolution=True)


def _was_running(ticket: Ticket) -> Running:
    return Running(ticket.first_response_due_at is not None, ticket.resolution_due_at is not None)


def _deadline(policy: SlaPolicy, since: datetime, target_minutes: int, used_s: int, share: int = 100) -> datetime:
    budget = target_minutes * 60 * share // 100
    spec = cached_calendar_spec(policy.calendar)
    if used_s > budget:
        # Already overdue: the deadline stays where it fell, so "overdue by" keeps counting.
        return subtract_business_seconds(spec, since, used_s - budget)
    return add_business_seconds(spec, since, budget - used_s)


def apply_state(ticket: Ticket, policy: SlaPolicy | None, at: datetime) -> Running:
    """Set due and warning times from the used seconds, starting a stretch at ``at`` if clocks run."""
    now_running = running(policy, ticket.status, ticket.first_response_at)
    ticket.sla_policy = policy
    ticket.sla_running_since = at if now_running.any else None
    ticket.first_response_due_at = ticket.first_response_warn_at = None
    ticket.resolution_due_at = ticket.resolution_warn_at = None
    if now_running.response:
        target = policy.first_response_minutes
        ticket.first_response_due_at = _deadline(policy, at, target, ticket.first_response_used_s)
        ticket.first_response_warn_at = _deadline(
            policy, at, target, ticket.first_response_used_s, policy.warning_percent
        )
    if now_running.resolution:
        target = policy.resolution_minutes
        ticket.resolution_due_at = _deadline(policy, at, target, ticket.resolution_used_s)
        ticket.resolution_warn_at = _deadline(policy, at, target, ticket.resolution_used_s, policy.warning_percent)
    dues = [due for due in (ticket.first_response_due_at, ticket.resolution_due_at) if due is not None]
    ticket.sla_next_due_at = min(dues, default=None)
    return now_running


def close_stretch(ticket: Ticket, at: datetime) -> None:
    """Add the business time of the stretch that ends at ``at`` to the clocks that were running."""
    if ticket.sla_running_since is None or ticket.sla_policy is None:
        return
    spent = business_seconds_between(cached_calendar_spec(ticket.sla_policy.calendar), ticket.sla_running_since, at)
    was = _was_running(ticket)
    if was.response:
        ticket.first_response_used_s += spent
    if was.resolution:
        ticket.resolution_used_s += spent
    ticket.sla_running_since = None


def refresh_clocks(ticket: Ticket, *, actor, at: datetime, record) -> list[str]:
    """Bring the clocks in line with the ticket as it now is; return the fields to save.

    ``record`` is the services' event writer (tickets.services.base.record), passed in so that
    this module does not import the services that call it.
    """
    # Whole seconds: business time is counted in whole seconds, so stretches that start and end
    # on a second add up exactly however often a clock is split (replays depend on that).
    at = at.replace(microsecond=0)
    before = _was_running(ticket)
    old_policy = ticket.sla_policy
    close_stretch(ticket, at)
    policy = matching_policy(ticket)
    if policy != old_policy:
        record(
            ticket,
            EventKind.SLA_POLICY_CHANGED,
            actor=actor,
            at=at,
            old=None if old_policy is None else {"id": old_policy.pk, "name": old_policy.name},
            new=None if policy is None else {"id": policy.pk, "name": policy.name},
        )
    after = apply_state(ticket, policy, at)
    if policy is not None and policy == old_policy and ticket.status in ACTIVE:
        # A stop caused by the first response or by resolving is not a pause.
        if before.resolution and not after.resolution:
            record(ticket, EventKind.SLA_PAUSED, actor=actor, at=at, new={"status": ticket.status})
        elif not before.resolution and after.resolution:
            record(ticket, EventKind.SLA_RESUMED, actor=actor, at=at, new={"status": ticket.status})
    return CLOCK_FIELDS
