"""The ticket lifecycle as one table: which move, by which side of the desk."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from helpdesk.errors import ConflictError
from tickets.models import Status


class Side(StrEnum):
    STAFF = "staff"
    REQUESTER = "requester"
    SYSTEM = "system"


STAFF, REQUESTER, SYSTEM = Side.STAFF, Side.REQUESTER, Side.SYSTEM
ACTIVE = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)

TRANSITIONS: dict[tuple[Status, Status], frozenset[Side]] = {
    (Status.NEW, Status.OPEN): frozenset({STAFF}),
    (Status.NEW, Status.PENDING): frozenset({STAFF}),
    (Status.NEW, Status.ON_HOLD): frozenset({STAFF}),
    (Status.OPEN, Status.PENDING): frozenset({STAFF}),
    (Status.OPEN, Status.ON_HOLD): frozenset({STAFF}),
    # A requester's reply to a pending ticket re-opens it.
    (Status.PENDING, Status.OPEN): frozenset({STAFF, REQUESTER}),
    (Status.PENDING, Status.ON_HOLD): frozenset({STAFF}),
    (Status.ON_HOLD, Status.OPEN): frozenset({STAFF}),
    (Status.ON_HOLD, Status.PENDING): frozenset({STAFF}),
    # The system resolves when a monitoring source reports its alert cleared (auto-resolve).
    **{(status, Status.RESOLVED): frozenset({STAFF, SYSTEM}) for status in ACTIVE},
    # Reopening: by staff, or by the requester's reply within the reopen window.
    (Status.RESOLVED, Status.OPEN): frozenset({STAFF, REQUESTER}),
    (Status.RESOLVED, Status.CLOSED): frozenset({STAFF, REQUESTER, SYSTEM}),
    # A requester may withdraw a request that is still being worked.
    **{(status, Status.CLOSED): frozenset({REQUESTER}) for status in ACTIVE},
}


class InvalidTransition(ConflictError):
    pass


def allowed_targets(current: str, side: Side) -> list[Status]:
    return [to for (frm, to), sides in TRANSITIONS.items() if frm == current and side in sides]


def check_transition(current: str, target: str, side: Side) -> None:
    sides = TRANSITIONS.get((Status(current), Status(target)))
    if sides is None or side not in sides:
        raise InvalidTransition(
            _("A ticket that is “%(current)s” cannot be set to “%(target)s”.")
            % {"current": Status(current).label, "target": Status(target).label},
            extra={"current": current, "target": target},
        )
