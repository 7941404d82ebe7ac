"""Automatic escalation rules: when a trigger happens to a ticket, apply the rule's actions once.

Two doors in: the SLA scan calls :func:`run_for_sla_event` for each warning or breach it records
(inside its own transaction, in a savepoint), and the beat task ``escalation.run_rules`` calls
:func:`run_periodic_rules` every minute for the triggers that are states rather than moments
(P1 created, reopened N times, unassigned for N minutes).

Each firing is a RuleFiring row inserted with ``ON CONFLICT DO NOTHING``: only the caller whose
insert made the row applies the actions, so a rule fires once per ticket and trigger key however
often (or however concurrently) it is evaluated. The actions go through the ticket services with
``acting_user=None`` (the system), so they are recorded as ordinary ticket events; a move to
another team is an escalation, through the same door as a person's (``escalations.escalate``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team
from escalation.models import EscalationRule, RuleFiring, RuleSlaTarget, RuleTrigger, SlaEventKind
from tickets import notifications
from tickets.lifecycle import ACTIVE
from tickets.models import EventKind, Priority, Ticket, TicketEvent
from tickets.services import ticket_change_priority, ticket_set_tags
from tickets.services.base import lock
from tickets.services.escalation import escalate
from tickets.sla.models import SlaTarget

logger = logging.getLogger(__name__)

# Tickets looked at per rule and run; the rest wait for the next minute.
LIMIT = 500

PERIODIC_TRIGGERS = (RuleTrigger.P1_CREATED, RuleTrigger.REOPENED_N_TIMES, RuleTrigger.UNASSIGNED_FOR_MINUTES)


def run_for_sla_event(ticket: Ticket, target: str, kind: str) -> list[EscalationRule]:
    """The scan recorded ``kind`` (warning / breach) of the ``target`` clock: fire the matching rules.

    Returns the rules that fired now (not those that had fired for this crossing before).
    """
    trigger = RuleTrigger.SLA_WARNING if kind == SlaEventKind.WARNING else RuleTrigger.SLA_BREACH
    rules = EscalationRule.objects.filter(
        is_active=True, trigger=trigger, sla_target__in=[RuleSlaTarget.ANY, target]
    ).select_related("move_to_team")
    now = timezone.now()
    label = format_lazy("{} ({})", RuleTrigger(trigger).label, SlaTarget(target).label)
    return [rule for rule in rules if _fire(rule, ticket.pk, f"{trigger}:{target}", now, label)]


def run_periodic_rules(now: datetime | None = None, *, limit: int = LIMIT) -> int:
    """Fire the active P1 / reopened / unassigned rules on the tickets that meet them; returns how many fired."""
    now = now or timezone.now()
    fired = 0
    rules = EscalationRule.objects.filter(is_active=True, trigger__in=PERIODIC_TRIGGERS).select_related("move_to_team")
    for rule in rules:
        still_meets = _STILL_MEETS[rule.trigger]
        for ticket_id in candidates(rule, now, limit):
            if _fire(rule, ticket_id, rule.trigger, now, _label(rule), still_meets=still_meets):
                fired += 1
    return fired


def candidates(rule: EscalationRule, now: datetime, limit: int = LIMIT) -> list[int]:
    """Ids of the active tickets that meet ``rule``'s periodic trigger and have not fired it, oldest first.

    One bounded query; the partial indexes on active tickets keep it to the open work.
    """
    tickets: QuerySet[Ticket] = Ticket.objects.filter(status__in=ACTIVE).exclude(
        Exists(RuleFiring.objects.filter(rule=rule, ticket=OuterRef("pk"), trigger_key=rule.trigger))
    )
    if rule.trigger == RuleTrigger.P1_CREATED:
        # Only tickets created since the rule exists: switching a rule on does not sweep old P1s.
        tickets = tickets.filter(priority=Priority.P1, created_at__gte=rule.created_at)
    elif rule.trigger == RuleTrigger.REOPENED_N_TIMES:
        tickets = tickets.filter(reopen_count__gte=rule.threshold)
    elif rule.trigger == RuleTrigger.UNASSIGNED_FOR_MINUTES:
        last_assignment = (
            TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=EventKind.ASSIGNED)
            .order_by("-created_at", "-id")
            .values("created_at")[:1]
        )
        # Unassigned since the last assignment event (an unassignment), or since creation.
        tickets = tickets.filter(assignee__isnull=True).alias(
            unassigned_since=Coalesce(Subquery(last_assignment), "created_at")
        )
        tickets = tickets.filter(unassigned_since__lte=now - timedelta(minutes=rule.threshold))
    else:
        return []
    return list(tickets.order_by("created_at", "id").values_list("pk", flat=True)[:limit])


# Checked again under the ticket's lock: the ticket may have changed since it was selected.
_STILL_MEETS: dict[str, Callable[[EscalationRule, Ticket], bool]] = {
    RuleTrigger.P1_CREATED: lambda rule, ticket: ticket.priority == Priority.P1,
    RuleTrigger.REOPENED_N_TIMES: lambda rule, ticket: ticket.reopen_count >= rule.threshold,
    RuleTrigger.UNASSIGNED_FOR_MINUTES: lambda rule, ticket: ticket.assignee_id is None,
}


def _label(rule: EscalationRule):
    """What happened, in words, translated when the e-mail is rendered in the recipient's language."""
    if rule.trigger == RuleTrigger.REOPENED_N_TIMES:
        return format_lazy(gettext_lazy("reopened {count} times"), count=rule.threshold)
    if rule.trigger == RuleTrigger.UNASSIGNED_FOR_MINUTES:
        return format_lazy(gettext_lazy("unassigned for {count} minutes"), count=rule.threshold)
    return RuleTrigger(rule.trigger).label


