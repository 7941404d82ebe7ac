"""Escalation rules: each trigger fires once per ticket, its actions recorded as ordinary ticket events."""

import datetime as dt

import pytest
from django.urls import reverse

from escalation.models import EscalationRule, RuleFiring, RuleTrigger
from escalation.rule_forms import RuleForm
from escalation.rule_services import rule_create
from escalation.rules import run_for_sla_event, run_periodic_rules
from escalation.scan import scan
from escalation.tasks import run_escalation_rules
from helpdesk.errors import ApplicationError
from notifications.models import OutboxEmail
from tickets.models import Escalation, EventKind, Impact, Priority, ResolutionCode, Urgency
from tickets.services import ticket_assign, ticket_create, ticket_reopen, ticket_resolve
from tickets.sla.models import BusinessCalendar, SlaPolicy

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


def minutes(n):
    return dt.timedelta(minutes=n)


@pytest.fixture
def standard(db):
    """Around the clock: first response in 60 minutes (warning at 48), resolution in 240 (warning at 192)."""
    calendar = BusinessCalendar.objects.create(name="24x7", is_24x7=True)
    return SlaPolicy.objects.create(
        name="Standard", position=10, calendar=calendar, first_response_minutes=60, resolution_minutes=240
    )


def open_ticket(requester, subject="VPN drops every hour", **kwargs):
    return ticket_create(
        requester=requester, subject=subject, description="Since Monday.", acting_user=requester, **kwargs
    )


def make_rule(trigger, **values):
    return rule_create(acting_user=None, name=values.pop("name", f"Rule on {trigger}"), trigger=trigger, **values)


def firings(ticket=None):
    rows = RuleFiring.objects.order_by("id")
    if ticket is not None:
        rows = rows.filter(ticket=ticket)
    return [(row.rule_id, row.ticket_id, row.trigger_key) for row in rows]


def events_since(ticket, at):
    return [
        (event.kind, event.actor_id, event.old_value, event.new_value)
        for event in ticket.events.filter(created_at__gte=at).order_by("created_at", "id")
    ]


# --- SLA warnings and breaches, through the scan ------------------------------------------------


def test_breach_rule_fires_once_from_the_scan_and_records_its_actions(
    alice, carol, service_desk, network_team, standard, time_machine
):
    time_machine.move_to(T0, tick=False)
    rule = make_rule(
        RuleTrigger.SLA_BREACH,
        sla_target="first_response",
        move_to_team=network_team,
        raise_priority=True,
        add_tag="escalated",
    )
    ticket = open_ticket(alice)
    ticket_assign(ticket, carol, acting_user=carol)
    time_machine.move_to(T0 + minutes(50), tick=False)
    scan(T0 + minutes(50))  # the warning: this rule is about breaches

    time_machine.move_to(T0 + minutes(61), tick=False)
    scan(T0 + minutes(61))

    assert firings() == [(rule.pk, ticket.pk, "sla_breach:first_response")]
    ticket.refresh_from_db()
    assert ticket.team == network_team
    assert ticket.assignee is None  # carol is not in Network
    assert ticket.priority == Priority.P3
    assert list(ticket.tags.values_list("name", flat=True)) == ["escalated"]
    reason = "Raised by the escalation rule “Rule on sla_breach”."
    escalation = Escalation.objects.get(ticket=ticket)
    assert events_since(ticket, T0 + minutes(61)) == [
        (EventKind.SLA_BREACH, None, None, {"target": "first_response", "due_at": "2026-11-02T10:00:00+00:00"}),
        # The same events as a person's escalation (tests/escalation/test_escalations.py).
        (
            EventKind.ESCALATED,
            None,
            {"team": {"id": service_desk.pk, "name": "Service Desk"}},
            {
                "escalation": escalation.pk,
                "team": {"id": network_team.pk, "name": "Network"},
                "vendor": None,
                "vendor_reference": "",
                "rule": "Rule on sla_breach",
            },
        ),
        (
            EventKind.TEAM_CHANGED,
            None,
            {"id": service_desk.pk, "name": "Service Desk"},
            {"id": network_team.pk, "name": "Network"},
        ),
        (EventKind.ASSIGNED, None, {"id": carol.pk, "name": str(carol)}, None),
        (
            EventKind.PRIORITY_CHANGED,
            None,
            {"impact": Impact.PERSON, "urgency": Urgency.DEGRADED, "priority": Priority.P4},
            {"impact": Impact.PERSON, "urgency": Urgency.DEGRADED, "priority": Priority.P3, "reason": reason},
        ),
        (EventKind.TAGS_CHANGED, None, [], ["escalated"]),
    ]

    # Running again (a second scan, or the hook itself) records and changes nothing.
    time_machine.move_to(T0 + minutes(62), tick=False)
    scan(T0 + minutes(62))
    assert run_for_sla_event(ticket, "first_response", "breach") == []
    assert firings() == [(rule.pk, ticket.pk, "sla_breach:first_response")]
    assert ticket.events.filter(kind=EventKind.PRIORITY_CHANGED).count() == 1
    ticket.refresh_from_db()
    assert ticket.escalation_count == 1
    assert (escalation.escalated_by, escalation.from_team, escalation.to_team) == (None, service_desk, network_team)
    assert escalation.symptoms == "Escalation rule “Rule on sla_breach”: SLA breach (first response)"


