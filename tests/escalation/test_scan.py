"""The per-minute SLA scan: each warning and breach recorded once, notified to the right people."""

import datetime as dt
import re
import sys
import threading
import types

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from accounts.models import Role
from escalation import scan as scan_module
from escalation.models import SlaEvent
from escalation.scan import scan
from notifications.models import OutboxEmail
from tests.factories import UserFactory
from tickets.models import EventKind, Priority, ResolutionCode, TicketEvent
from tickets.services import (
    ticket_assign,
    ticket_change_priority,
    ticket_change_status,
    ticket_create,
    ticket_reply,
    ticket_resolve,
)
from tickets.sla.models import BusinessCalendar, SlaPolicy

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
CJK = re.compile(r"[\u4e00-\u9fff]")


def minutes(n):
    return dt.timedelta(minutes=n)


@pytest.fixture
def standard(db):
    """Around the clock: first response in 60 minutes (warning at 48), resolution in 240 (warning at 192)."""
    calendar = BusinessCalendar.objects.create(name="24x7", is_24x7=True)
    return SlaPolicy.objects.create(
        name="Standard", position=10, calendar=calendar, first_response_minutes=60, resolution_minutes=240
    )


def open_ticket(requester, subject="VPN drops every hour"):
    return ticket_create(requester=requester, subject=subject, description="Since Monday.", acting_user=requester)


def sla_rows(ticket=None):
    rows = SlaEvent.objects.order_by("due_at", "kind")
    if ticket is not None:
        rows = rows.filter(ticket=ticket)
    return [(row.ticket_id, row.target, row.kind, row.due_at) for row in rows]


def sla_events(ticket):
    return [
        (event.kind, event.actor_id, event.new_value, event.created_at)
        for event in ticket.events.filter(kind__in=[EventKind.SLA_WARNING, EventKind.SLA_BREACH])
    ]


def sla_emails():
    return [(email.kind, email.to) for email in OutboxEmail.objects.filter(kind__startswith="sla_").order_by("id")]


def test_warning_then_breach_are_each_recorded_and_sent_once(alice, carol, erin, service_desk, standard, time_machine):
    time_machine.move_to(T0, tick=False)
    ticket = open_ticket(alice)
    ticket_assign(ticket, carol, acting_user=carol)

    assert scan(T0 + minutes(47)).recorded == []
    first = scan(T0 + minutes(50))
    again = scan(T0 + minutes(51))

    assert first.recorded == [(ticket.pk, "first_response", "warning")]
    assert again.recorded == []
    assert sla_rows() == [(ticket.pk, "first_response", "warning", T0 + minutes(48))]
    assert sla_emails() == [("sla_warning", carol.email)]

    breach = scan(T0 + minutes(61))
    assert scan(T0 + minutes(62)).recorded == []
    at_50, at_61 = T0 + minutes(50), T0 + minutes(61)

    assert breach.recorded == [(ticket.pk, "first_response", "breach")]
    assert sla_rows() == [
        (ticket.pk, "first_response", "warning", T0 + minutes(48)),
        (ticket.pk, "first_response", "breach", T0 + minutes(60)),
    ]
    assert sla_events(ticket) == [
        (EventKind.SLA_WARNING, None, {"target": "first_response", "due_at": "2026-11-02T09:48:00+00:00"}, at_50),
        (EventKind.SLA_BREACH, None, {"target": "first_response", "due_at": "2026-11-02T10:00:00+00:00"}, at_61),
    ]
    assert sla_emails() == [("sla_warning", carol.email), ("sla_breach", carol.email), ("sla_breach", erin.email)]
    # The clock still runs and its deadlines stay on the ticket: the scan does not change the ticket.
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == T0 + minutes(60)
    assert ticket.version == 2  # created, assigned


def test_warning_email_tells_the_assignee_what_is_due_and_when(alice, carol, service_desk, standard, time_machine):
    time_machine.move_to(T0, tick=False)
    ticket = open_ticket(alice, subject="Printer jams")
    ticket_assign(ticket, carol, acting_user=carol)

    scan(T0 + minutes(50))

    email = OutboxEmail.objects.get(kind="sla_warning")
    assert email.subject == f"[{ticket.reference}] First response due soon: Printer jams"
    assert "Hello Carol," in email.body
    assert f"{ticket.reference} has not had a first response yet. It is due by 2 Nov 2026, 10:00 (UTC)." in email.body
    assert f"/agent/tickets/{ticket.reference}/" in email.body
    assert email.ticket_id == ticket.pk


