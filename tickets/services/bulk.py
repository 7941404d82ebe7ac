"""Bulk actions from the agent workspace: one selection, each ticket through its own service.

Every ticket goes through the same service as a single change, in its own transaction: the
permissions, events and e-mails are exactly those of doing it one ticket at a time, and a
refusal on one ticket (a permission, an invalid move) leaves the others to go through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team, User
from helpdesk.errors import ApplicationError
from tickets.models import Status, Ticket, tag_slug
from tickets.services.assignment import ticket_assign, ticket_change_team
from tickets.services.base import lock
from tickets.services.classification import ticket_set_tags
from tickets.services.merge import ticket_merge
from tickets.services.status import ticket_change_status

# Keeps one request (and the row locks it takes, one ticket at a time) short.
MAX_BULK_TICKETS = 100
BULK_STATUSES = (Status.OPEN, Status.PENDING, Status.ON_HOLD)


class BulkAction(StrEnum):
    ASSIGN = "assign"
    STATUS = "status"
    TEAM = "team"
    ADD_TAG = "add_tag"
    MERGE = "merge"

    @property
    def label(self):
        # Lazy: form choices are built at import time, and each reader has their own language.
        return BULK_ACTION_LABELS[self]


BULK_ACTION_LABELS = {
    BulkAction.ASSIGN: gettext_lazy("Assign"),
    BulkAction.STATUS: gettext_lazy("Set status"),
    BulkAction.TEAM: gettext_lazy("Move to team"),
    BulkAction.ADD_TAG: gettext_lazy("Add tag"),
    BulkAction.MERGE: gettext_lazy("Merge duplicates"),
}


@dataclass
class BulkResult:
    """References of the tickets changed, already so, and refused with the reason."""

    action: BulkAction
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    # Merge only: the ticket the duplicates went into.
    target: str | None = None


def bulk_apply(
    tickets: Sequence[Ticket],
    action: str,
    *,
    acting_user: User,
    at: datetime | None = None,
    **params: Any,
) -> BulkResult:
    """Apply ``action`` to each ticket with ``params``; see :class:`BulkAction`.

    - ``assign``: ``assignee`` (a user, ``"me"``, or None to unassign)
    - ``status``: ``status`` (open, pending, on_hold)
    - ``team``: ``team``
    - ``add_tag``: ``tag``
    - ``merge``: ``into`` (a ticket; by default the first one selected) — the others are merged into it

    Refuses the whole request (ApplicationError) only when the parameters are wrong; refusals of
    single tickets are collected in the result.
    """
    try:
        action = BulkAction(action)
    except ValueError as exc:
        raise ApplicationError(_("Unknown bulk action."), extra={"field": "action"}) from exc
    tickets = list(tickets)
    if len(tickets) > MAX_BULK_TICKETS:
        raise ApplicationError(
            _("Select at most %(max)d tickets at a time.") % {"max": MAX_BULK_TICKETS}, extra={"field": "tickets"}
        )
    if action is BulkAction.MERGE:
        return _merge(tickets, params.get("into"), acting_user=acting_user, at=at)
    change = _change_for(action, params, acting_user=acting_user, at=at)
    result = BulkResult(action=action)
    for ticket in tickets:
        try:
            with transaction.atomic():
                # Locked first so "unchanged" is judged on the row as it is, not as it was listed.
                version = lock(ticket).version
                changed = change(ticket)
        except (ApplicationError, PermissionDenied) as error:
            result.refused.append((ticket.reference, refusal_message(error)))
        else:
            (result.updated if changed.version != version else result.unchanged).append(ticket.reference)
    return result


def refusal_message(error: ApplicationError | PermissionDenied) -> str:
    if isinstance(error, ApplicationError):
        return str(error.message)
    return _("You may not change this ticket.")


def _change_for(
    action: BulkAction, params: dict[str, Any], *, acting_user: User, at: datetime | None
) -> Callable[[Ticket], Ticket]:
    """Check the parameters once, and return the single-ticket change to run for each ticket."""
    if action is BulkAction.ASSIGN:
        if "assignee" not in params:
            raise ApplicationError(_("Choose who gets the tickets."), extra={"field": "assignee"})
        assignee = acting_user if params["assignee"] == "me" else params["assignee"]
        if assignee is not None and not (isinstance(assignee, User) and assignee.works_tickets):
            raise ApplicationError(_("Tickets can only be assigned to active agents."), extra={"field": "assignee"})
        return lambda ticket: ticket_assign(ticket, assignee, acting_user=acting_user, at=at)
    if action is BulkAction.STATUS:
        status = params.get("status")
        if status not in BULK_STATUSES:
            raise ApplicationError(_("Choose open, pending or on hold."), extra={"field": "status"})
        return lambda ticket: ticket_change_status(ticket, status, acting_user=acting_user, at=at)
    if action is BulkAction.TEAM:
        team = params.get("team")
        if not isinstance(team, Team):
            raise ApplicationError(_("Choose a team."), extra={"field": "team"})
        return lambda ticket: ticket_change_team(ticket, team, acting_user=acting_user, at=at)
    if action is BulkAction.ADD_TAG:
        tag = clean_tag(params.get("tag") or "")
        return lambda ticket: _add_tag(ticket, tag, acting_user=acting_user, at=at)
    raise AssertionError(f"no single-ticket change for {action}")


def clean_tag(name: str) -> str:
    """The tag as ticket_set_tags stores it; refuse what would turn into nothing."""
    tag = tag_slug(name)
    if not tag:
        raise ApplicationError(_("Give a tag (letters, digits or dashes)."), extra={"field": "tag"})
    return tag


def _add_tag(ticket: Ticket, tag: str, *, acting_user: User, at: datetime | None) -> Ticket:
    # Called with the row locked (see bulk_apply), so the tags read here are the current ones.
    names = list(ticket.tags.values_list("name", flat=True))
    return ticket_set_tags(ticket, [*names, tag], acting_user=acting_user, at=at)


def _merge(tickets: list[Ticket], into: Ticket | None, *, acting_user: User, at: datetime | None) -> BulkResult:
    """Merge each selected ticket into ``into`` (or the first selected), one duplicate at a time."""
    target = into or (tickets[0] if tickets else None)
    duplicates = [ticket for ticket in tickets if target is None or ticket.pk != target.pk]
    if target is None or not duplicates:
        raise ApplicationError(
            _("Select the duplicates and the ticket to merge them into (at least two tickets)."),
            extra={"field": "tickets"},
        )
    result = BulkResult(action=BulkAction.MERGE, target=target.reference)
    for duplicate in duplicates:
        try:
            ticket_merge([duplicate], target, acting_user=acting_user, at=at)
        except (ApplicationError, PermissionDenied) as error:
            result.refused.append((duplicate.reference, refusal_message(error)))
        else:
            result.updated.append(duplicate.reference)
    return result
