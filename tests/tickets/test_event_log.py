"""The event log stands alone: team/assignee/category snapshots and a seq cursor that never skips."""

import datetime as dt
import importlib
import threading
import time

import pytest
import time_machine
from django.db import connection, transaction

from tickets.event_checks import event_log_problems
from tickets.event_seq import SeqBusy, committed_seq
from tickets.models import Category, EventKind, Ticket, TicketEvent
from tickets.services import (
    ticket_assign,
    ticket_change_category,
    ticket_change_team,
    ticket_create,
    ticket_reply,
    ticket_resolve,
)


def test_each_event_carries_the_team_and_assignee_once_it_took_effect(alice, carol, dave, service_desk, network_team):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    ticket_assign(ticket, carol, acting_user=carol)
    ticket_reply(ticket, "Looking", acting_user=carol)
    ticket_change_team(ticket, network_team, acting_user=carol)  # carol is not in it: unassigned
    ticket_assign(ticket, dave, acting_user=dave)
    ticket_resolve(ticket, code="fixed", summary="Route fixed", acting_user=dave)

    rows = [
        (event.kind, event.team_id, event.assignee_id)
        for event in ticket.events.order_by("seq")
        if not event.kind.startswith("sla_")
    ]
    assert rows == [
        (EventKind.CREATED, service_desk.pk, None),
        (EventKind.ASSIGNED, service_desk.pk, carol.pk),
        (EventKind.STATUS_CHANGED, service_desk.pk, carol.pk),
        (EventKind.REPLIED, service_desk.pk, carol.pk),
        (EventKind.TEAM_CHANGED, network_team.pk, carol.pk),
        (EventKind.ASSIGNED, network_team.pk, None),
        (EventKind.ASSIGNED, network_team.pk, dave.pk),
        (EventKind.RESOLVED, network_team.pk, dave.pk),
    ]
    assert event_log_problems(Ticket.objects.filter(pk=ticket.pk)) == []


def test_a_wrong_snapshot_is_reported(alice, carol, service_desk, network_team):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    # Written around the services, as a buggy code path would.
    TicketEvent.objects.create(
        ticket=ticket, kind=EventKind.NOTE_ADDED, actor=carol, created_at=ticket.created_at, team=network_team
    )

    [problem] = event_log_problems(Ticket.objects.filter(pk=ticket.pk))
    assert (problem.what, problem.stored, problem.replayed) == ("team", network_team.pk, service_desk.pk)


def test_seq_is_assigned_by_the_database_in_insertion_order(alice, carol, service_desk):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    ticket_reply(ticket, "Looking", acting_user=carol)

    seqs = list(ticket.events.order_by("id").values_list("seq", flat=True))
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert all(seq > 0 for seq in seqs)
    event = ticket.events.order_by("-id").first()
    # The value returned on insert is the stored one.
    assert TicketEvent.objects.create(ticket=ticket, kind=EventKind.NOTE_ADDED, created_at=event.created_at).seq > (
        event.seq
    )


@pytest.mark.django_db(transaction=True)
def test_the_committed_mark_waits_for_a_transaction_that_drew_a_number(alice, service_desk):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    inserted, release = threading.Event(), threading.Event()
    drawn = {}

    def slow_writer():
        try:
            with transaction.atomic():
                event = TicketEvent.objects.create(
                    ticket=ticket, kind=EventKind.NOTE_ADDED, created_at=ticket.created_at
                )
                drawn["seq"] = event.seq
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    marks = []

    def reader():
        try:
            marks.append(committed_seq())
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert inserted.wait(10)
    waiting = threading.Thread(target=reader)
    waiting.start()
    time.sleep(0.5)
    # The writer has drawn its number but not committed: no mark may be given out yet.
    assert waiting.is_alive() and marks == []
    release.set()
    writer.join(10)
    waiting.join(10)
    assert marks == [drawn["seq"]]
    assert TicketEvent.objects.filter(seq__lte=marks[0]).count() == TicketEvent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_a_long_open_transaction_makes_the_mark_busy_instead_of_holding_writers_back(alice, service_desk):
    from kpis.models import RefreshState
    from kpis.rollups import refresh_incremental

    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    refresh_incremental()
    before = RefreshState.objects.get().last_seq
    inserted, release = threading.Event(), threading.Event()

    def long_writer():
        try:
            with transaction.atomic():
                TicketEvent.objects.create(ticket=ticket, kind=EventKind.NOTE_ADDED, created_at=ticket.created_at)
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    writer = threading.Thread(target=long_writer)
    writer.start()
    try:
        assert inserted.wait(10)
        with pytest.raises(SeqBusy):
            committed_seq()
        # The refresh gives up for now and keeps its cursor.
        assert refresh_incremental().last_seq == before
        assert RefreshState.objects.get().last_seq == before
    finally:
        release.set()
        writer.join(10)
    assert refresh_incremental().last_seq > before