def test_warning_of_an_unassigned_ticket_goes_to_the_teams_members(alice, carol, erin, service_desk, standard):
    dave = UserFactory(email="dave2@helpdesk.example", full_name="Dave Fischer", role=Role.AGENT)
    gone = UserFactory(email="gone@helpdesk.example", full_name="Gone Agent", role=Role.AGENT, is_active=False)
    service_desk.members.add(dave, gone)
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, at=T0)

    scan(T0 + minutes(50))

    assert ticket.assignee is None
    assert sorted(sla_emails()) == [("sla_warning", carol.email), ("sla_warning", dave.email)]


def test_breach_goes_to_the_assignee_and_the_teams_managers(alice, carol, erin, service_desk, standard):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, at=T0)
    ticket_assign(ticket, carol, acting_user=carol, at=T0)
    ticket_reply(ticket, "Looking into it.", acting_user=carol, at=T0 + minutes(5))

    scan(T0 + minutes(200))
    scan(T0 + minutes(241))

    assert [(k, t) for _id, t, k, _due in sla_rows(ticket)] == [("warning", "resolution"), ("breach", "resolution")]
    assert sla_emails() == [("sla_warning", carol.email), ("sla_breach", carol.email), ("sla_breach", erin.email)]
    breach = OutboxEmail.objects.get(kind="sla_breach", to=erin.email)
    assert breach.subject == f"[{ticket.reference}] Resolution overdue: VPN"
    assert "missed its resolution target" in breach.body
    assert "Assigned to Carol Nguyen." in breach.body


def test_a_manager_who_is_also_the_assignee_gets_one_email(alice, erin, service_desk, standard):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, at=T0)
    ticket_assign(ticket, erin, acting_user=erin, at=T0)

    scan(T0 + minutes(61))

    assert sla_emails() == [("sla_breach", erin.email)]


def test_each_person_reads_it_in_their_language_and_time_zone(alice, carol, erin, service_desk, standard):
    mei = UserFactory(
        email="mei@helpdesk.example", full_name="Li Mei", role=Role.AGENT, language="zh-hans", time_zone="Asia/Shanghai"
    )
    service_desk.members.add(mei)
    ticket_create(requester=alice, subject="打印机卡纸", description="每一页", acting_user=alice, at=T0)

    scan(T0 + minutes(50))

    to_mei = OutboxEmail.objects.get(kind="sla_warning", to=mei.email)
    to_carol = OutboxEmail.objects.get(kind="sla_warning", to=carol.email)
    assert (to_mei.language, to_carol.language) == ("zh-hans", "en")
    assert to_mei.body.startswith("Li，您好：")  # the greeting comes from the zh_Hans catalogue
    assert "18:00" in to_mei.body and "Asia/Shanghai" in to_mei.body  # 10:00 UTC is 18:00 in Shanghai
    assert "Hello Carol," in to_carol.body and "10:00 (UTC)" in to_carol.body
    assert not CJK.search(to_carol.body.replace("打印机卡纸", ""))


def test_a_late_scan_records_warning_and_breach_but_sends_only_the_breach(alice, carol, erin, service_desk, standard):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, at=T0)
    ticket_assign(ticket, carol, acting_user=carol, at=T0)

    result = scan(T0 + minutes(65))

    assert result.recorded == [(ticket.pk, "first_response", "warning"), (ticket.pk, "first_response", "breach")]
    assert [kind for kind, *_rest in sla_events(ticket)] == [EventKind.SLA_WARNING, EventKind.SLA_BREACH]
    assert sla_emails() == [("sla_breach", carol.email), ("sla_breach", erin.email)]


def test_paused_and_stopped_clocks_are_ignored(alice, bob, carol, service_desk, standard):
    paused = ticket_create(requester=alice, subject="Paused", description="x", acting_user=alice, at=T0)
    ticket_reply(paused, "Which version?", acting_user=carol, at=T0 + minutes(5))
    ticket_change_status(paused, "pending", acting_user=carol, at=T0 + minutes(5))
    resolved = ticket_create(requester=bob, subject="Resolved", description="x", acting_user=bob, at=T0)
    ticket_resolve(resolved, code=ResolutionCode.FIXED, summary="Done.", acting_user=carol, at=T0 + minutes(5))
    answered = ticket_create(requester=alice, subject="Answered", description="x", acting_user=alice, at=T0)
    ticket_reply(answered, "On it.", acting_user=carol, at=T0 + minutes(5))

    result = scan(T0 + minutes(600))

    assert sla_rows() == [
        (answered.pk, "resolution", "warning", T0 + minutes(192)),
        (answered.pk, "resolution", "breach", T0 + minutes(240)),
    ]
    assert (result.warnings, result.breaches, result.tickets) == (1, 1, 1)
    assert sla_events(paused) == sla_events(resolved) == []


