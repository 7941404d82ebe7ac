"""A Celery worker killed with SIGKILL in the middle of the SLA scan and of a KPI rollup.

Real processes: a worker on a private Redis and this test's database, killed with no warning
halfway through its task, then a new worker. Halfway is made certain without a hook in the code:
the test holds, in a connection of its own, a lock the task needs midway (an uncommitted SLA
event row of the middle ticket; a KPI figure row), waits until ``pg_stat_activity`` shows the
worker's session waiting on it, and only then kills the worker.

What must hold afterwards:
- the task was not lost: ``acks_late`` left it unacknowledged in Redis, and it runs again once it
  is handed back (as the Redis transport does after the visibility timeout);
- the locks the dead worker's session held (the event log's advisory lock, the rollup's state
  row) are gone with its connection, so the next run is not blocked;
- every SLA crossing is recorded exactly once (one SlaEvent, one ticket event, one e-mail each)
  and the stored KPI figures equal the export recomputed from the event log (``kpi_verify``).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from escalation.models import SlaEvent
from helpdesk.celery import app
from kpis.models import Dimension, Period, PeriodFigure, RefreshState
from kpis.rollups import refresh_now, refresh_periods
from kpis.verify import differences
from notifications.models import OutboxEmail
from tests.reliability.processes import (
    advisory_locks,
    blocker,
    kill_hard,
    queue_url,
    restore_unacknowledged,
    sessions,
    wait_for,
)
from tickets.event_seq import SEQ_LOCK_KEY, committed_seq
from tickets.models import EventKind, TicketEvent
from tickets.services import ticket_assign, ticket_create, ticket_reply, ticket_resolve
from tickets.sla.models import BusinessCalendar, SlaPolicy

pytestmark = pytest.mark.django_db(transaction=True)

TICKETS = 24
KILLED = "killed-worker"


@pytest.fixture
def around_the_clock(db):
    calendar = BusinessCalendar.objects.create(name="24x7", is_24x7=True)
    return SlaPolicy.objects.create(
        name="Standard", calendar=calendar, first_response_minutes=60, resolution_minutes=240
    )


def test_the_tasks_are_acknowledged_only_after_they_ran_and_rejected_when_the_worker_is_lost():
    app.loader.import_default_modules()
    for name in ("escalation.sla_scan", "kpis.refresh_incremental", "kpis.refresh_full"):
        assert app.tasks[name].acks_late, name
    assert app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1


def _overdue_tickets(requester, agent) -> list:
    """Opened five to seven hours ago (oldest first), nobody answered: both clocks are past warning and due."""
    now = timezone.now()
    tickets = []
    for number in range(TICKETS):
        ticket = ticket_create(
            requester=requester,
            subject=f"Overdue {number}",
            description="Nobody answered.",
            acting_user=requester,
            at=now - dt.timedelta(hours=7) + dt.timedelta(minutes=5 * number),
        )
        ticket_assign(ticket, agent, acting_user=agent)
        ticket.refresh_from_db()
        tickets.append(ticket)
    return tickets


def send(private_redis, task: str) -> None:
    """What beat does: put ``task`` on the private Redis's queue."""
    with app.connection_for_write(queue_url(private_redis)) as broker:
        app.send_task(task, connection=broker)


def _session_waiting_on_a_lock():
    return [session for session in sessions(KILLED) if session["waiting_on"] == "Lock"]


def _no_session_left():
    return not sessions(KILLED)


