"""The event log stands alone: team/assignee snapshots and a seq cursor that never skips."""

import threading
import time

import pytest
from django.db import connection, transaction

from tickets.event_checks import event_log_problems
from tickets.event_seq import SeqBusy, committed_seq
from tickets.models import EventKind, Ticket, TicketEvent
from tickets.services import ticket_assign, ticket_change_team, ticket_create, ticket_reply, ticket_resolve


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
