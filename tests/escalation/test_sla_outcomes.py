"""SLA outcomes in the event log: each target settled once as its clock stops, met or missed.

The KPI engine computes SLA attainment from these events alone, so they must be right without a
scan having run, and must not change when a policy or calendar is edited later.
"""

import datetime as dt
from datetime import time

import pytest
import time_machine

from escalation.policy_services import policy_update
from escalation.scan import scan
from tickets.models import EventKind
from tickets.services import (
    ticket_change_status,
    ticket_close,
    ticket_create,
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
)
from tickets.sla.models import BusinessCalendar, SlaPolicy, WorkingInterval

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
OUTCOMES = [EventKind.SLA_MET, EventKind.SLA_MISSED]


def minutes(n):
    return dt.timedelta(minutes=n)


def _at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def always_open(db):
    return BusinessCalendar.objects.create(name="24x7", is_24x7=True)


@pytest.fixture
def standard(always_open):
    return SlaPolicy.objects.create(
        name="Standard", position=10, calendar=always_open, first_response_minutes=60, resolution_minutes=240
    )


@pytest.fixture
def office(db):
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="UTC")
    for weekday in range(5):
        WorkingInterval.objects.create(calendar=calendar, weekday=weekday, start_time=time(9), end_time=time(17))
    return SlaPolicy.objects.create(
        name="Office hours", position=5, calendar=calendar, first_response_minutes=60, resolution_minutes=480
    )


def _outcomes(ticket):
    return [(event.kind, event.new_value) for event in ticket.events.filter(kind__in=OUTCOMES).order_by("seq")]


def test_a_reply_four_hours_late_with_no_scan_in_between_is_a_miss_with_its_due_time(
    alice, carol, service_desk, standard
):
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    with _at(T0 + minutes(60 + 240)):
        ticket_reply(ticket, "Sorry for the wait", acting_user=carol)

    [(kind, value)] = _outcomes(ticket)
    assert kind == EventKind.SLA_MISSED
    assert value["target"] == "first_response" and value["met"] is False
    assert value["due_at"] == (T0 + minutes(60)).isoformat()
    assert value["used_s"] == 300 * 60
    assert value["target_minutes"] == 60
    assert value["stopped_by"] == "replied"
    assert value["policy"]["id"] == standard.pk and value["policy"]["version"] == 1
    # No scan ran: the outcome does not depend on one.
    assert not ticket.events.filter(kind=EventKind.SLA_BREACH).exists()


def test_a_reply_on_time_is_met_and_later_policy_edits_change_nothing(alice, carol, erin, service_desk, standard):
    with _at(T0):
        late = ticket_create(requester=alice, subject="Late", description="…", acting_user=alice)
        on_time = ticket_create(requester=alice, subject="On time", description="…", acting_user=alice)
    with _at(T0 + minutes(59)):
        ticket_reply(on_time, "Looking", acting_user=carol)
    with _at(T0 + minutes(61)):
        ticket_reply(late, "Looking", acting_user=carol)
    before = {ticket.pk: _outcomes(ticket) for ticket in (late, on_time)}

    with _at(T0 + minutes(120)):
        policy_update(standard, acting_user=erin, first_response_minutes=30, resolution_minutes=600)

    standard.refresh_from_db()
    assert standard.version == 2
    assert {ticket.pk: _outcomes(ticket) for ticket in (late, on_time)} == before
    [(kind, value)] = before[on_time.pk]
    assert (kind, value["used_s"], value["target_minutes"], value["policy"]["version"]) == (
        EventKind.SLA_MET,
        59 * 60,
        60,
        1,
    )
    assert before[late.pk][0][0] == EventKind.SLA_MISSED


def test_a_stop_exactly_at_the_due_time_is_met(alice, carol, service_desk, standard):
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    with _at(T0 + minutes(60)):
        ticket_reply(ticket, "Here", acting_user=carol)

    [(kind, value)] = _outcomes(ticket)
    assert (kind, value["used_s"]) == (EventKind.SLA_MET, 3600)


