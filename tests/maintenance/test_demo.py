import pytest

from accounts.demo import seed_accounts
from maintenance.demo import seed_maintenance
from maintenance.models import MaintenancePlan, MaintenanceRun
from maintenance.services import open_due_runs


@pytest.mark.django_db
def test_demo_plans_are_seeded_once_and_beat_opens_their_due_runs():
    seed_accounts()

    assert seed_maintenance() == 4
    assert seed_maintenance() == 4
    assert set(MaintenancePlan.objects.values_list("schedule_kind", flat=True)) == {"weekly", "cron"}
    assert MaintenanceRun.objects.count() == 0

    opened = open_due_runs()

    assert len(opened) == 4  # each plan's latest run of the last four weeks
    assert all(run.ticket is not None and run.ticket.checklist_items.exists() for run in opened)
