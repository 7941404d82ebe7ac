"""The beat task ``escalation.sla_scan`` run by a real Celery worker on the real PostgreSQL and Redis."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.utils import timezone

from escalation.models import SlaEvent
from helpdesk.celery import app
from notifications.models import OutboxEmail
from tickets.models import EventKind, TicketEvent
from tickets.services import ticket_assign, ticket_create
from tickets.sla.models import BusinessCalendar, SlaPolicy


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def finished_scans(tmp_path):
    """How many sla_scan tasks the worker has finished, from its log (the task keeps no result)."""
    log = (tmp_path / "celery-worker.log").read_text(errors="replace")
    return sum(1 for line in log.splitlines() if "escalation.sla_scan[" in line and " succeeded " in line)


def test_sla_scan_runs_every_minute_in_beat():
    assert settings.CELERY_BEAT_SCHEDULE["sla-scan"] == {"task": "escalation.sla_scan", "schedule": 60.0}


@pytest.mark.django_db(transaction=True)
def test_worker_records_each_crossing_once(celery_worker, tmp_path, alice, carol, erin, service_desk):
    calendar = BusinessCalendar.objects.create(name="24x7", is_24x7=True)
    SlaPolicy.objects.create(name="Standard", calendar=calendar, first_response_minutes=60, resolution_minutes=240)
    # Opened five hours ago, nobody answered: both clocks are past their warning and due times.
    ticket = ticket_create(
        requester=alice,
        subject="VPN",
        description="down",
        acting_user=alice,
        at=timezone.now() - dt.timedelta(hours=5),
    )
    ticket_assign(ticket, carol, acting_user=carol)

    app.send_task("escalation.sla_scan")

    assert wait_for(lambda: SlaEvent.objects.filter(ticket=ticket).count() == 4, timeout=20), (
        f"the worker recorded {list(SlaEvent.objects.values_list('target', 'kind'))} within 20 s"
    )
    assert set(SlaEvent.objects.values_list("target", "kind")) == {
        ("first_response", "warning"),
        ("first_response", "breach"),
        ("resolution", "warning"),
        ("resolution", "breach"),
    }
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_BREACH).count() == 2
    breach_mail = OutboxEmail.objects.filter(kind="sla_breach").values_list("to", flat=True)
    assert sorted(breach_mail) == sorted([carol.email, erin.email] * 2)

    # Sent again (a duplicate delivery, an overlapping beat tick): nothing new.
    app.send_task("escalation.sla_scan")
    assert wait_for(lambda: finished_scans(tmp_path) == 2, timeout=20), "the second scan did not finish within 20 s"
    assert SlaEvent.objects.count() == 4
    assert OutboxEmail.objects.filter(kind__startswith="sla_").count() == 4
