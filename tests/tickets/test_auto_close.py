"""Resolved tickets close by themselves after TICKET_AUTO_CLOSE_DAYS, once, with no actor."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from tickets.models import EventKind, ResolutionCode, Status, Ticket
from tickets.services import auto_close_resolved, ticket_assign, ticket_create, ticket_reopen, ticket_resolve
from tickets.tasks import auto_close_resolved_tickets

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def events(ticket):
    return [(e.kind, e.old_value, e.new_value, e.actor) for e in ticket.events.order_by("created_at", "id")]


def refreshed(ticket):
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def days():
    return timedelta(days=settings.TICKET_AUTO_CLOSE_DAYS)


@pytest.fixture
def open_ticket(alice, carol, service_desk, time_machine):
    def make(subject):
        ticket = ticket_create(requester=alice, subject=subject, description="Details.", acting_user=alice)
        return ticket_assign(ticket, carol, acting_user=carol)

    return make


@pytest.fixture
def resolved(open_ticket, carol, time_machine):
    def make(subject, when):
        time_machine.move_to(when, tick=False)
        ticket = open_ticket(subject)
        return ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Done.", acting_user=carol)

    return make


def test_closes_only_tickets_resolved_longer_ago_than_the_setting(resolved, open_ticket, days, time_machine):
    old = resolved("Old", MONDAY)
    recent = resolved("Recent", MONDAY + timedelta(days=2))
    still_open = open_ticket("Open")
    now = MONDAY + days + timedelta(hours=1)
    time_machine.move_to(now, tick=False)
    before = len(events(old))

    closed = auto_close_resolved()

    assert closed == 1
    assert (refreshed(old).status, refreshed(old).closed_at) == (Status.CLOSED, now)
    assert events(old)[before:] == [(EventKind.CLOSED, "resolved", {"withdrawn": False, "automatic": True}, None)]
    assert refreshed(recent).status == Status.RESOLVED
    assert refreshed(still_open).status == Status.OPEN


def test_nothing_closes_just_before_the_deadline(resolved, days, time_machine):
    ticket = resolved("Nearly", MONDAY)
    time_machine.move_to(MONDAY + days - timedelta(minutes=1), tick=False)

    assert auto_close_resolved() == 0
    assert refreshed(ticket).status == Status.RESOLVED


def test_running_twice_closes_once(resolved, days, time_machine):
    ticket = resolved("Old", MONDAY)
    time_machine.move_to(MONDAY + days + timedelta(days=1), tick=False)

    first, second = auto_close_resolved(), auto_close_resolved()

    assert (first, second) == (1, 0)
    assert [kind for kind, *_ in events(ticket)].count(EventKind.CLOSED) == 1


def test_reopened_ticket_is_not_closed(resolved, carol, days, time_machine):
    ticket = resolved("Reopened", MONDAY)
    time_machine.move_to(MONDAY + timedelta(days=1), tick=False)
    ticket_reopen(ticket, acting_user=carol)
    time_machine.move_to(MONDAY + days + timedelta(days=1), tick=False)

    assert auto_close_resolved() == 0
    assert refreshed(ticket).status == Status.OPEN


def test_re_resolved_ticket_waits_from_its_last_resolution(resolved, carol, days, time_machine):
    ticket = resolved("Twice", MONDAY)
    time_machine.move_to(MONDAY + timedelta(days=3), tick=False)
    ticket_reopen(ticket, acting_user=carol)
    ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Really done.", acting_user=carol)
    time_machine.move_to(MONDAY + days + timedelta(days=1), tick=False)

    assert auto_close_resolved() == 0
    time_machine.move_to(MONDAY + timedelta(days=3) + days + timedelta(hours=1), tick=False)
    assert auto_close_resolved() == 1
    assert refreshed(ticket).status == Status.CLOSED


def test_the_periodic_task_closes_due_tickets(resolved, days, time_machine):
    ticket = resolved("Old", MONDAY)
    time_machine.move_to(MONDAY + days + timedelta(days=1), tick=False)

    assert auto_close_resolved_tickets.apply().get() == 1
    assert refreshed(ticket).status == Status.CLOSED


def test_requester_is_told_the_ticket_closed(resolved, days, time_machine):
    from notifications.models import OutboxEmail

    ticket = resolved("Old", MONDAY)
    time_machine.move_to(MONDAY + days + timedelta(days=1), tick=False)

    auto_close_resolved()

    email = OutboxEmail.objects.filter(ticket=ticket).latest("id")
    assert (email.kind, email.to) == ("status_changed", ticket.requester.email)