def test_a_worker_killed_in_the_middle_of_the_sla_scan_leaves_each_crossing_recorded_once_after_a_restart(
    private_redis, start_celery_worker, around_the_clock, alice, carol, erin, service_desk
):
    tickets = _overdue_tickets(alice, carol)
    middle = tickets[TICKETS // 2]
    worker = start_celery_worker(redis_url=private_redis.url(), env={"PGAPPNAME": KILLED})

    # The middle ticket's first-response breach, inserted and not committed: the scan records the
    # tickets before it, then that ticket's warning (its ticket event takes the event log's
    # advisory lock), and waits on this row.
    held = blocker()
    try:
        held.execute(
            f"INSERT INTO {SlaEvent._meta.db_table} (ticket_id, target, kind, due_at, recorded_at)"
            " VALUES (%s, 'first_response', 'breach', %s, now())",
            [middle.pk, middle.first_response_due_at],
        )
        send(private_redis, "escalation.sla_scan")
        assert wait_for(_session_waiting_on_a_lock, timeout=30), worker.log[-3000:]

        done = set(SlaEvent.objects.values_list("ticket_id", flat=True))
        assert done == {ticket.pk for ticket in tickets[: TICKETS // 2]}  # half the scan is committed
        assert [mode for _pid, mode, granted in advisory_locks(KILLED, SEQ_LOCK_KEY) if granted] == ["ShareLock"]

        kill_hard(worker)
        with private_redis_client(private_redis) as redis:
            assert redis.hlen("unacked") == 1, "the scan was acknowledged before it ran"
    finally:
        held.rollback()
        held.close()

    # Its connection dropped, the dead worker's session ends: its transaction is rolled back and
    # its locks released. The next KPI run needs the advisory lock exclusively: it gets it at once.
    assert wait_for(_no_session_left, timeout=15), sessions(KILLED)
    assert advisory_locks(KILLED, SEQ_LOCK_KEY) == []
    assert committed_seq() > 0
    assert not SlaEvent.objects.filter(ticket=middle).exists()  # its warning went with the rollback

    # Back on the queue, behind the e-mails of the tickets the killed scan had done.
    assert restore_unacknowledged(queue_url(private_redis)).count("escalation.sla_scan") == 1
    start_celery_worker(redis_url=private_redis.url())
    # And the next beat tick, which may overlap with the restored run.
    send(private_redis, "escalation.sla_scan")
    everything = 4 * TICKETS
    assert wait_for(lambda: SlaEvent.objects.count() >= everything, timeout=60), SlaEvent.objects.count()
    assert wait_for(lambda: _tasks_left(private_redis) == 0, timeout=30)

    rows = list(SlaEvent.objects.values_list("ticket_id", "target", "kind"))
    assert len(rows) == len(set(rows)) == everything
    assert {ticket_id for ticket_id, _target, _kind in rows} == {ticket.pk for ticket in tickets}
    for kind in (EventKind.SLA_WARNING, EventKind.SLA_BREACH):
        per_ticket = TicketEvent.objects.filter(kind=kind).values_list("ticket_id", flat=True)
        assert sorted(per_ticket) == sorted([ticket.pk for ticket in tickets] * 2), kind
    # Each of the two breaches e-mailed once to the assignee and once to the team's manager.
    breach_mail = list(OutboxEmail.objects.filter(kind="sla_breach").values_list("ticket_id", "to", "subject"))
    assert len(breach_mail) == len(set(breach_mail)) == 2 * 2 * TICKETS
    assert {to for _ticket, to, _subject in breach_mail} == {carol.email, erin.email}


def private_redis_client(private_redis):
    import redis

    return redis.Redis.from_url(queue_url(private_redis))


def _tasks_left(private_redis) -> int:
    """Tasks queued, or taken and not acknowledged, on the private Redis (0 once all ran)."""
    with private_redis_client(private_redis) as redis:
        return redis.llen("celery") + redis.hlen("unacked")


def test_a_worker_killed_in_the_middle_of_a_kpi_rollup_leaves_figures_equal_to_the_export_after_a_restart(
    private_redis, start_celery_worker, alice, bob, carol, service_desk
):
    for number in range(TICKETS):
        requester = alice if number % 2 else bob
        ticket = ticket_create(requester=requester, subject=f"Printer {number}", description="…", acting_user=requester)
        ticket_reply(ticket, "Looking into it.", acting_user=carol)
        if number % 3:
            ticket_resolve(ticket, code="fixed", summary="Replaced the toner.", acting_user=carol)
    refresh_now()
    before = RefreshState.objects.get().last_seq
    # New events since the last refresh: the rollup the worker runs has work to do.
    for number in range(TICKETS):
        ticket = ticket_create(requester=alice, subject=f"VPN {number}", description="…", acting_user=alice)
        ticket_resolve(ticket, code="fixed", summary="Reset the token.", acting_user=carol)
    worker = start_celery_worker(redis_url=private_redis.url(), env={"PGAPPNAME": KILLED})

    # Today's desk figure, locked: the rollup refreshes the facts, then waits on this row
    # inside its one transaction when it recomputes today.
    figure = PeriodFigure.objects.get(period=Period.DAY, dimension=Dimension.DESK, key=0, start=timezone.localdate())
    held = blocker()
    try:
        held.execute("SELECT 1 FROM kpis_periodfigure WHERE id = %s FOR UPDATE", [figure.pk])
        send(private_redis, "kpis.refresh_incremental")
        assert wait_for(_session_waiting_on_a_lock, timeout=30), worker.log[-3000:]
        # The rollup holds the state row: a second run would queue behind it.
        assert _state_row_locked()

        kill_hard(worker)
        with private_redis_client(private_redis) as redis:
            assert redis.hlen("unacked") == 1, "the rollup was acknowledged before it ran"
    finally:
        held.rollback()
        held.close()

    assert wait_for(_no_session_left, timeout=15), sessions(KILLED)
    assert not _state_row_locked()
    assert RefreshState.objects.get().last_seq == before  # nothing of the killed run was committed
    upto = committed_seq()
    assert upto > before

    assert restore_unacknowledged(queue_url(private_redis)).count("kpis.refresh_incremental") == 1
    start_celery_worker(redis_url=private_redis.url())
    assert wait_for(lambda: RefreshState.objects.get().last_seq == upto, timeout=60)
    assert wait_for(lambda: _tasks_left(private_redis) == 0, timeout=30)

    # The weeks, months and quarters the run marked stale, as their beat task would.
    refresh_periods()
    assert differences(periods=Period.values) == []
    resolved = PeriodFigure.objects.get(pk=figure.pk).values["tickets_resolved"]
    assert resolved == TicketEvent.objects.filter(kind=EventKind.RESOLVED).count() == 16 + TICKETS


def _state_row_locked() -> bool:
    """Whether another session holds the KPI refresh state row (a NOWAIT lock attempt fails)."""
    probe = blocker()
    try:
        probe.execute("SELECT 1 FROM kpis_refreshstate WHERE id = 1 FOR UPDATE NOWAIT")
        return False
    except Exception as error:  # psycopg.errors.LockNotAvailable
        if getattr(error, "sqlstate", None) != "55P03":
            raise
        return True
    finally:
        probe.rollback()
        probe.close()
