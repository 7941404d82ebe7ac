"""SLA clocks on tickets: set on creation, paused and resumed by status, moved by policy changes."""

import datetime as dt
from datetime import time

import pytest
import time_machine

from tickets.models import EventKind, Ticket
from tickets.services import (
    ticket_change_priority,
    ticket_change_status,
    ticket_create,
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
)
from tickets.sla.models import BusinessCalendar, SlaPolicy, WorkingInterval

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


def minutes(n):
    return dt.timedelta(minutes=n)


@pytest.fixture
def always_open(db):
    return BusinessCalendar.objects.create(name="24x7", is_24x7=True)


@pytest.fixture
def office_hours(db):
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="UTC")
    for weekday in range(5):
        WorkingInterval.objects.create(calendar=calendar, weekday=weekday, start_time=time(9), end_time=time(17))
    return calendar


@pytest.fixture
def standard(always_open):
    return SlaPolicy.objects.create(
        name="Standard",
        position=10,
        calendar=always_open,
        first_response_minutes=60,
        resolution_minutes=240,
        warning_percent=80,
    )


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _kinds(ticket):
    return [kind for kind in ticket.events.values_list("kind", flat=True) if kind.startswith("sla_")]


def test_creation_sets_due_and_warning_times(alice, service_desk, standard):
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)

    assert ticket.sla_policy == standard
    assert ticket.first_response_due_at == T0 + minutes(60)
    assert ticket.first_response_warn_at == T0 + minutes(48)
    assert ticket.resolution_due_at == T0 + minutes(240)
    assert ticket.resolution_warn_at == T0 + minutes(192)
    assert _kinds(ticket) == [EventKind.SLA_POLICY_CHANGED]


def test_no_matching_policy_means_no_clock(alice, service_desk):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)

    assert ticket.sla_policy is None
    assert (ticket.first_response_due_at, ticket.resolution_due_at) == (None, None)


def test_first_agent_reply_stops_the_response_clock_only(alice, carol, service_desk, standard):
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    with _at(T0 + minutes(10)):
        ticket_reply(ticket, "Looking", acting_user=carol)

    ticket.refresh_from_db()
    assert (ticket.first_response_due_at, ticket.first_response_warn_at) == (None, None)
    assert ticket.first_response_used_s == 600
    assert ticket.resolution_due_at == T0 + minutes(240)


def test_pending_pauses_and_the_requesters_reply_resumes_with_time_used_kept(alice, carol, service_desk, standard):
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    with _at(T0 + minutes(10)):
        ticket_reply(ticket, "Which client version?", acting_user=carol)
    with _at(T0 + minutes(20)):
        ticket_change_status(ticket, "pending", acting_user=carol)

    ticket.refresh_from_db()
    assert ticket.resolution_due_at is None and ticket.sla_running_since is None
    assert ticket.resolution_used_s == 20 * 60

    with _at(T0 + minutes(80)):
        ticket_reply(ticket, "5.2", acting_user=alice)

    ticket.refresh_from_db()
    assert ticket.status == "open"
    # 20 of 240 minutes were used before the pause; the hour spent waiting does not count.
    assert ticket.resolution_due_at == T0 + minutes(80) + minutes(220)
    assert _kinds(ticket) == [
        EventKind.SLA_POLICY_CHANGED,
        EventKind.SLA_MET,
        EventKind.SLA_PAUSED,
        EventKind.SLA_RESUMED,
    ]


def test_on_hold_pauses_only_when_the_policy_says_so(alice, carol, service_desk, standard):
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
        ticket_change_status(ticket, "on_hold", acting_user=carol)
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == T0 + minutes(240)

    standard.pause_on_hold = True
    standard.save()
    with _at(T0 + minutes(5)):
        ticket_change_status(ticket, "open", acting_user=carol)
        ticket_change_status(ticket, "on_hold", acting_user=carol)
    ticket.refresh_from_db()
    assert ticket.resolution_due_at is None


def test_a_priority_change_can_bring_another_policy(alice, carol, service_desk, standard, always_open):
    urgent = SlaPolicy.objects.create(
        name="P1",
        position=1,
        calendar=always_open,
        priorities=[1],
        first_response_minutes=15,
        resolution_minutes=120,
    )
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    with _at(T0 + minutes(30)):
        ticket_change_priority(ticket, acting_user=carol, impact=1, urgency=1)

    ticket.refresh_from_db()
    assert ticket.sla_policy == urgent
    # 30 minutes already used: under the 15-minute target it fell due at 09:15.
    assert ticket.first_response_due_at == T0 + minutes(15)
    assert ticket.resolution_due_at == T0 + minutes(30) + minutes(90)
    changed = ticket.events.filter(kind=EventKind.SLA_POLICY_CHANGED).order_by("id").last()
    assert (changed.old_value["name"], changed.new_value["name"]) == ("Standard", "P1")


def test_resolving_stops_and_reopening_resumes_the_resolution_clock(alice, carol, service_desk, standard):
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    with _at(T0 + minutes(30)):
        ticket_resolve(ticket, code="fixed", summary="Restarted", acting_user=carol)
    ticket.refresh_from_db()
    assert (ticket.resolution_due_at, ticket.resolution_used_s) == (None, 30 * 60)

    with _at(T0 + minutes(100)):
        ticket_reopen(ticket, acting_user=carol)
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == T0 + minutes(100) + minutes(210)