def test_pause_and_resume_across_closed_hours_count_only_business_seconds(alice, carol, service_desk, office):
    friday_4pm = dt.datetime(2026, 11, 6, 16, 0, tzinfo=dt.UTC)
    with _at(friday_4pm):
        ticket = ticket_create(requester=alice, subject="Printer", description="jammed", acting_user=alice)
    with _at(friday_4pm + minutes(10)):
        ticket_reply(ticket, "Which tray?", acting_user=carol)  # 10 business minutes
    with _at(friday_4pm + minutes(30)):
        ticket_change_status(ticket, "pending", acting_user=carol)  # paused after 30
    with _at(dt.datetime(2026, 11, 9, 8, 0, tzinfo=dt.UTC)):
        ticket_reply(ticket, "Tray 2", acting_user=alice)  # resumes on Monday before opening time
    with _at(dt.datetime(2026, 11, 9, 10, 15, tzinfo=dt.UTC)):
        ticket_resolve(ticket, code="fixed", summary="Cleared", acting_user=carol)

    outcomes = _outcomes(ticket)
    assert [(kind, value["target"], value["used_s"]) for kind, value in outcomes] == [
        (EventKind.SLA_MET, "first_response", 10 * 60),
        # 30 minutes on Friday, none over the weekend or before 09:00, 75 on Monday.
        (EventKind.SLA_MET, "resolution", (30 + 75) * 60),
    ]
    assert outcomes[1][1]["due_at"] is not None


def test_resolving_from_pending_settles_with_the_seconds_used_and_no_due_time(alice, carol, service_desk, standard):
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
        ticket_reply(ticket, "Try again?", acting_user=carol)
    with _at(T0 + minutes(300)):
        ticket_change_status(ticket, "pending", acting_user=carol)  # 300 > 240 minutes: already late
    with _at(T0 + minutes(900)):
        ticket_resolve(ticket, code="fixed", summary="Worked", acting_user=carol)

    resolution = [value for kind, value in _outcomes(ticket) if value["target"] == "resolution"]
    assert resolution == [resolution[0]] and resolution[0]["met"] is False
    assert (resolution[0]["used_s"], resolution[0]["due_at"]) == (300 * 60, None)


def test_resolving_settles_an_unanswered_response_target_and_a_reopen_does_not_restart_it(
    alice, carol, service_desk, standard
):
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    with _at(T0 + minutes(30)):
        ticket_resolve(ticket, code="fixed", summary="Restarted the gateway", acting_user=carol)
    with _at(T0 + minutes(40)):
        ticket_reopen(ticket, acting_user=carol)
    with _at(T0 + minutes(500)):
        ticket_reply(ticket, "Back on it", acting_user=carol)
        ticket.refresh_from_db()
        assert ticket.first_response_due_at is None
        ticket_resolve(ticket, code="fixed", summary="Replaced the gateway", acting_user=carol)

    assert [(kind, value["target"], value["stopped_by"]) for kind, value in _outcomes(ticket)] == [
        (EventKind.SLA_MET, "first_response", "resolved"),
        (EventKind.SLA_MET, "resolution", "resolved"),
        # Each resolution settles the resolution target: 30 + 460 minutes used of 240.
        (EventKind.SLA_MISSED, "resolution", "resolved"),
    ]


def test_a_withdrawal_records_only_targets_already_missed(alice, carol, service_desk, standard):
    with _at(T0):
        early = ticket_create(requester=alice, subject="Early", description="…", acting_user=alice)
        late = ticket_create(requester=alice, subject="Late", description="…", acting_user=alice)
    with _at(T0 + minutes(30)):
        ticket_close(early, acting_user=alice)
    with _at(T0 + minutes(90)):
        ticket_close(late, acting_user=alice)

    assert _outcomes(early) == []
    [(kind, value)] = _outcomes(late)
    assert (kind, value["target"], value["stopped_by"]) == (EventKind.SLA_MISSED, "first_response", "closed")


def test_a_breach_seen_by_the_scan_and_the_late_stop_both_stand(alice, carol, service_desk, standard):
    with _at(T0):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    with _at(T0 + minutes(61)):
        scan()
    with _at(T0 + minutes(70)):
        ticket_reply(ticket, "Here", acting_user=carol)

    kinds = list(ticket.events.order_by("seq").values_list("kind", flat=True))
    assert kinds.index(EventKind.SLA_BREACH) < kinds.index(EventKind.SLA_MISSED)
    [(_kind, value)] = _outcomes(ticket)
    assert value["due_at"] == (T0 + minutes(60)).isoformat()


def test_one_moment_per_service_call_keeps_policy_events_after_creation(alice, carol, service_desk, standard):
    moment = T0 + dt.timedelta(microseconds=987_654)
    with _at(moment):
        ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)

    events = list(ticket.events.order_by("seq"))
    assert [event.kind for event in events] == [EventKind.CREATED, EventKind.SLA_POLICY_CHANGED]
    assert {event.created_at for event in events} == {moment}
    assert events == list(ticket.events.order_by("created_at", "id"))
    assert events[0].seq < events[1].seq