def test_a_clock_resuming_after_its_breach_is_not_breached_again(alice, carol, service_desk, standard):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, at=T0)
    ticket_reply(ticket, "Which version?", acting_user=carol, at=T0 + minutes(5))
    scan(T0 + minutes(245))
    ticket_change_status(ticket, "pending", acting_user=carol, at=T0 + minutes(250))
    ticket_reply(ticket, "5.2", acting_user=alice, at=T0 + minutes(300))  # reopens it: the clock runs again
    ticket.refresh_from_db()
    # 250 of 240 minutes were used before the pause: overdue by 10 minutes when it resumes.
    assert ticket.resolution_due_at == T0 + minutes(290)

    assert scan(T0 + minutes(301)).recorded == []
    assert scan(T0 + minutes(400), everything=True).recorded == []
    assert len(sla_rows(ticket)) == 2


def test_a_stricter_policy_that_is_already_exceeded_is_breached_at_once(alice, carol, service_desk, standard):
    SlaPolicy.objects.create(
        name="Critical",
        position=1,
        calendar=standard.calendar,
        priorities=[Priority.P1],
        first_response_minutes=15,
        resolution_minutes=120,
    )
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, at=T0)
    ticket_change_priority(ticket, priority=Priority.P1, reason="Whole floor", acting_user=carol, at=T0 + minutes(20))
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == T0 + minutes(15)  # 20 of its 15 minutes are gone

    result = scan(T0 + minutes(21))

    assert result.recorded == [(ticket.pk, "first_response", "warning"), (ticket.pk, "first_response", "breach")]


