"""Rebuild a ticket's SLA clocks from its event log, and compare with what is stored.

The replay walks the events in order and refreshes the clocks at the same moments the services
do (creation, status moves, first response, classification changes, policy changes), using the
policy each SLA_POLICY_CHANGED event names with that policy's current targets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tickets.models import EventKind, Status, Ticket
from tickets.sla.clocks import CLOCK_FIELDS, apply_state, clock_time, close_stretch
from tickets.sla.models import SlaPolicy

# Events after which the services refresh the clocks (their save() includes a clock input).
REFRESHING = {
    EventKind.CREATED,
    EventKind.STATUS_CHANGED,
    EventKind.RESOLVED,
    EventKind.REOPENED,
    EventKind.CLOSED,
    EventKind.PRIORITY_CHANGED,
    EventKind.TYPE_CHANGED,
    EventKind.CATEGORY_CHANGED,
    EventKind.TEAM_CHANGED,
    EventKind.SLA_POLICY_CHANGED,
}
COMPARED = [field for field in CLOCK_FIELDS if field != "sla_policy"] + ["sla_policy_id"]


@dataclass(frozen=True)
class Difference:
    ticket: Ticket
    fields: dict[str, tuple]  # field: (stored, rebuilt)


def rebuilt_clocks(ticket: Ticket, policies: dict[int, SlaPolicy]) -> Ticket:
    """A detached copy of ``ticket`` whose clock fields come from replaying its events."""
    shadow = Ticket(pk=ticket.pk, status=Status.NEW)
    policy = None
    for event in ticket.events.order_by("created_at", "id"):
        refresh = event.kind in REFRESHING
        match event.kind:
            case EventKind.STATUS_CHANGED:
                shadow.status = event.new_value
            case EventKind.RESOLVED:
                shadow.status = Status.RESOLVED
                shadow.first_resolved_at = shadow.first_resolved_at or event.created_at
            case EventKind.REOPENED:
                shadow.status = Status.OPEN
            case EventKind.CLOSED:
                shadow.status = Status.CLOSED
            case EventKind.REPLIED:
                if shadow.first_response_at is None and (event.new_value or {}).get("side") == "staff":
                    shadow.first_response_at = event.created_at
                    refresh = True
            case EventKind.SLA_POLICY_CHANGED:
                policy = policies.get((event.new_value or {}).get("id")) if event.new_value else None
        if refresh:
            at = clock_time(event.created_at)
            close_stretch(shadow, at)
            apply_state(shadow, policy, at)
    return shadow


def differences(tickets: Iterable[Ticket]) -> list[Difference]:
    policies = SlaPolicy.objects.select_related("calendar").in_bulk()
    found = []
    for ticket in tickets:
        shadow = rebuilt_clocks(ticket, policies)
        fields = {
            name: (getattr(ticket, name), getattr(shadow, name))
            for name in COMPARED
            if getattr(ticket, name) != getattr(shadow, name)
        }
        if fields:
            found.append(Difference(ticket, fields))
    return found