def test_business_hours_carry_the_target_over_the_weekend(alice, service_desk, office_hours):
    SlaPolicy.objects.create(name="Office", calendar=office_hours, first_response_minutes=120, resolution_minutes=960)
    friday_afternoon = dt.datetime(2026, 11, 6, 16, 0, tzinfo=dt.UTC)
    with _at(friday_afternoon):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)

    # one hour on Friday, one on Monday morning
    assert ticket.first_response_due_at == dt.datetime(2026, 11, 9, 10, 0, tzinfo=dt.UTC)
    # 16 business hours: 1 on Friday, 8 on Monday, 7 on Tuesday
    assert ticket.resolution_due_at == dt.datetime(2026, 11, 10, 16, 0, tzinfo=dt.UTC)


def test_badges_say_time_left_and_overdue_in_business_time(client, alice, carol, service_desk, standard):
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    client.force_login(carol)

    with _at(T0 + minutes(15)):
        page = client.get(f"/agent/tickets/{ticket.reference}/").content.decode()
        assert 'data-sla-state="ok"' in page and "45 min left" in page
    with _at(T0 + minutes(50)):
        assert 'data-sla-state="warning"' in client.get(f"/agent/tickets/{ticket.reference}/").content.decode()
    with _at(T0 + minutes(90)):
        queue = client.get("/agent/", {"view": "breaching", "sort": "due"}).content.decode()
        assert ticket.reference in queue
        assert "overdue by 30 min" in queue


def test_breaching_soon_lists_only_tickets_due_within_hours_sorted_by_due(
    client, alice, carol, service_desk, standard, always_open
):
    slow = SlaPolicy.objects.create(
        name="Slow", position=5, calendar=always_open, types=["question"], first_response_minutes=2000,
        resolution_minutes=6000,
    )  # fmt: skip
    with _at(T0):
        later = ticket_create(requester=alice, subject="Later", description="…", acting_user=alice)
        question = ticket_create(requester=alice, subject="Q", description="…", acting_user=alice, type="question")
    with _at(T0 + minutes(30)):
        sooner = ticket_create(requester=alice, subject="Sooner", description="…", acting_user=alice)
    assert question.sla_policy == slow
    client.force_login(carol)

    with _at(T0 + minutes(40)):
        response = client.get("/agent/", {"view": "breaching", "sort": "due"})

    refs = [t.reference for t in response.context["page"].tickets]
    assert refs == [later.reference, sooner.reference]


def test_clocks_rebuilt_from_events_equal_the_stored_ones(alice, carol, service_desk, standard, always_open):
    from escalation.rebuild import differences

    SlaPolicy.objects.create(
        name="P1", position=1, calendar=always_open, priorities=[1], first_response_minutes=15, resolution_minutes=120
    )
    with _at(T0 + dt.timedelta(microseconds=123_456)):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    steps = [
        (7, lambda: ticket_reply(ticket, "Looking", acting_user=carol)),
        (20, lambda: ticket_change_status(ticket, "pending", acting_user=carol)),
        (95, lambda: ticket_reply(ticket, "Still broken", acting_user=alice)),
        (100, lambda: ticket_change_priority(ticket, acting_user=carol, impact=1, urgency=1)),
        (130, lambda: ticket_resolve(ticket, code="fixed", summary="Done", acting_user=carol)),
        (200, lambda: ticket_reopen(ticket, acting_user=carol)),
    ]
    for minute, step in steps:
        with _at(T0 + minutes(minute) + dt.timedelta(microseconds=654_321)):
            step()

    ticket.refresh_from_db()
    assert ticket.resolution_due_at is not None
    assert differences([ticket]) == []


def test_sla_rebuild_reports_a_tampered_clock(alice, service_desk, standard):
    from django.core.management import call_command

    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    Ticket.objects.filter(pk=ticket.pk).update(resolution_due_at=T0)

    with pytest.raises(SystemExit):
        call_command("sla_rebuild", ticket.reference)


def test_an_overdue_ticket_keeps_its_deadline_through_a_pause(alice, carol, service_desk, standard):
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
        ticket_reply(ticket, "On it", acting_user=carol)
    with _at(T0 + minutes(300)):
        ticket_change_status(ticket, "pending", acting_user=carol)
    with _at(T0 + minutes(400)):
        ticket_change_status(ticket, "open", acting_user=carol)

    ticket.refresh_from_db()
    # 300 minutes used against a 240-minute target: it fell due 60 working minutes before the
    # pause, and the resumed clock shows that same overdue amount, not a fresh deadline.
    assert ticket.resolution_used_s == 300 * 60
    assert ticket.resolution_due_at == T0 + minutes(400) - minutes(60)


def test_subtracting_business_time_undoes_adding_it(office_hours):
    from tickets.sla.business_time import add_business_seconds, calendar_spec, subtract_business_seconds

    spec = calendar_spec(office_hours)
    start = dt.datetime(2026, 11, 6, 15, 30, tzinfo=dt.UTC)  # Friday afternoon
    for seconds in (60, 3600, 5400, 8 * 3600 + 17, 40 * 3600):
        later = add_business_seconds(spec, start, seconds)
        assert subtract_business_seconds(spec, later, seconds) == start
