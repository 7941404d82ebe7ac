"""Beat restarted twice within a minute: no scheduled job does its work twice.

Real processes: ``celery beat`` with the project's scheduler (django-celery-beat's database
scheduler, as in production), and two Celery workers, so that runs sent around a restart can
overlap. Beat sends the three jobs whose work a person would see twice every second instead of
every one, five or fifteen minutes: opening maintenance runs, auto-closing resolved tickets and
detecting spikes. It is stopped and started again twice within a minute while each job has
work that is due, and each job runs several times under every beat.

Afterwards: one ticket for the maintenance run that is due, one close per auto-closed ticket
(one event each), one spike and one notice to its manager.
"""

from __future__ import annotations

import datetime as dt
import json
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
from monitoring.models import Spike
from notifications.models import OutboxEmail
from tests.conftest import ROOT, _database_url
from tests.reliability.processes import wait_for
from tickets.models import Category, EventKind, Status, Ticket, TicketEvent, TicketType
from tickets.services import ticket_create, ticket_resolve

pytestmark = pytest.mark.django_db(transaction=True)

JOBS = {
    "maintenance-open-due-runs": "maintenance.open_due_runs",
    "auto-close-resolved-tickets": "tickets.auto_close_resolved",
    "spike-scan": "monitoring.detect_spikes",
}
# The project's Celery app with only these entries, every second; the scheduler is the one
# configured in settings (CELERY_BEAT_SCHEDULER), which keeps each entry's last run in the database.
BEAT = """
import json, sys
from helpdesk.celery import app
app.conf.beat_schedule = {key: {"task": task, "schedule": 1.0} for key, task in json.loads(sys.argv[1]).items()}
app.start(["beat", "--loglevel", "INFO", "--pidfile", ""])
"""


class Beat:
    def __init__(self, log_path):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "PYTHONUNBUFFERED": "1",
        }
        self.log_path = log_path
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", BEAT, json.dumps(JOBS)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def runs(workers, task: str) -> int:
    """How many times the workers have finished ``task`` (from their logs: the tasks keep no result)."""
    return sum(
        1 for worker in workers for line in worker.log.splitlines() if f"{task}[" in line and " succeeded " in line
    )


def each_ran(workers, at_least: dict[str, int]) -> bool:
    return all(runs(workers, task) >= at_least[task] for task in JOBS.values())


def test_restarting_beat_twice_within_a_minute_does_no_job_twice(
    start_celery_worker, tmp_path, alice, carol, erin, service_desk
):
    now = timezone.now()
    # Maintenance: daily at this very minute (the team works in UTC), so this minute's run is
    # the one due for the rest of the test, however long it takes.
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
    # Auto-close: resolved more than TICKET_AUTO_CLOSE_DAYS ago.
    long_ago = now - dt.timedelta(days=settings.TICKET_AUTO_CLOSE_DAYS + 2)
    resolved = []
    for number in range(5):
        ticket = ticket_create(
            requester=alice, subject=f"Old {number}", description="…", acting_user=alice, at=long_ago
        )
        resolved.append(ticket_resolve(ticket, code="fixed", summary="Done.", acting_user=carol, at=long_ago))
    # A spike: far more VPN tickets in the last hour than in the same hour of earlier weeks (none).
    vpn = Category.objects.create(name="VPN")
    for number in range(settings.SPIKE_MIN_TICKETS + 1):
        ticket_create(requester=alice, subject=f"VPN down {number}", description="…", acting_user=alice, category=vpn)

    beats = [Beat(tmp_path / "beat1.log")]  # starting while the workers do; what it sends waits for them
    try:
        workers = [start_celery_worker(), start_celery_worker()]
        assert wait_for(lambda: each_ran(workers, dict.fromkeys(JOBS.values(), 2)), timeout=60), (
            beats[0].log[-2000:] + workers[0].log[-2000:]
        )
        restarted = time.monotonic()
        for name in ("beat2.log", "beat3.log"):
            beats[-1].stop()
            before = {task: runs(workers, task) for task in JOBS.values()}
            beats.append(Beat(tmp_path / name))
            wanted = {task: count + 2 for task, count in before.items()}
            assert wait_for(lambda wanted=wanted: each_ran(workers, wanted), timeout=25), beats[-1].log[-2000:]
        assert time.monotonic() - restarted < 60, "the two restarts took longer than a minute"
    finally:
        beats[-1].stop()
    for beat in beats:
        assert all(f"Sending due task {key}" in beat.log for key in JOBS), beat.log[-2000:]

    # One ticket for the one run that is due.
    run = MaintenanceRun.objects.get()
    assert run.scheduled_for == now.replace(second=0, microsecond=0)
    maintenance = Ticket.objects.get(type=TicketType.MAINTENANCE)
    assert run.ticket == maintenance
    assert maintenance.checklist_items.count() == 2
    # Each old resolved ticket closed once.
    for ticket in resolved:
        ticket.refresh_from_db()
        assert ticket.status == Status.CLOSED
        assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CLOSED).count() == 1
    # One spike, announced once to the service desk's manager.
    spike = Spike.objects.get()
    assert (spike.category, spike.ended_at) == (vpn, None)
    assert list(OutboxEmail.objects.filter(kind="spike_detected").values_list("to", flat=True)) == [erin.email]
