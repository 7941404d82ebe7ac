"""ITIL impact × urgency matrix: 1 is the widest impact / the most urgent; P1 the highest priority."""

from __future__ import annotations

from tickets.models import Impact, Priority, Urgency

MATRIX: dict[tuple[int, int], int] = {
    (Impact.ORGANISATION, Urgency.BLOCKED): Priority.P1,
    (Impact.ORGANISATION, Urgency.DEGRADED): Priority.P2,
    (Impact.ORGANISATION, Urgency.CAN_WAIT): Priority.P3,
    (Impact.GROUP, Urgency.BLOCKED): Priority.P2,
    (Impact.GROUP, Urgency.DEGRADED): Priority.P3,
    (Impact.GROUP, Urgency.CAN_WAIT): Priority.P4,
    (Impact.PERSON, Urgency.BLOCKED): Priority.P3,
    (Impact.PERSON, Urgency.DEGRADED): Priority.P4,
    (Impact.PERSON, Urgency.CAN_WAIT): Priority.P4,
}


def priority_for(impact: int, urgency: int) -> int:
    return int(MATRIX[(Impact(impact), Urgency(urgency))])