def test_rule_for_the_resolution_clock_ignores_first_response_crossings(alice, service_desk, standard, time_machine):
    time_machine.move_to(T0, tick=False)
    make_rule(RuleTrigger.SLA_BREACH, sla_target="resolution", add_tag="late")
    make_rule(RuleTrigger.SLA_WARNING, sla_target="resolution", add_tag="soon")
    ticket = open_ticket(alice)

    time_machine.move_to(T0 + minutes(61), tick=False)
    scan(T0 + minutes(61))
    assert firings() == []

    time_machine.move_to(T0 + minutes(200), tick=False)
    scan(T0 + minutes(200))
    assert [key for _rule, _ticket, key in firings(ticket)] == ["sla_warning:resolution"]
    assert list(ticket.tags.values_list("name", flat=True)) == ["soon"]


def test_warning_rule_notifies_the_teams_managers(alice, carol, erin, service_desk, standard, time_machine):
    time_machine.move_to(T0, tick=False)
    make_rule(RuleTrigger.SLA_WARNING, name="Tell the lead", notify_manager=True)
    ticket = open_ticket(alice, subject="Printer jams")

    time_machine.move_to(T0 + minutes(50), tick=False)
    scan(T0 + minutes(50))

    email = OutboxEmail.objects.get(kind="rule_fired")
    assert email.to == erin.email
    assert email.subject == f"[{ticket.reference}] Escalated: Printer jams"
    assert "Hello Erin," in email.body
    assert (
        f"The escalation rule “Tell the lead” fired for {ticket.reference}: SLA warning (first response)." in email.body
    )
    assert f"/agent/tickets/{ticket.reference}/" in email.body


# --- Periodic triggers --------------------------------------------------------------------------


def test_p1_created_rule_moves_new_p1_tickets_to_tier_2_once(alice, service_desk, network_team, time_machine):
    time_machine.move_to(T0, tick=False)
    rule = make_rule(RuleTrigger.P1_CREATED, move_to_tier=2)
    p1 = open_ticket(alice, "Site down", impact=Impact.ORGANISATION, urgency=Urgency.BLOCKED)
    p4 = open_ticket(alice, "Mouse squeaks")

    assert run_periodic_rules(T0 + minutes(1)) == 1
    assert run_periodic_rules(T0 + minutes(2)) == 0

    assert firings() == [(rule.pk, p1.pk, "p1_created")]
    p1.refresh_from_db()
    p4.refresh_from_db()
    assert p1.team == network_team
    assert p4.team == service_desk
    assert [(e.kind, e.actor_id, e.new_value) for e in p1.events.filter(kind=EventKind.TEAM_CHANGED)] == [
        (EventKind.TEAM_CHANGED, None, {"id": network_team.pk, "name": "Network"})
    ]


def test_p1_created_rule_leaves_tickets_created_before_it(alice, service_desk, network_team, time_machine):
    time_machine.move_to(T0, tick=False)
    open_ticket(alice, "Site down", impact=Impact.ORGANISATION, urgency=Urgency.BLOCKED)
    time_machine.move_to(T0 + minutes(5), tick=False)
    make_rule(RuleTrigger.P1_CREATED, move_to_tier=2)

    assert run_periodic_rules(T0 + minutes(6)) == 0


