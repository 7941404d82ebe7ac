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
from notifications.models import OutboxEmail
from tickets import notifications
from tickets.models import Attachment, EventKind, LinkKind, Message, ResolutionCode, Status, Ticket
from tickets.services.base import now_or, record, save
from tickets.services.links import ticket_link
from tickets.services.status import ticket_close, ticket_resolve

# The generic e-mails that resolving and closing a duplicate would send; the one "merged" e-mail
# says all of it in plain words (and a survey about a duplicate would only add noise to CSAT).
SUPERSEDED_EMAILS = ("resolved", "status_changed")


@transaction.atomic
def ticket_merge(
    duplicates: Sequence[Ticket],
    into: Ticket,
    *,
    acting_user: User,
    at: datetime | None = None,
) -> Ticket:
    """Move the duplicates' thread into ``into``, then resolve and close each as a duplicate of it.

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
            # Resolving it again as a duplicate would count a second resolution for nothing.
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
    if duplicate.requester_id == target.requester_id:
        return True
    # Colleagues in an organisation that shares tickets see each other's already; they sign in to
    # do so, which a guest (no password) cannot.
    return (
        duplicate.organisation_id is not None
        and duplicate.organisation_id == target.organisation_id
        and duplicate.organisation.shares_tickets
        and duplicate.requester.has_usable_password()
    )


def _close_as_duplicate(duplicate: Ticket, target: Ticket, *, acting_user: User, at: datetime) -> None:
    record(duplicate, EventKind.MERGED, actor=acting_user, at=at, new={"into": target.pk})
    ticket_link(duplicate, target, LinkKind.DUPLICATE_OF, acting_user=acting_user, at=at)
    # Through the lifecycle services, so the facts (resolved_at, closed_at ...) and anything hooked
    # to resolving or closing (SLA clocks) behave as for any other ticket.
    watermark = OutboxEmail.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ticket_resolve(
        duplicate,
        code=ResolutionCode.DUPLICATE,
        summary=_("This request is the same as %(reference)s (“%(subject)s”); we carry on there.")
        % {"reference": target.reference, "subject": target.subject},
        acting_user=acting_user,
        at=at,
    )
    ticket_close(duplicate, acting_user=None, at=at)
    # Those e-mails were written in this transaction and were never visible to a worker; while
    # we hold the duplicate's lock nobody else can queue one about it.
    OutboxEmail.objects.filter(id__gt=watermark, ticket_id=duplicate.pk, kind__in=SUPERSEDED_EMAILS).delete()
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
