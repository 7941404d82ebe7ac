"""Merging duplicates: one request, one conversation, in the ticket that carries on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import may_change
from helpdesk.errors import ApplicationError, ConflictError
from tickets import notifications
from tickets.events import record
from tickets.models import Attachment, EventKind, LinkKind, Message, ResolutionCode, Status, Ticket
from tickets.services.base import lock, now_or, save
from tickets.services.links import ticket_link
from tickets.sla.clocks import settle_targets
from tickets.sla.models import SlaTarget


@transaction.atomic
def ticket_merge(
    duplicates: Sequence[Ticket],
    into: Ticket,
    *,
    acting_user: User,
    at: datetime | None = None,
) -> Ticket:
    """Move the duplicates' thread into ``into``, then close each as a duplicate of it (not resolved).

    Messages and files keep their times, so the target's thread reads in the order things
    happened. Events stay where they were recorded: the facts of every ticket remain the replay
    of its own event log (``tickets/facts.py``).
    """
    if acting_user is None:
        raise ValueError("a merge is decided by a member of staff")
    duplicate_ids = sorted({ticket.pk for ticket in duplicates})
    if not duplicate_ids:
        raise ApplicationError(_("Choose at least one duplicate to merge."))
    if into.pk in duplicate_ids:
        raise ApplicationError(_("A ticket cannot be merged into itself."))

    locked = _lock_in_id_order([*duplicate_ids, into.pk])
    target = locked[into.pk]
    merged = [locked[pk] for pk in duplicate_ids]
    for ticket in (target, *merged):
        if not may_change(acting_user, ticket):
            raise PermissionDenied
    _check_mergeable(merged, target)

    at = now_or(at)
    Message.objects.filter(ticket_id__in=duplicate_ids).update(ticket=target)
    Attachment.objects.filter(ticket_id__in=duplicate_ids).update(ticket=target)
    record(target, EventKind.MERGED, actor=acting_user, at=at, new={"from": duplicate_ids})
    save(target, at)
    for duplicate in merged:
        _close_as_duplicate(duplicate, target, acting_user=acting_user, at=at)
    _refresh_search([target, *merged])
    target.refresh_from_db()
    return target


def _lock_in_id_order(ids: list[int]) -> dict[int, Ticket]:
    # Always in ascending id order: two merges over overlapping tickets queue instead of deadlocking.
    rows = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("organisation", "requester")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    found = {ticket.pk: ticket for ticket in rows}
    if len(found) != len(set(ids)):
        raise ApplicationError(_("One of these tickets no longer exists."))
    return found


def _check_mergeable(duplicates: list[Ticket], target: Ticket) -> None:
    if target.status == Status.CLOSED:
        raise ConflictError(
            _("%(reference)s is closed; closed tickets are final, so nothing can be merged into it.")
            % {"reference": target.reference}
        )
    for duplicate in duplicates:
        if duplicate.status == Status.CLOSED:
            raise ConflictError(
                _("%(reference)s is closed; closed tickets are final and cannot be merged.")
                % {"reference": duplicate.reference}
            )
        if duplicate.status == Status.RESOLVED:
            # Its resolution stands (survey, reopen window); closing it as a duplicate would bury that.
            raise ConflictError(
                _("%(reference)s is already resolved; only tickets still being worked can be merged as duplicates.")
                % {"reference": duplicate.reference}
            )
        if not _same_requester_side(duplicate, target):
            raise ApplicationError(
                _(
                    "%(duplicate)s and %(target)s were raised by different people who cannot see each other's "
                    "requests; merging would show one of them the other's conversation. Link them as related instead."
                )
                % {"duplicate": duplicate.reference, "target": target.reference}
            )


def _same_requester_side(duplicate: Ticket, target: Ticket) -> bool:
    """May the duplicate's requester read the target, and the target's requester side the moved thread?"""
    if not (duplicate.requester_verified and target.requester_verified):
        # A guest who typed an account's address is not that account until the link is opened.
        return False
    if duplicate.requester_id == target.requester_id:
        return True
    # Colleagues see each other's tickets shared with their organisation already; they sign in to
    # do so, which a guest (no password) cannot. Both must be shared: the duplicate's requester
    # reads the target from now on, and the target's side reads the duplicate's moved thread.
    return (
        duplicate.organisation_id is not None
        and duplicate.organisation_id == target.organisation_id
        and duplicate.shared_with_organisation
        and target.shared_with_organisation
        and duplicate.requester.has_usable_password()
    )


def _close_as_duplicate(duplicate: Ticket, target: Ticket, *, acting_user: User, at: datetime) -> None:
    """Close the duplicate as a duplicate of ``target``: closed, never resolved.

    Nothing was solved on the duplicate, so no ``resolved`` event: resolution counts, times and
    surveys leave it out, and only targets it had already missed are settled. Closing an active
    ticket is otherwise a requester's withdrawal (tickets/lifecycle.py); the lifecycle table is
    not widened for staff because this move is only right here, for a ticket that
    ``_check_mergeable`` found still being worked.
    """
    record(duplicate, EventKind.MERGED, actor=acting_user, at=at, new={"into": target.pk})
    ticket_link(duplicate, target, LinkKind.DUPLICATE_OF, acting_user=acting_user, at=at)
    duplicate = lock(duplicate)  # the link saved a newer version
    old = duplicate.status
    record(
        duplicate,
        EventKind.CLOSED,
        actor=acting_user,
        at=at,
        old=old,
        new={"withdrawn": False, "automatic": False, "duplicate_of": target.pk},
    )
    settle_targets(
        duplicate,
        SlaTarget.values,
        stopped_by=EventKind.MERGED,
        actor=acting_user,
        at=at,
        missed_only=True,
    )
    duplicate.status = Status.CLOSED
    duplicate.closed_at = at
    duplicate.resolution_code = ResolutionCode.DUPLICATE
    # The reference only: staff who may see the duplicate but not the target must not read its subject.
    summary = _("This request is the same as %(reference)s; we carry on there.")
    duplicate.resolution_summary = summary % {"reference": target.reference}
    save(duplicate, at, "status", "closed_at", "resolution_code", "resolution_summary")
    # The one e-mail says it all in plain words: no "resolved" or "closed" e-mail, no survey.
    notifications.merged(duplicate, target)


def _refresh_search(tickets: list[Ticket]) -> None:
    # tickets/search.py comes with the search work; until it exists there is nothing to refresh.
    try:
        from tickets.search import refresh_search_vector
    except ImportError:
        return
    # The target gained the duplicates' replies and notes; the duplicates lost them.
    for ticket in tickets:
        refresh_search_vector(ticket.pk)
