"""Alert intake: one transaction per alert, each ticket change through the tickets services.

Who is who: the source's tickets are requested by an inactive account of its own (no sign-in,
no e-mail: requester notifications are silenced for it) and every note and auto-resolution is
made by the system (``acting_user=None``), so the event log says "system", not a person.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Role, Team, User
from helpdesk.bearer import token_digest
from helpdesk.errors import ApplicationError
from monitoring.models import Alert, AlertSource, AlertStatus, Severity
from notifications.outbox import silenced
from tickets.lifecycle import ACTIVE
from tickets.models import Channel, Impact, ResolutionCode, Status, TicketType, Urgency
from tickets.services import ticket_add_note, ticket_create, ticket_resolve

TOKEN_PREFIX = "al_"

# Severity → (impact, urgency), chosen so that the ITIL matrix gives P1, P2, P3, P4.
IMPACT_URGENCY: dict[str, tuple[int, int]] = {
    Severity.CRITICAL: (Impact.ORGANISATION, Urgency.BLOCKED),
    Severity.HIGH: (Impact.ORGANISATION, Urgency.DEGRADED),
    Severity.WARNING: (Impact.GROUP, Urgency.DEGRADED),
    Severity.INFO: (Impact.PERSON, Urgency.CAN_WAIT),
}


def source_for_token(raw: str) -> AlertSource | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    return AlertSource.objects.select_related("team").filter(token_hash=token_digest(raw)).first()


def new_token(source: AlertSource) -> str:
    """Give ``source`` a fresh token (unsaved); the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    source.token_prefix = raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8]
    source.token_hash = token_digest(raw)
    return raw


def system_requester(name: str) -> User:
    email = f"alerts-{slugify(name)[:40] or 'source'}-{secrets.token_hex(4)}@monitoring.invalid"
    user = User(email=email, full_name=_("Monitoring: %(name)s") % {"name": name}, role=Role.REQUESTER)
    user.set_unusable_password()
    user.is_active = False
    user.save()
    return user


@transaction.atomic
def alert_source_create(name: str, team: Team, *, auto_resolve: bool = False) -> tuple[AlertSource, str]:
    """A new source and its token (shown once to whoever created it)."""
    name = " ".join(name.split())
    if not name:
        raise ApplicationError(_("Give the alert source a name."), extra={"field": "name"})
    if AlertSource.objects.filter(name__iexact=name).exists():
        raise ApplicationError(_("An alert source with this name exists already."), extra={"field": "name"})
    source = AlertSource(name=name, team=team, auto_resolve=auto_resolve, requester=system_requester(name))
    raw = new_token(source)
    source.save()
    return source, raw


@dataclass(frozen=True)
class IncomingAlert:
    """One alert as validated from either payload format."""

    fingerprint: str
    status: str
    severity: str
    summary: str
    labels: dict[str, str]
    details: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    fingerprint: str
    result: str  # opened | repeated | resolved | ignored
    ticket: str | None


def team_for(source: AlertSource, labels: dict[str, str]) -> Team:
    for route in source.routes.select_related("team"):
        if labels.get(route.label) == route.value:
            return route.team
    return source.team


def alerts_receive(source: AlertSource, alerts: list[IncomingAlert], *, at: datetime | None = None) -> list[Outcome]:
    """Each alert in its own transaction: a later one failing does not undo an earlier one."""
    return [alert_receive(source, alert, at=at) for alert in alerts]


def alert_receive(source: AlertSource, incoming: IncomingAlert, *, at: datetime | None = None) -> Outcome:
    for attempt in range(3):
        try:
            return _receive(source, incoming, at=at or timezone.now())
        except IntegrityError:
            # The unique open-alert constraint: another request opened it first. Read it again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _receive(source: AlertSource, incoming: IncomingAlert, *, at: datetime) -> Outcome:
    # The source row lock serialises intake per source: two identical posts at once queue here,
    # and the second finds the alert the first opened (the unique constraint is the backstop).
    source = AlertSource.objects.select_for_update().get(pk=source.pk)
    alert = (
        Alert.objects.select_related("ticket")
        .filter(source=source, fingerprint=incoming.fingerprint, status=AlertStatus.FIRING)
        .first()
    )
    if alert is not None and alert.ticket.status not in ACTIVE and incoming.status == AlertStatus.FIRING:
        # Someone resolved or closed the ticket while the alert kept firing: that incident is
        # over, and this firing opens a new one.
        _close(alert, at)
        alert = None
    if incoming.status == AlertStatus.RESOLVED:
        if alert is None:
            return Outcome(incoming.fingerprint, "ignored", None)
        _resolve(source, alert, incoming, at)
        return Outcome(incoming.fingerprint, "resolved", alert.ticket.reference)
    if alert is None:
        alert = _open(source, incoming, at)
        return Outcome(incoming.fingerprint, "opened", alert.ticket.reference)
    _repeat(alert, incoming, at)
    return Outcome(incoming.fingerprint, "repeated", alert.ticket.reference)


def _describe(source: AlertSource, incoming: IncomingAlert) -> str:
    lines = [
        incoming.summary,
        "",
        _("Source: %(source)s") % {"source": source.name},
        _("Severity: %(severity)s") % {"severity": Severity(incoming.severity).label},
        _("Fingerprint: %(fingerprint)s") % {"fingerprint": incoming.fingerprint},
    ]
    lines += [f"- {key}: {value}" for key, value in sorted(incoming.labels.items())]
    return "\n".join(lines)


def _open(source: AlertSource, incoming: IncomingAlert, at: datetime) -> Alert:
    impact, urgency = IMPACT_URGENCY[incoming.severity]
    with silenced():  # the requester is the source's own account: no one to e-mail
        ticket = ticket_create(
            requester=source.requester,
            subject=incoming.summary,
            description=_describe(source, incoming),
            acting_user=None,
            impact=impact,
            urgency=urgency,
            type=TicketType.INCIDENT,
            channel=Channel.MONITORING,
            team=team_for(source, incoming.labels),
            shared_with_organisation=False,
            at=at,
        )
    return Alert.objects.create(
        source=source,
        fingerprint=incoming.fingerprint,
        severity=incoming.severity,
        summary=incoming.summary,
        labels=incoming.labels,
        details=incoming.details,
        ticket=ticket,
        first_seen_at=at,
        last_seen_at=at,
    )


def _repeat(alert: Alert, incoming: IncomingAlert, at: datetime) -> None:
    alert.fire_count += 1
    alert.last_seen_at = at
    alert.details = incoming.details or alert.details
    alert.save(update_fields=["fire_count", "last_seen_at", "details"])
    note = _("The alert fired again (%(count)d times in all).") % {"count": alert.fire_count}
    ticket_add_note(alert.ticket, note, acting_user=None, at=at)


def _close(alert: Alert, at: datetime) -> None:
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = at
    alert.save(update_fields=["status", "resolved_at"])


def _resolve(source: AlertSource, alert: Alert, incoming: IncomingAlert, at: datetime) -> None:
    _close(alert, at)
    ticket = alert.ticket
    if ticket.status == Status.CLOSED:
        return
    ticket_add_note(ticket, _("The monitoring source reports the alert resolved."), acting_user=None, at=at)
    if source.auto_resolve and ticket.status in ACTIVE:
        with silenced():
            ticket_resolve(
                ticket,
                code=ResolutionCode.FIXED,
                summary=_("Resolved automatically: the alert cleared."),
                acting_user=None,
                at=at,
            )
