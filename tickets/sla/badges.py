"""What the SLA badge on a queue row or ticket page says: time left, or overdue by, in business time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tickets.lifecycle import ACTIVE
from tickets.models import Ticket
from tickets.sla.business_time import business_seconds_between, cached_calendar_spec


@dataclass(frozen=True)
class Badge:
    state: str  # none, stopped, paused, ok, warning, overdue
    label: str


def business_duration(seconds: int) -> str:
    """ "2 h 15 min", "3 d 4 h": working time in days of 24 h is what people read as a span."""
    minutes = max(0, seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return ngettext("%(minutes)d min", "%(minutes)d min", minutes) % {"minutes": minutes}


def badge_for(ticket: Ticket, now: datetime) -> Badge:
    if ticket.sla_policy_id is None:
        return Badge("none", _("No SLA"))
    due = ticket.sla_next_due_at
    if due is None:
        if ticket.status in ACTIVE:
            return Badge("paused", _("SLA paused"))
        return Badge("stopped", "")
    spec = cached_calendar_spec(ticket.sla_policy.calendar)
    if due <= now:
        return Badge(
            "overdue", _("overdue by %(time)s") % {"time": business_duration(business_seconds_between(spec, due, now))}
        )
    warnings = [w for w in (ticket.first_response_warn_at, ticket.resolution_warn_at) if w is not None]
    state = "warning" if warnings and min(warnings) <= now else "ok"
    return Badge(state, _("%(time)s left") % {"time": business_duration(business_seconds_between(spec, now, due))})
