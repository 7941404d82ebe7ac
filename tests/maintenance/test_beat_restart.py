"""Done when: a maintenance plan opens exactly one ticket per run across a beat restart.

Real processes: a Celery worker and ``celery beat`` on the real Redis and this test's database.
Beat sends ``maintenance.open_due_runs`` every second; it is stopped (SIGTERM) and started again
while the same run is due, and the worker keeps running the task throughout.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.utils import timezone

from maintenance.models import MaintenancePlan, MaintenanceRun
from maintenance.services import PlanValues, plan_create
from tests.conftest import ROOT, _database_url
from tickets.models import Ticket, TicketType


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def succeeded(worker) -> int:
    return sum(1 for line in worker.log.splitlines() if "maintenance.open_due_runs[" in line and " succeeded " in line)


def start_beat(tmp_path, name):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / f"{name}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.maintenance.beat_app", "beat", "--loglevel", "INFO",
             "--scheduler", "celery.beat:PersistentScheduler", "--schedule", str(tmp_path / "beat-schedule"),
             "--pidfile", ""],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return process, log_path


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.mark.django_db(transaction=True)
def test_one_ticket_per_run_across_a_beat_restart(start_celery_worker, tmp_path, erin, carol, service_desk):
    now = timezone.now()
    # Daily at this very minute (the team works in UTC): this minute's run is the one due for the
    # rest of the test, however long it takes.
    plan = plan_create(
        PlanValues(
            title="Backup restore test",
            team=service_desk,
            schedule_kind="cron",
            cron=f"{now.minute} {now.hour} * * *",
            starts_on=now.date() - dt.timedelta(days=1),
            checklist="Restore\nCompare",
            assignee=carol,
        ),
        acting_user=erin,
    )
    MaintenancePlan.objects.filter(pk=plan.pk).update(created_at=now - dt.timedelta(days=1))
    worker = start_celery_worker()

    beat, beat_log = start_beat(tmp_path, "beat1")
    try:
        assert wait_for(lambda: MaintenanceRun.objects.filter(ticket__isnull=False).exists(), timeout=40), (
            beat_log.read_text()[-2000:] + worker.log[-2000:]
        )
        assert wait_for(lambda: succeeded(worker) >= 3, timeout=20)
    finally:
        stop(beat)
    assert beat.returncode is not None
    before_restart = succeeded(worker)

    beat, beat_log = start_beat(tmp_path, "beat2")
    try:
        assert wait_for(lambda: succeeded(worker) >= before_restart + 3, timeout=40), beat_log.read_text()[-2000:]
    finally:
        stop(beat)

    run = MaintenanceRun.objects.get()
    assert run.scheduled_for == now.replace(second=0, microsecond=0)
    assert Ticket.objects.count() == 1
    ticket = Ticket.objects.get()
    assert (ticket.type, ticket.assignee, run.ticket) == (TicketType.MAINTENANCE, carol, ticket)
    assert ticket.checklist_items.count() == 2
    assert "Sending due task maintenance-open-due-runs" in beat_log.read_text()