def test_reopened_n_times_fires_at_the_nth_reopening_once(alice, carol, service_desk, time_machine):
    time_machine.move_to(T0, tick=False)
    rule = make_rule(RuleTrigger.REOPENED_N_TIMES, threshold=2, raise_priority=True)
    ticket = open_ticket(alice)

    def resolve_and_reopen():
        ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Done.", acting_user=carol)
        ticket_reopen(ticket, acting_user=alice)

    resolve_and_reopen()
    assert run_periodic_rules(T0 + minutes(1)) == 0
    resolve_and_reopen()
    assert run_periodic_rules(T0 + minutes(2)) == 1
    resolve_and_reopen()
    assert run_periodic_rules(T0 + minutes(3)) == 0

    assert firings() == [(rule.pk, ticket.pk, "reopened_n_times")]
    ticket.refresh_from_db()
    assert ticket.priority == Priority.P3
    assert ticket.events.filter(kind=EventKind.PRIORITY_CHANGED).count() == 1


def test_unassigned_for_minutes_counts_from_creation_or_unassignment(alice, carol, erin, service_desk, time_machine):
    time_machine.move_to(T0, tick=False)
    rule = make_rule(RuleTrigger.UNASSIGNED_FOR_MINUTES, threshold=30, add_tag="waiting", notify_manager=True)
    waiting = open_ticket(alice, "Nobody took me")
    taken = open_ticket(alice, "Carol has me")
    ticket_assign(taken, carol, acting_user=carol)
    dropped = open_ticket(alice, "Carol let me go")
    ticket_assign(dropped, carol, acting_user=carol)
    time_machine.move_to(T0 + minutes(20), tick=False)
    ticket_assign(dropped, None, acting_user=carol)

    assert run_periodic_rules(T0 + minutes(29)) == 0
    assert run_periodic_rules(T0 + minutes(31)) == 1
    assert run_periodic_rules(T0 + minutes(51)) == 1
    assert run_periodic_rules(T0 + minutes(90)) == 0

    assert firings() == [
        (rule.pk, waiting.pk, "unassigned_for_minutes"),
        (rule.pk, dropped.pk, "unassigned_for_minutes"),
    ]
    assert list(waiting.tags.values_list("name", flat=True)) == ["waiting"]
    assert list(taken.tags.values_list("name", flat=True)) == []
    assert [(e.kind, e.to) for e in OutboxEmail.objects.filter(kind="rule_fired")] == [
        ("rule_fired", erin.email),
        ("rule_fired", erin.email),
    ]


def test_inactive_rules_are_ignored(alice, service_desk, network_team, standard, time_machine):
    time_machine.move_to(T0, tick=False)
    for trigger in (RuleTrigger.P1_CREATED, RuleTrigger.SLA_WARNING, RuleTrigger.SLA_BREACH):
        make_rule(trigger, move_to_team=network_team)
    make_rule(RuleTrigger.UNASSIGNED_FOR_MINUTES, threshold=1, move_to_team=network_team)
    EscalationRule.objects.update(is_active=False)
    ticket = open_ticket(alice, "Site down", impact=Impact.ORGANISATION, urgency=Urgency.BLOCKED)

    time_machine.move_to(T0 + minutes(300), tick=False)
    scan(T0 + minutes(300))
    assert run_periodic_rules(T0 + minutes(300)) == 0

    assert firings() == []
    ticket.refresh_from_db()
    assert ticket.team == service_desk


def test_resolved_tickets_are_left_alone(alice, carol, service_desk, time_machine):
    time_machine.move_to(T0, tick=False)
    make_rule(RuleTrigger.UNASSIGNED_FOR_MINUTES, threshold=5, add_tag="waiting")
    ticket = open_ticket(alice)
    ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Done.", acting_user=carol)
    ticket_assign(ticket, None, acting_user=carol)

    assert run_periodic_rules(T0 + minutes(60)) == 0


def test_beat_task_runs_the_periodic_rules(alice, service_desk, network_team, time_machine):
    time_machine.move_to(T0, tick=False)
    make_rule(RuleTrigger.P1_CREATED, move_to_team=network_team)
    open_ticket(alice, "Site down", impact=Impact.ORGANISATION, urgency=Urgency.BLOCKED)

    assert run_escalation_rules() == 1
    assert run_escalation_rules() == 0


# --- Validation ---------------------------------------------------------------------------------


def errors_of(**values):
    with pytest.raises(ApplicationError) as caught:
        make_rule(**values)
    return caught.value.extra["errors"]


