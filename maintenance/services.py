"""Maintenance plans: creating and editing them, and opening one ticket per run.

Who is who: a run's ticket is requested by one inactive system account ("Maintenance plans",
no sign-in, an ``.invalid`` address), not by the plan's creator. Recurring tickets would
otherwise fill the manager's own "my requests" list, send them the requester e-mails (resolved,
satisfaction survey) for work they did not ask for each time, and outlive them when they leave.
The ticket is opened by the system (``acting_user=None``): the event log says "system".
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Role, Team, User
from helpdesk.errors import ApplicationError
from maintenance.models import MaintenancePlan, MaintenanceRun, ScheduleKind, Weekday
from maintenance.permissions import may_create_plans, may_plan_for
from maintenance.schedule import cron_error, latest_occurrence, next_runs, plan_zone
from notifications.outbox import silenced
from tickets.models import Category, Channel, ChecklistItem, Impact, Priority, Ticket, TicketType, Urgency
from tickets.services import ticket_assign, ticket_create

logger = logging.getLogger(__name__)

SYSTEM_REQUESTER_EMAIL = "maintenance-plans@helpdesk.invalid"
STEP_MAX = 300
TITLE_MAX = 200

# Priority → (impact, urgency) giving that priority in the ITIL matrix (tickets/priority.py).
IMPACT_URGENCY: dict[int, tuple[int, int]] = {
    Priority.P1: (Impact.ORGANISATION, Urgency.BLOCKED),
    Priority.P2: (Impact.ORGANISATION, Urgency.DEGRADED),
    Priority.P3: (Impact.GROUP, Urgency.DEGRADED),
    Priority.P4: (Impact.PERSON, Urgency.DEGRADED),
}

__all__ = ["next_runs", "open_due_runs", "plan_create", "plan_update"]


@dataclass(frozen=True)
class PlanValues:
    """Everything a manager sets on a plan, as the form or API hands it over."""

    title: str
    team: Team
    schedule_kind: str = ScheduleKind.WEEKLY
    cron: str = ""
    every_weeks: int = 1
    weekday: int = Weekday.MONDAY
    at_time: dt.time = dt.time(9, 0)
    starts_on: dt.date | None = None
    hours_allowed: int = 24
    description: str = ""
    checklist: str = ""
    assignee: User | None = None
    category: Category | None = None
    priority: int = Priority.P3
    active: bool = True


def _clean(values: PlanValues) -> dict[str, Any]:
    """The values tidied, or an ApplicationError listing every field's problem."""
    errors: dict[str, list[str]] = {}
    title = " ".join((values.title or "").split())
    if not title:
        errors["title"] = [_("Give the plan a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("The title can be at most %(max)d characters long.") % {"max": TITLE_MAX}]
    cron = " ".join((values.cron or "").split())
    if values.schedule_kind not in ScheduleKind.values:
        errors["schedule_kind"] = [_("Choose a kind of schedule.")]
    elif values.schedule_kind == ScheduleKind.CRON:
        if not cron:
            errors["cron"] = [_("Write a cron expression, for example “0 9 * * 1”.")]
        elif reason := cron_error(cron):
            message = _("“%(cron)s” is not a valid cron expression (%(reason)s).")
            errors["cron"] = [message % {"cron": cron, "reason": reason}]
    else:
        if values.every_weeks is None or int(values.every_weeks) < 1:
            errors["every_weeks"] = [_("Every N weeks needs N of 1 or more.")]
        elif int(values.every_weeks) > 52:
            errors["every_weeks"] = [_("Every N weeks can be at most every 52 weeks.")]
        if values.weekday not in Weekday.values:
            errors["weekday"] = [_("Choose a weekday.")]
        if values.at_time is None:
            errors["at_time"] = [_("Give the time of day.")]
    if values.hours_allowed is None or int(values.hours_allowed) < 1:
        errors["hours_allowed"] = [_("Allow at least one hour.")]
    steps = [line.strip() for line in (values.checklist or "").splitlines() if line.strip()]
    if any(len(step) > STEP_MAX for step in steps):
        errors["checklist"] = [_("A checklist step can be at most %(max)d characters long.") % {"max": STEP_MAX}]
    if values.assignee is not None and not (values.assignee.is_active and values.assignee.works_tickets):
        errors["assignee"] = [_("Runs can only be assigned to active agents.")]
    if values.priority not in Priority.values:
        errors["priority"] = [_("Choose a priority.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, extra={"errors": errors})
    return {
        "title": title,
        "team": values.team,
        "schedule_kind": values.schedule_kind,
        "cron": cron if values.schedule_kind == ScheduleKind.CRON else "",
        "every_weeks": int(values.every_weeks or 1),
        "weekday": int(values.weekday),
        "at_time": values.at_time.replace(second=0, microsecond=0),
        "starts_on": values.starts_on or timezone.localdate(),
        "hours_allowed": int(values.hours_allowed),
        "description": (values.description or "").strip(),
        "checklist": "\n".join(steps),
        "assignee": values.assignee,
        "category": values.category,
        "priority": int(values.priority),
        "active": bool(values.active),
    }


@transaction.atomic
def plan_create(values: PlanValues, *, acting_user: User) -> MaintenancePlan:
    """A new plan; the acting user must manage its team (admins manage every team)."""
    if not may_create_plans(acting_user) or (values.team is not None and not may_plan_for(acting_user, values.team)):
        raise PermissionDenied
    if values.team is None:
        raise ApplicationError(_("Choose a team."), extra={"errors": {"team": [_("Choose a team.")]}})
    plan = MaintenancePlan(created_by=acting_user, **_clean(values))
    plan.save()
    return plan


@transaction.atomic
def plan_update(plan: MaintenancePlan, values: PlanValues, *, acting_user: User) -> MaintenancePlan:
    """Edit a plan: its team's manager, who must also manage the team it moves to. Runs already
    opened keep their ticket and due time; the new schedule applies to the next run."""
    plan = MaintenancePlan.objects.select_for_update().select_related("team").get(pk=plan.pk)
    if not may_plan_for(acting_user, plan.team):
        raise PermissionDenied
    if values.team is None:
        raise ApplicationError(_("Choose a team."), extra={"errors": {"team": [_("Choose a team.")]}})
    if values.team.pk != plan.team_id and not may_plan_for(acting_user, values.team):
        raise PermissionDenied
    for field, value in _clean(values).items():
        setattr(plan, field, value)
    plan.save()
    return plan


# --- Opening runs ------------------------------------------------------------------------------


def system_requester() -> User:
    """The one inactive account maintenance tickets are requested by (see the module docstring)."""
    user = User.objects.filter(email=SYSTEM_REQUESTER_EMAIL).first()
    if user is not None:
        return user
    user, _created = User.objects.get_or_create(
        email=SYSTEM_REQUESTER_EMAIL,
        defaults={"full_name": "Maintenance plans", "role": Role.REQUESTER, "is_active": False, "password": "!"},
    )
    return user


def open_due_runs(now: dt.datetime | None = None) -> list[MaintenanceRun]:
    """Open the due run of every active plan that has none yet; returns the runs opened here.

    Only the latest occurrence at or before ``now`` is considered. After an outage (beat or the
    workers down for days) a weekly plan opens one ticket for its most recent missed run, not
    one for every week it missed: a pile of identical tickets for past weeks helps nobody, and
    the one opened shows the work is due. Each plan in its own transaction, so one plan failing
    does not hold up the others.
    """
    now = now or timezone.now()
    opened: list[MaintenanceRun] = []
    plans = MaintenancePlan.objects.filter(active=True).select_related("team", "assignee", "category")
    for plan in plans:
        scheduled_for = latest_occurrence(plan, now)
        if scheduled_for is None or plan.runs.filter(scheduled_for=scheduled_for).exists():
            continue
        run = open_run(plan, scheduled_for, now=now)
        if run is not None:
            opened.append(run)
    return opened


def _insert_run(plan: MaintenancePlan, scheduled_for: dt.datetime, due_at: dt.datetime) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING on the (plan, scheduled_for) key: the new row's id for the
    one caller that inserted it; None for everyone else. A concurrent inserter waits on the
    unique index until the first commits (then gets None) or rolls back (then inserts itself)."""
    table = MaintenanceRun._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (plan_id, scheduled_for, due_at, failure) VALUES (%s, %s, %s, '') "
            "ON CONFLICT (plan_id, scheduled_for) DO NOTHING RETURNING id",
            [plan.pk, scheduled_for, due_at],
        )
        row = cursor.fetchone()
    return row[0] if row else None


@transaction.atomic
def open_run(plan: MaintenancePlan, scheduled_for: dt.datetime, *, now: dt.datetime) -> MaintenanceRun | None:
    """Record the run and open its ticket in one transaction; None if the run exists already."""
    due_at = scheduled_for + dt.timedelta(hours=plan.hours_allowed)
    run_id = _insert_run(plan, scheduled_for, due_at)
    if run_id is None:
        return None
    run = MaintenanceRun.objects.get(pk=run_id)
    try:
        with transaction.atomic():  # a savepoint: a refusal leaves the run, marked failed
            run.ticket = _open_ticket(plan, run, now)
    except (ApplicationError, PermissionDenied) as error:
        # The run stays, without a ticket and with the reason: the runs page lists it as overdue,
        # and no later tick opens it again behind the managers' back.
        run.failure = str(getattr(error, "message", error) or error.__class__.__name__)
        logger.warning("maintenance plan %s: run %s not opened: %s", plan.pk, scheduled_for, run.failure)
    else:
        run.opened_at = now
    run.save(update_fields=["ticket", "opened_at", "failure"])
    return run


def _describe(plan: MaintenancePlan, run: MaintenanceRun) -> str:
    zone = plan_zone(plan)
    due = f"{run.due_at.astimezone(zone):%Y-%m-%d %H:%M}"
    lines = [plan.description or plan.title, "", _("Due: %(due)s (%(zone)s)") % {"due": due, "zone": zone.key}]
    return "\n".join(lines)


def _open_ticket(plan: MaintenancePlan, run: MaintenanceRun, now: dt.datetime) -> Ticket:
    zone = plan_zone(plan)
    impact, urgency = IMPACT_URGENCY[plan.priority]
    # ISO dates in the team's zone: the subject and description are stored once and read by
    # people of both languages; the pages show the times in each reader's own format.
    subject = f"{plan.title} · {run.scheduled_for.astimezone(zone):%Y-%m-%d}"[:200]
    with override(settings.LANGUAGE_CODE):  # the same text whichever request the task follows
        description = _describe(plan, run)
    with silenced():  # the requester is the system account: no one to e-mail
        ticket = ticket_create(
            requester=system_requester(),
            subject=subject,
            description=description,
            acting_user=None,
            impact=impact,
            urgency=urgency,
            category=plan.category,
            type=TicketType.MAINTENANCE,
            channel=Channel.SCHEDULED,
            team=plan.team,
            shared_with_organisation=False,
            at=now,
            due_at=run.due_at,
        )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(ticket=ticket, position=position, text=step) for position, step in enumerate(plan.steps, 1)
    )
    assignee = plan.assignee
    if assignee is not None and assignee.is_active and assignee.works_tickets:
        # Outside the silenced block: the assignee is told, as for any assignment.
        ticket = ticket_assign(ticket, assignee, acting_user=None, at=now)
    return ticket
