"""Demo maintenance plans: weekly, fortnightly and cron schedules for the demo teams. Idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import Role, Team, User
from maintenance.models import MaintenancePlan
from maintenance.services import PlanValues, plan_create

# (team tier, title, schedule, checklist, hours allowed, assign to the team's first agent?)
PLANS = [
    (
        Team.Tier.SERVICE_DESK,
        "Backup restore test",
        {"schedule_kind": "weekly", "every_weeks": 1, "weekday": 0, "at_time": dt.time(9, 0)},
        "Restore last night's backup to the staging server\nCompare row counts with production\n"
        "Write down how long the restore took",
        24,
        True,
    ),
    (
        Team.Tier.SPECIALISTS,
        "Patch testing",
        {"schedule_kind": "weekly", "every_weeks": 2, "weekday": 1, "at_time": dt.time(10, 30)},
        "Snapshot the test servers\nApply this month's patches\nRun the smoke tests\nApprove or hold the rollout",
        48,
        False,
    ),
    (
        Team.Tier.SERVICE_DESK,
        "Account and permission review",
        {"schedule_kind": "cron", "cron": "0 9 1 * *"},
        "Export the group memberships\nAsk each team lead to confirm their list\nRemove leavers' access",
        120,
        False,
    ),
    (
        Team.Tier.SPECIALISTS,
        "证书续期检查",
        {"schedule_kind": "cron", "cron": "0 8 * * 1-5"},
        "检查 30 天内到期的证书\n续期并部署\n更新证书清单",
        8,
        False,
    ),
]


def seed_maintenance() -> int:
    """Create the demo plans that are missing; returns how many plans exist.

    No ticket is opened here: beat (``make run`` starts it) opens each plan's due run within a
    minute, the way it will in production.
    """
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
    for tier, title, schedule, checklist, hours, assign in PLANS:
        team = Team.objects.filter(tier=tier).order_by("id").first()
        if team is None or MaintenancePlan.objects.filter(title=title, team=team).exists():
            continue
        author = team.managers.filter(is_active=True).order_by("id").first() or admin
        if author is None:
            continue
        assignee = team.members.filter(is_active=True, role=Role.AGENT).order_by("id").first() if assign else None
        start = timezone.localdate() - dt.timedelta(days=28)
        plan = plan_create(
            PlanValues(
                title=title,
                team=team,
                checklist=checklist,
                hours_allowed=hours,
                assignee=assignee,
                starts_on=start,
                description=f"{title}: demo plan.",
                **schedule,
            ),
            acting_user=author,
        )
        # As if planned four weeks ago: the latest run is due at once and shows on the pages.
        MaintenancePlan.objects.filter(pk=plan.pk).update(created_at=timezone.now() - dt.timedelta(days=28))
    return MaintenancePlan.objects.count()