def test_a_rule_moves_to_a_team_or_a_tier_not_both(network_team):
    errors = errors_of(trigger=RuleTrigger.SLA_BREACH, move_to_team=network_team, move_to_tier=2)
    assert errors == {"move_to_tier": ["Move to a team or to a tier, not both."]}


@pytest.mark.parametrize("trigger", [RuleTrigger.REOPENED_N_TIMES, RuleTrigger.UNASSIGNED_FOR_MINUTES])
def test_counted_triggers_need_a_positive_number(db, trigger):
    assert errors_of(trigger=trigger, add_tag="x") == {"threshold": ["This trigger needs a number."]}
    assert errors_of(trigger=trigger, threshold=0, add_tag="x") == {
        "threshold": ["The number must be greater than zero."]
    }


def test_other_triggers_take_no_number_and_every_rule_needs_an_action(db):
    assert errors_of(trigger=RuleTrigger.P1_CREATED, threshold=3, add_tag="x") == {
        "threshold": ["Only “reopened N times” and “unassigned for N minutes” take a number."]
    }
    assert errors_of(trigger=RuleTrigger.P1_CREATED) == {None: ["Choose at least one action."]}


def test_form_refuses_a_negative_number(db):
    form = RuleForm({"name": "Bounced", "trigger": RuleTrigger.REOPENED_N_TIMES, "threshold": -1, "add_tag": "x"})
    assert not form.is_valid()
    assert "threshold" in form.errors


# --- Manager pages ------------------------------------------------------------------------------


def test_manager_creates_a_rule_on_the_page(client, erin, network_team):
    client.force_login(erin)
    response = client.post(
        reverse("escalation:rule_new"),
        {
            "name": "P1 to Network",
            "trigger": RuleTrigger.P1_CREATED,
            "sla_target": "any",
            "move_to_team": network_team.pk,
            "notify_manager": "on",
        },
    )
    assert response.status_code == 302
    rule = EscalationRule.objects.get()
    assert (rule.name, rule.move_to_team, rule.notify_manager, rule.is_active) == (
        "P1 to Network",
        network_team,
        True,
        True,
    )
    listing = client.get(reverse("escalation:rule_list"))
    assert "P1 to Network" in listing.content.decode()


def test_page_shows_validation_errors(client, erin, network_team):
    client.force_login(erin)
    response = client.post(
        reverse("escalation:rule_new"),
        {
            "name": "Both",
            "trigger": RuleTrigger.SLA_BREACH,
            "sla_target": "any",
            "move_to_team": network_team.pk,
            "move_to_tier": 2,
        },
    )
    assert response.status_code == 400
    assert "Move to a team or to a tier, not both." in response.content.decode()
    assert not EscalationRule.objects.exists()


def test_manager_deactivates_a_rule(client, erin):
    rule = make_rule(RuleTrigger.P1_CREATED, add_tag="p1")
    client.force_login(erin)
    assert client.post(reverse("escalation:rule_deactivate", args=[rule.pk])).status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active


@pytest.mark.parametrize("persona", ["carol", "alice"])
def test_agents_and_requesters_may_not_manage_rules(db, client, request, persona):
    rule = make_rule(RuleTrigger.P1_CREATED, add_tag="p1")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("escalation:rule_list")).status_code == 403
    assert client.get(reverse("escalation:rule_edit", args=[rule.pk])).status_code == 403
    assert client.post(reverse("escalation:rule_deactivate", args=[rule.pk])).status_code == 403
    rule.refresh_from_db()
    assert rule.is_active


def test_beat_runs_the_rules_every_minute(settings):
    assert settings.CELERY_BEAT_SCHEDULE["escalation-rules"] == {"task": "escalation.run_rules", "schedule": 60.0}


def test_manager_edits_a_rule(client, erin, network_team):
    rule = make_rule(RuleTrigger.REOPENED_N_TIMES, threshold=3, add_tag="bounced")
    client.force_login(erin)
    assert client.get(reverse("escalation:rule_edit", args=[rule.pk])).status_code == 200
    assert client.get(reverse("escalation:rule_new")).status_code == 200

    response = client.post(
        reverse("escalation:rule_edit", args=[rule.pk]),
        {"name": "Bounced twice", "trigger": RuleTrigger.REOPENED_N_TIMES, "threshold": 2, "sla_target": "any",
         "move_to_tier": 2},
    )  # fmt: skip

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.threshold, rule.move_to_tier, rule.add_tag) == ("Bounced twice", 2, 2, "")