def test_a_deadline_that_moved_since_the_candidates_were_read_waits_for_the_next_run(
    alice, carol, service_desk, standard, monkeypatch
):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, at=T0)
    real_act = scan_module._act_on_ticket

    def answer_first(ticket_id, crossings, now):
        ticket_reply(ticket, "On it.", acting_user=carol, at=T0 + minutes(55))  # the agent was quicker
        return real_act(ticket_id, crossings, now)

    monkeypatch.setattr(scan_module, "_act_on_ticket", answer_first)
    assert scan(T0 + minutes(56)).recorded == []
    assert sla_rows() == []


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_scan_overtaken_by_another_records_nothing_twice(alice, carol, erin, service_desk, standard, monkeypatch):
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, at=T0)
    ticket_assign(ticket, carol, acting_user=carol, at=T0)
    real_act = scan_module._act_on_ticket
    overtaking = []

    def other_scan(now):
        try:
            overtaking.append(scan(now))
        finally:
            connections.close_all()

    def overtaken(ticket_id, crossings, now):
        # Between reading its candidates and acting on them, a second scan (its own connection) does it all.
        monkeypatch.setattr(scan_module, "_act_on_ticket", real_act)
        thread = threading.Thread(target=other_scan, args=[now])
        thread.start()
        thread.join()
        return real_act(ticket_id, crossings, now)

    monkeypatch.setattr(scan_module, "_act_on_ticket", overtaken)
    late = scan(T0 + minutes(61))

    assert overtaking[0].recorded == [(ticket.pk, "first_response", "warning"), (ticket.pk, "first_response", "breach")]
    assert late.recorded == []
    assert len(sla_rows()) == 2
    assert len(sla_events(ticket)) == 2
    assert sla_emails() == [("sla_breach", carol.email), ("sla_breach", erin.email)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_record_each_crossing_once(alice, carol, service_desk, standard):
    tickets = [
        ticket_create(requester=alice, subject=f"Ticket {n}", description="x", acting_user=alice, at=T0)
        for n in range(20)
    ]
    start = threading.Barrier(3)
    results = []

    def run_scan():
        try:
            start.wait()
            results.append(scan(T0 + minutes(300)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_scan) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Four crossings per ticket (both clocks, warning and breach), each acted on by exactly one scan.
    assert sum(len(result.recorded) for result in results) == 4 * len(tickets)
    assert sorted(crossing for result in results for crossing in result.recorded) == sorted(
        (ticket.pk, target, kind)
        for ticket in tickets
        for target in ("first_response", "resolution")
        for kind in ("breach", "warning")
    )
    assert SlaEvent.objects.count() == 4 * len(tickets)
    assert TicketEvent.objects.filter(kind__in=[EventKind.SLA_WARNING, EventKind.SLA_BREACH]).count() == 4 * 20
    assert OutboxEmail.objects.filter(kind="sla_breach").count() == 2 * len(tickets)  # carol, per clock
    assert not OutboxEmail.objects.filter(kind="sla_warning").exists()  # late: the breach says it all


# --- cost -------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 30])
def test_a_scan_with_nothing_due_costs_the_same_few_queries(
    alice, service_desk, standard, count, django_assert_max_num_queries
):
    for n in range(count):
        ticket_create(requester=alice, subject=f"Ticket {n}", description="x", acting_user=alice, at=T0)
    scan(T0 + minutes(1))  # the first scan leaves the mark

    # reading the mark, the candidates (one statement, a branch per clock column), moving the mark
    with django_assert_max_num_queries(3):
        assert scan(T0 + minutes(2)).recorded == []


def test_crossings_recorded_earlier_cost_no_extra_queries(alice, service_desk, standard, django_assert_max_num_queries):
    for n in range(30):
        ticket_create(requester=alice, subject=f"Ticket {n}", description="x", acting_user=alice, at=T0)
    assert len(scan(T0 + minutes(61)).recorded) == 60

    with django_assert_max_num_queries(3):
        assert scan(T0 + minutes(62)).recorded == []


def test_the_scan_reads_deadlines_since_its_previous_run_only(alice, service_desk, standard):
    scan(T0 + minutes(600))
    # Imported afterwards with times in the past: its deadlines lie before the previous scan.
    old = ticket_create(requester=alice, subject="Imported", description="x", acting_user=alice, at=T0)

    assert scan(T0 + minutes(601)).recorded == []
    assert len(scan(T0 + minutes(602), everything=True).recorded) == 4
    assert len(sla_rows(old)) == 4


def test_a_full_batch_leaves_the_rest_to_the_next_run(alice, service_desk, standard):
    tickets = [
        ticket_create(requester=alice, subject=f"Ticket {n}", description="x", acting_user=alice, at=T0 + minutes(n))
        for n in range(5)
    ]

    first = scan(T0 + minutes(55), limit=3)  # five first-response warnings are due (48 … 52 minutes)
    second = scan(T0 + minutes(56), limit=3)

    assert not first.complete
    assert first.recorded == [(t.pk, "first_response", "warning") for t in tickets[:3]]
    assert second.complete
    assert second.recorded == [(t.pk, "first_response", "warning") for t in tickets[3:]]


# --- escalation rules, the command ------------------------------------------------------------


def test_escalation_rules_run_for_each_crossing_when_there_are_rules(alice, service_desk, standard, monkeypatch):
    fired = []
    rules = types.ModuleType("escalation.rules")
    rules.run_for_sla_event = lambda ticket, target, kind: fired.append((ticket.pk, target, kind))
    monkeypatch.setitem(sys.modules, "escalation.rules", rules)
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, at=T0)

    scan(T0 + minutes(50))
    scan(T0 + minutes(51))

    assert fired == [(ticket.pk, "first_response", "warning")]


def test_a_failing_rule_does_not_undo_the_sla_event(alice, carol, service_desk, standard, monkeypatch):
    def broken(ticket, target, kind):
        raise RuntimeError("rule bug")

    monkeypatch.setitem(sys.modules, "escalation.rules", types.SimpleNamespace(run_for_sla_event=broken))
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, at=T0)

    result = scan(T0 + minutes(50))

    assert result.recorded == [(ticket.pk, "first_response", "warning")]
    assert len(sla_events(ticket)) == 1
    assert sla_emails() == [("sla_warning", carol.email)]


def test_sla_scan_command_runs_the_scan(alice, service_desk, standard, capsys):
    yesterday = timezone.now() - dt.timedelta(days=1)
    ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, at=yesterday)

    call_command("sla_scan")

    assert "2 warning(s) and 2 breach(es) recorded on 1 ticket(s)." in capsys.readouterr().out
    assert SlaEvent.objects.count() == 4


def test_a_deadline_set_in_the_past_by_a_policy_change_is_still_breached(alice, carol, service_desk, standard):
    SlaPolicy.objects.create(
        name="Critical",
        position=1,
        calendar=standard.calendar,
        priorities=[Priority.P1],
        first_response_minutes=15,
        resolution_minutes=120,
    )
    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, at=T0)
    ticket_reply(ticket, "Looking", acting_user=carol, at=T0 + minutes(5))
    scan(T0 + minutes(190))  # the scan's mark is now well past T0 + 120

    ticket_change_priority(ticket, priority=Priority.P1, reason="Whole floor", acting_user=carol, at=T0 + minutes(200))
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == T0 + minutes(120)

    result = scan(T0 + minutes(201))

    assert (ticket.pk, "resolution", "breach") in result.recorded
