"""SLA clocks on a ticket: first response and resolution, in business time, pausing as the policy says.

State on the ticket: per clock the business seconds already used (``*_used_s``) and, while the
clocks run, the moment the current stretch began (``sla_running_since``). Due and warning times
are derived from that state and stored only while a clock runs. :func:`refresh_clocks` is called
by every ticket service that can change what applies (status, priority, type, category, team,
first response, reopening), inside that service's transaction; it records pauses, resumptions and
policy changes as events, so the SLA history can be replayed (``manage.py sla_rebuild``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tickets.events import record
from tickets.lifecycle import ACTIVE
from tickets.models import EventKind, Status, Ticket
from tickets.sla.business_time import (
    add_business_seconds,
    business_seconds_between,
    cached_calendar_spec,
    subtract_business_seconds,
)
from tickets.sla.models import SlaPolicy, SlaTarget
from tickets.sla.policies import matching_policy

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


def response_pending(ticket: Ticket) -> bool:
    """The first-response target still applies: no public reply by staff, and never resolved.

    A resolution answers the requester too, so it settles the first-response target for good:
    a ticket reopened before anyone replied does not start that clock again.
    """
    return ticket.first_response_at is None and ticket.first_resolved_at is None


def running(policy: SlaPolicy | None, ticket: Ticket) -> Running:
    if policy is None or ticket.status not in ACTIVE or paused_by(policy, ticket.status):
        return Running(False, False)
    return Running(response=response_pending(ticket), resolution=True)


def clock_time(at: datetime) -> datetime:
    """Business time is counted in whole seconds: stretches start and end on a second, so they
    add up exactly however often a clock is split (replays depend on that). Events keep ``at``."""
    return at.replace(microsecond=0)


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
    now_running = running(policy, ticket)
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


def describe_policy(policy: SlaPolicy | None) -> dict | None:
    """A policy as events keep it: what applied then, whatever the policy says later."""
    if policy is None:
        return None
    return {
        "id": policy.pk,
        "name": policy.name,
        "version": policy.version,
        "first_response_minutes": policy.first_response_minutes,
        "resolution_minutes": policy.resolution_minutes,
        "calendar": policy.calendar_id,
    }


def settle_targets(
    ticket: Ticket,
    targets: Iterable[str],
    *,
    stopped_by: str,
    actor,
    at: datetime,
    missed_only: bool = False,
) -> None:
    """Record whether each of ``targets`` was met, as its clock stops for good.

    Called by the services before they change the ticket: a first public reply settles
    ``first_response``; resolving settles both; a close without resolution (a withdrawal, a
    merged duplicate) records only targets already missed (``missed_only``): a target that was
    still within its time was not failed, it was no longer asked for. Met means the business
    seconds used up to ``at`` stay within the target, so a stop after the due time is a miss
    whether or not the scan saw the breach. The event keeps the due time (None when the clock
    was paused), the seconds used and the policy as it was, so later edits change nothing.
    """
    policy = ticket.sla_policy
    if policy is None:
        return
    live = {SlaTarget.FIRST_RESPONSE: response_pending(ticket), SlaTarget.RESOLUTION: ticket.status in ACTIVE}
    due = {target: getattr(ticket, f"{target}_due_at") for target in live}
    close_stretch(ticket, clock_time(at))
    for target in targets:
        if not live[target]:
            continue
        used_s = getattr(ticket, f"{target}_used_s")
        target_minutes = getattr(policy, f"{target}_minutes")
        met = used_s <= target_minutes * 60
        if missed_only and met:
            continue
        record(
            ticket,
            EventKind.SLA_MET if met else EventKind.SLA_MISSED,
            # Whoever stopped the clock: the replying or resolving agent (or a withdrawing requester).
            actor=actor,
            at=at,
            new={
                "target": str(target),
                "met": met,
                "due_at": due[target].isoformat() if due[target] else None,
                "used_s": used_s,
                "target_minutes": target_minutes,
                "stopped_by": str(stopped_by),
                "policy": describe_policy(policy),
            },
            due_at=due[target],
        )


def refresh_clocks(ticket: Ticket, *, actor, at: datetime) -> list[str]:
    """Bring the clocks in line with the ticket as it now is; return the fields to save.

    Events are recorded at ``at`` as given (the service's one moment); the clock arithmetic
    uses :func:`clock_time`.
    """
    event_at, at = at, clock_time(at)
    before = _was_running(ticket)
    old_policy = ticket.sla_policy
    close_stretch(ticket, at)
    policy = matching_policy(ticket)
    if policy != old_policy:
        record(
            ticket,
            EventKind.SLA_POLICY_CHANGED,
            actor=actor,
            at=event_at,
            old=describe_policy(old_policy),
            new=describe_policy(policy),
        )
    after = apply_state(ticket, policy, at)
    if policy is not None and policy == old_policy and ticket.status in ACTIVE:
        # A stop caused by the first response or by resolving is not a pause.
        if before.resolution and not after.resolution:
            record(ticket, EventKind.SLA_PAUSED, actor=actor, at=event_at, new={"status": ticket.status})
        elif not before.resolution and after.resolution:
            record(ticket, EventKind.SLA_RESUMED, actor=actor, at=event_at, new={"status": ticket.status})
    return CLOCK_FIELDS