def test_each_event_carries_the_category_once_it_took_effect(alice, carol, service_desk):
    hardware, software = Category.objects.create(name="Hardware"), Category.objects.create(name="Software")
    ticket = ticket_create(requester=alice, subject="Laptop", description="slow", acting_user=alice, category=hardware)
    ticket_change_category(ticket, software, acting_user=carol)
    ticket_reply(ticket, "Reinstalling", acting_user=carol)
    ticket_change_category(ticket, None, acting_user=carol)
    ticket_resolve(ticket, code="fixed", summary="Reinstalled", acting_user=carol)

    rows = [(event.kind, event.category_id) for event in ticket.events.order_by("seq") if event.kind in KINDS]
    assert rows == [
        (EventKind.CREATED, hardware.pk),
        (EventKind.CATEGORY_CHANGED, software.pk),
        (EventKind.REPLIED, software.pk),
        (EventKind.CATEGORY_CHANGED, None),
        (EventKind.RESOLVED, None),
    ]
    assert event_log_problems(Ticket.objects.filter(pk=ticket.pk)) == []


KINDS = {EventKind.CREATED, EventKind.CATEGORY_CHANGED, EventKind.REPLIED, EventKind.RESOLVED}


def test_the_migration_gives_existing_events_the_category_a_replay_gives(alice, carol, service_desk):
    """Events written before the column existed get it from the latest category setter."""
    backfill = importlib.import_module("tickets.migrations.0020_event_category_snapshot").BACKFILL
    hardware, software = Category.objects.create(name="Hardware"), Category.objects.create(name="Software")
    first = ticket_create(requester=alice, subject="Printer", description="jam", acting_user=alice, category=hardware)
    ticket_change_category(first, software, acting_user=carol)
    ticket_reply(first, "On it", acting_user=carol)
    second = ticket_create(requester=alice, subject="Mouse", description="gone", acting_user=alice)
    ticket_change_category(second, hardware, acting_user=carol)
    expected = list(TicketEvent.objects.order_by("seq").values_list("id", "category_id"))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's inserts leave deferred checks
        cursor.execute("ALTER TABLE tickets_ticketevent DISABLE TRIGGER tickets_ticketevent_no_update_delete")
        cursor.execute("UPDATE tickets_ticketevent SET category_id = NULL")
        cursor.execute(backfill)
        cursor.execute("ALTER TABLE tickets_ticketevent ENABLE TRIGGER tickets_ticketevent_no_update_delete")

    assert list(TicketEvent.objects.order_by("seq").values_list("id", "category_id")) == expected
    assert {category for _id, category in expected} == {hardware.pk, software.pk, None}
    assert event_log_problems(Ticket.objects.all()) == []


def test_sla_outcomes_count_when_met_or_when_due_and_the_migration_agrees(alice, carol, service_desk):
    """A miss settled days later counts when it fell due; the backfill of 0021 computes the same."""
    from escalation.policy_services import policy_create
    from tickets.sla.models import BusinessCalendar

    backfill = importlib.import_module("tickets.migrations.0021_event_counts_at").BACKFILL
    calendar = BusinessCalendar.objects.create(name="Around the clock", is_24x7=True)
    monday = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(monday - dt.timedelta(days=1), tick=False):
        policy_create(
            name="Standard", calendar=calendar, first_response_minutes=60, resolution_minutes=240, acting_user=None
        )
    with time_machine.travel(monday, tick=False):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    with time_machine.travel(monday + dt.timedelta(minutes=10), tick=False):
        ticket_reply(ticket, "Looking", acting_user=carol)
    with time_machine.travel(monday + dt.timedelta(days=3), tick=False):
        ticket_resolve(ticket, code="fixed", summary="At last", acting_user=carol)

    outcomes = list(
        ticket.events.filter(kind__in=[EventKind.SLA_MET, EventKind.SLA_MISSED])
        .order_by("seq")
        .values_list("kind", "counts_at")
    )
    assert outcomes == [
        (EventKind.SLA_MET, monday + dt.timedelta(minutes=10)),
        (EventKind.SLA_MISSED, monday + dt.timedelta(minutes=240)),
    ]
    assert not ticket.events.exclude(kind__in=[EventKind.SLA_MET, EventKind.SLA_MISSED]).filter(counts_at__isnull=False)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE tickets_ticketevent DISABLE TRIGGER tickets_ticketevent_no_update_delete")
        cursor.execute("UPDATE tickets_ticketevent SET counts_at = NULL")
        cursor.execute(backfill)
        cursor.execute("ALTER TABLE tickets_ticketevent ENABLE TRIGGER tickets_ticketevent_no_update_delete")
    assert list(ticket.events.filter(counts_at__isnull=False).order_by("seq").values_list("kind", "counts_at")) == (
        outcomes
    )
    assert event_log_problems(Ticket.objects.all()) == []


def test_a_wrong_counts_at_is_reported(alice, carol, service_desk):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.SLA_MET,
        actor=carol,
        created_at=ticket.created_at,
        team=service_desk,
        new_value={"target": "first_response"},
    )

    [problem] = event_log_problems(Ticket.objects.filter(pk=ticket.pk))
    assert (problem.what, problem.stored, problem.replayed) == ("counts_at", None, ticket.created_at)
