import datetime as dt

import pytest

from maintenance.models import MaintenancePlan
from maintenance.services import PlanValues, plan_create

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def make_plan(erin, service_desk):
    """A plan for Service Desk made by its manager erin; keyword arguments override PlanValues."""

    def make(*, created_at: dt.datetime | None = EPOCH, **overrides) -> object:
        values = {
            "title": "Backup restore test",
            "team": service_desk,
            "schedule_kind": "weekly",
            "every_weeks": 1,
            "weekday": 0,
            "at_time": dt.time(9, 0),
            "starts_on": dt.date(2026, 1, 1),
            "hours_allowed": 48,
            "description": "Restore last night's backup to the staging server.",
            "checklist": "Restore the backup\nCompare row counts\nWrite down the time taken",
            **overrides,
        }
        plan = plan_create(PlanValues(**values), acting_user=erin)
        if created_at is not None:
            # As if made long ago: runs before "now" count (no run falls before a plan existed).
            MaintenancePlan.objects.filter(pk=plan.pk).update(created_at=created_at)
            plan.refresh_from_db()
        return plan

    return make
