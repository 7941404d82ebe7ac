"""The KPI beat tasks run by a real Celery worker on the real PostgreSQL and Redis."""

import time

import pytest
from django.utils import timezone

from helpdesk.celery import app
from kpis.models import Dimension, Period, PeriodFigure, RefreshState, StalePeriod
from tickets.services import ticket_create, ticket_reply, ticket_resolve


def wait_for(condition, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_refreshes_the_figures_incrementally_then_fully(celery_worker, alice, carol, service_desk):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    ticket_reply(ticket, "Looking", acting_user=carol)
    ticket_resolve(ticket, code="fixed", summary="Restarted", acting_user=carol)
    last_seq = ticket.events.order_by("-seq").values_list("seq", flat=True).first()
    month = timezone.localdate().replace(day=1)
    figures = PeriodFigure.objects.filter(period=Period.MONTH, dimension=Dimension.AGENT, key=carol.pk, start=month)

    app.send_task("kpis.refresh_incremental")
    assert wait_for(lambda: RefreshState.objects.filter(last_seq=last_seq).exists())
    # The day at once; the month waits for the periods run.
    today = timezone.localdate()
    day = PeriodFigure.objects.get(period=Period.DAY, dimension=Dimension.AGENT, key=carol.pk, start=today)
    assert day.values["tickets_resolved"] == 1
    assert StalePeriod.objects.filter(period=Period.MONTH, start=month).exists()
    assert not figures.exists()

    app.send_task("kpis.refresh_periods")
    assert wait_for(lambda: RefreshState.objects.filter(periods_refreshed_at__isnull=False).exists())
    assert figures.get().values["tickets_resolved"] == 1
    assert not StalePeriod.objects.exists()

    app.send_task("kpis.refresh_full")
    assert wait_for(lambda: RefreshState.objects.filter(full_refreshed_at__isnull=False).exists())
    assert figures.get().values["tickets_resolved"] == 1