def _fire(
    rule: EscalationRule,
    ticket_id: int,
    key: str,
    now: datetime,
    label,
    *,
    still_meets: Callable[[EscalationRule, Ticket], bool] | None = None,
) -> bool:
    """Record the firing and apply the actions in one savepoint; a failure is logged and undoes both.

    A failed firing is not recorded, so the next evaluation tries it again.
    """
    try:
        with transaction.atomic():
            ticket = lock(Ticket(pk=ticket_id))
            if ticket.status not in ACTIVE or (still_meets is not None and not still_meets(rule, ticket)):
                return False
            if not _insert_once(rule, ticket_id, key, now):
                return False  # fired before, or by a concurrent run
            _apply(rule, ticket, now, label)
            return True
    except Exception:
        logger.exception("Escalation rule %s failed on ticket %s (%s)", rule.pk, ticket_id, key)
        return False


def _insert_once(rule: EscalationRule, ticket_id: int, key: str, now: datetime) -> bool:
    """Insert the RuleFiring unless it exists; True only for the caller whose insert made the row."""
    table = RuleFiring._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (rule_id, ticket_id, trigger_key, fired_at)
            VALUES (%s, %s, %s, %s)
            ON CONFLICT ON CONSTRAINT rule_firing_once DO NOTHING
            RETURNING id
            """,
            [rule.pk, ticket_id, key, now],
        )
        return cursor.fetchone() is not None


def _apply(rule: EscalationRule, ticket: Ticket, now: datetime, label) -> None:
    """Move, raise, tag, then notify: the managers told are those of the team the ticket ends up in."""
    team = rule.move_to_team if rule.move_to_team_id else _team_of_tier(ticket, rule.move_to_tier)
    if team is not None and team.pk != ticket.team_id:
        # A rule that hands the ticket on is an escalation like a person's (same row, same events),
        # so the KPIs (escalation rate, FCR) count it alike.
        escalate(ticket, to_team=team, handover=_handover(rule, label), coordinator=None, at=now, rule=rule.name)
    if rule.raise_priority and ticket.priority > Priority.P1:
        # Stored on the ticket, so in the installation's language rather than the current request's.
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Raised by the escalation rule “%(name)s”.") % {"name": rule.name}
        ticket = ticket_change_priority(ticket, acting_user=None, priority=ticket.priority - 1, reason=reason, at=now)
    if rule.add_tag:
        names = list(ticket.tags.values_list("name", flat=True))
        ticket = ticket_set_tags(ticket, [*names, rule.add_tag], acting_user=None, at=now)
    if rule.notify_manager:
        notifications.rule_fired(ticket, rule.name, label)


def _handover(rule: EscalationRule, label) -> dict[str, str]:
    """The handover note of a rule's escalation: nobody wrote one, so it says which rule moved it and why."""
    # Stored on the escalation, so in the installation's language rather than the current request's.
    with translation.override(settings.LANGUAGE_CODE):
        symptoms = _("Escalation rule “%(name)s”: %(trigger)s") % {"name": rule.name, "trigger": label}
        nobody = _("Nothing recorded: an escalation rule moved the ticket, not a person.")
    return {"symptoms": symptoms, "tried": nobody, "diagnostics": nobody}


def _team_of_tier(ticket: Ticket, tier: int | None) -> Team | None:
    """The first team of ``tier`` by name; None when there is none or the ticket is already in that tier."""
    if not tier or (ticket.team_id and ticket.team.tier == tier):
        return None
    return Team.objects.filter(tier=tier).order_by("name", "id").first()
