"""SLA policies: validation, which policy a ticket gets, reading them, and clocks after a policy change."""

import datetime as dt
import time
from functools import partial

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from kombu import Connection

from escalation.policy_services import (
    policy_activate,
    policy_create,
    policy_deactivate,
    policy_move,
    policy_reorder,
    policy_update,
)
from escalation.recalculation import policy_recalculate_clocks
from escalation.services import calendar_create
from escalation.tasks import recalculate_policy_clocks
from helpdesk.celery import app as celery_app
from helpdesk.errors import ApplicationError
from tests.escalation.conftest import office_hours
from tickets.models import EventKind, Status, Ticket
from tickets.services import ticket_change_status, ticket_create, ticket_reply, ticket_resolve
from tickets.sla.models import BusinessCalendar, SlaPolicy
from tickets.sla.policies import active_policies, matching_policy

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


def minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def always_open(db):
    return BusinessCalendar.objects.create(name="Around the clock", is_24x7=True)


@pytest.fixture
def standard(always_open):
    """The default: every ticket, 1 h to respond, 4 h to resolve, around the clock."""
    with at(T0 - dt.timedelta(days=1)):
        return policy_create(
            name="Standard", calendar=always_open, first_response_minutes=60, resolution_minutes=240, acting_user=None
        )


def valid(calendar, **fields) -> dict:
    return {
        "name": "Priority one",
        "calendar": calendar,
        "first_response_minutes": 15,
        "resolution_minutes": 120,
        **fields,
    }


def open_ticket(requester, subject="VPN down", **fields) -> Ticket:
    return ticket_create(
        requester=requester, subject=subject, description="It is down.", acting_user=requester, **fields
    )


def started(ticket: Ticket) -> dt.datetime:
    """When the ticket's clocks started: clocks count whole seconds."""
    return ticket.created_at.replace(microsecond=0)


def named(policy):
    """A policy as an event names it, without the targets and version it also keeps."""
    if not isinstance(policy, dict) or "version" not in policy:
        return policy
    return {"id": policy["id"], "name": policy["name"]}


def sla_events(ticket: Ticket) -> list[tuple[str, object, object]]:
    return [
        (event.kind, named(event.old_value), named(event.new_value))
        for event in ticket.events.order_by("id")
        if event.kind.startswith("sla_")
    ]


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [0, -30])
@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("first_response_minutes", "The first-response target must be a whole number of business minutes, "
                                   "greater than zero."),
        ("resolution_minutes", "The resolution target must be a whole number of business minutes, greater than zero."),
    ],
)  # fmt: skip
def test_zero_and_negative_targets_are_refused(erin, always_open, field, message, target):
    with pytest.raises(ApplicationError) as refused:
        policy_create(**valid(always_open, **{field: target}), acting_user=erin)

    assert refused.value.extra["errors"] == {field: message}
    assert not SlaPolicy.objects.exists()


@pytest.mark.parametrize("target", [1.5, "ten", None, True])
def test_a_target_must_be_whole_minutes(erin, always_open, target):
    with pytest.raises(ApplicationError) as refused:
        policy_create(**valid(always_open, first_response_minutes=target), acting_user=erin)

    assert "first_response_minutes" in refused.value.extra["errors"]


def test_an_absurdly_long_target_is_refused(erin, always_open):
    with pytest.raises(ApplicationError) as refused:
        policy_create(**valid(always_open, resolution_minutes=10**9), acting_user=erin)

    assert refused.value.extra["errors"] == {
        "resolution_minutes": "A target can be at most 1,000,000 business minutes."
    }


@pytest.mark.parametrize("percent", [0, 100, -5, 150])
def test_a_warning_outside_1_to_99_percent_is_refused(erin, always_open, percent):
    with pytest.raises(ApplicationError) as refused:
        policy_create(**valid(always_open, warning_percent=percent), acting_user=erin)

    assert refused.value.extra["errors"] == {"warning_percent": "The warning must be a whole percentage from 1 to 99."}


@pytest.mark.parametrize("percent", [1, 99])
def test_warnings_at_1_and_99_percent_are_accepted(erin, always_open, percent):
    assert policy_create(**valid(always_open, warning_percent=percent), acting_user=erin).warning_percent == percent


def test_a_resolution_target_shorter_than_the_response_target_is_refused(erin, always_open):
    with pytest.raises(ApplicationError) as refused:
        policy_create(**valid(always_open, first_response_minutes=120, resolution_minutes=60), acting_user=erin)

    assert refused.value.extra["errors"] == {
        "resolution_minutes": "The resolution target cannot be shorter than the first-response target."
    }


def test_equal_response_and_resolution_targets_are_accepted(erin, always_open):
    policy = policy_create(**valid(always_open, first_response_minutes=60, resolution_minutes=60), acting_user=erin)

    assert (policy.first_response_minutes, policy.resolution_minutes) == (60, 60)


def test_an_update_cannot_shorten_resolution_below_the_response_target(erin, standard):
    with pytest.raises(ApplicationError) as refused:
        policy_update(standard, resolution_minutes=30, acting_user=erin)

    assert "resolution_minutes" in refused.value.extra["errors"]
    standard.refresh_from_db()
    assert standard.resolution_minutes == 240


def test_an_unknown_ticket_type_is_refused(erin, always_open):
    with pytest.raises(ApplicationError) as refused:
        policy_create(**valid(always_open, types=["incident", "complaint"]), acting_user=erin)

    assert refused.value.extra["errors"] == {"types": "Unknown ticket type: complaint."}


@pytest.mark.parametrize("priority", [0, 5, "P1"])
def test_priorities_outside_p1_to_p4_are_refused(erin, always_open, priority):
    with pytest.raises(ApplicationError) as refused:
        policy_create(**valid(always_open, priorities=[1, priority]), acting_user=erin)

    assert refused.value.extra["errors"] == {"priorities": "Priorities are P1 to P4."}


def test_a_policy_needs_a_name_and_a_calendar(erin):
    with pytest.raises(ApplicationError) as refused:
        policy_create(**valid(None, name="  "), acting_user=erin)

    assert refused.value.extra["errors"] == {
        "name": "Give the policy a name.",
        "calendar": "Choose the business calendar the targets are counted in.",
    }


def test_policy_names_are_unique_whatever_the_case(erin, standard, always_open):
    with pytest.raises(ApplicationError) as refused:
        policy_create(**valid(always_open, name="STANDARD"), acting_user=erin)

    assert refused.value.extra["errors"] == {"name": "A policy named “STANDARD” already exists."}


def test_every_problem_is_reported_at_once(erin, always_open):
    with pytest.raises(ApplicationError) as refused:
        policy_create(
            **valid(always_open, first_response_minutes=0, warning_percent=100, types=["complaint"]), acting_user=erin
        )

    assert set(refused.value.extra["errors"]) == {"first_response_minutes", "warning_percent", "types"}


def test_conditions_are_stored_deduplicated_and_in_a_stable_order(erin, always_open, service_desk, acme):
    policy = policy_create(
        **valid(always_open, priorities=[2, 1, 2], types=["question", "incident"]),
        organisations=[acme],
        teams=[service_desk, service_desk],
        acting_user=erin,
    )

    assert (policy.priorities, policy.types) == ([1, 2], ["incident", "question"])
    assert list(policy.teams.all()) == [service_desk]
    assert list(policy.organisations.all()) == [acme]


# --- who may change policies ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_requesters_and_agents_may_not_change_policies(request, persona, standard, always_open):
    user = request.getfixturevalue(persona)

    for attempt in (
        lambda: policy_create(**valid(always_open), acting_user=user),
        lambda: policy_update(standard, resolution_minutes=480, acting_user=user),
        lambda: policy_deactivate(standard, acting_user=user),
        lambda: policy_reorder([standard], acting_user=user),
        lambda: policy_move(standard, 1, acting_user=user),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    standard.refresh_from_db()
    assert (standard.resolution_minutes, standard.is_active, SlaPolicy.objects.count()) == (240, True, 1)


@pytest.mark.parametrize("persona", ["erin", "ada"])
def test_managers_and_admins_change_policies(request, persona, standard):
    policy = policy_update(standard, resolution_minutes=480, acting_user=request.getfixturevalue(persona))

    assert policy.resolution_minutes == 480


# --- which policy applies ---------------------------------------------------------------------


def test_the_first_active_policy_that_matches_wins(alice, service_desk, erin, standard, always_open):
    urgent = policy_create(**valid(always_open, name="P4 incidents", priorities=[4]), acting_user=erin)
    acme_only = policy_create(**valid(always_open, name="Acme"), organisations=[alice.organisation], acting_user=erin)
    policy_reorder([urgent, acme_only, standard], acting_user=erin)
    ticket = open_ticket(alice)  # P4, an incident, from Acme: all three match

    assert matching_policy(ticket) == urgent

    policy_move(acme_only, -1, acting_user=erin)

    assert matching_policy(ticket) == acme_only


def test_a_policy_without_conditions_matches_every_ticket(alice, oscar, service_desk, standard):
    for ticket in (open_ticket(alice), open_ticket(oscar, type="question")):
        assert matching_policy(ticket) == standard


def test_every_non_empty_condition_must_match(alice, oscar, service_desk, erin, always_open):
    policy = policy_create(
        **valid(always_open, priorities=[4], types=["incident"]), organisations=[alice.organisation], acting_user=erin
    )

    assert matching_policy(open_ticket(alice)) == policy
    assert matching_policy(open_ticket(alice, type="question")) is None
    assert matching_policy(open_ticket(oscar)) is None


def test_inactive_policies_are_skipped(alice, service_desk, erin, standard, always_open):
    first = policy_create(**valid(always_open, name="First"), acting_user=erin)
    policy_reorder([first, standard], acting_user=erin)
    policy_deactivate(first, acting_user=erin)
    ticket = open_ticket(alice)

    assert matching_policy(ticket) == standard

    policy_activate(first, acting_user=erin)

    assert matching_policy(ticket) == first


def test_a_new_policy_is_tried_after_the_existing_ones(erin, standard, always_open):
    second = policy_create(**valid(always_open, name="Second"), acting_user=erin)
    third = policy_create(**valid(always_open, name="Third"), acting_user=erin)

    assert list(SlaPolicy.objects.all()) == [standard, second, third]


def test_a_reorder_must_name_every_policy_once(erin, standard, always_open):
    other = policy_create(**valid(always_open), acting_user=erin)

    for stale in ([standard], [standard, other, other], [standard, other, 999_999]):
        with pytest.raises(ApplicationError):
            policy_reorder(stale, acting_user=erin)
    assert list(SlaPolicy.objects.all()) == [standard, other]


def test_moving_the_first_policy_up_changes_nothing(erin, standard, always_open):
    other = policy_create(**valid(always_open), acting_user=erin)

    policy_move(standard, -1, acting_user=erin)
    policy_move(other, 1, acting_user=erin)

    assert list(SlaPolicy.objects.all()) == [standard, other]


# --- read fresh on every clock refresh --------------------------------------------------------------------


def test_the_policies_and_all_their_conditions_come_in_one_query(
    erin, standard, always_open, service_desk, network_team, acme, globex, django_assert_num_queries
):
    from tickets.models import Category

    hardware, network = Category.objects.create(name="Hardware"), Category.objects.create(name="Network")
    policy_create(
        **valid(always_open, categories=[hardware, network], organisations=[acme, globex], teams=[service_desk]),
        acting_user=erin,
    )
    policy_create(**valid(always_open, name="Network team", teams=[network_team, service_desk]), acting_user=erin)

    with django_assert_num_queries(1):
        policies = active_policies()

    assert [(c.policy.name, c.categories, c.organisations, c.teams) for c in policies] == [
        ("Standard", frozenset(), frozenset(), frozenset()),
        ("Priority one", {hardware.pk, network.pk}, {acme.pk, globex.pk}, {service_desk.pk}),
        ("Network team", frozenset(), frozenset(), {network_team.pk, service_desk.pk}),
    ]


def test_the_policies_follow_an_update_made_in_the_same_instant(erin, standard):
    with at(T0):
        assert active_policies()[0].policy.resolution_minutes == 240
        policy_update(standard, resolution_minutes=480, acting_user=erin)

        assert active_policies()[0].policy.resolution_minutes == 480


def test_the_policies_follow_a_change_of_conditions_only(erin, standard, service_desk):
    with at(T0):
        assert active_policies()[0].teams == frozenset()
        policy_update(standard, teams=[service_desk], acting_user=erin)

        assert active_policies()[0].teams == {service_desk.pk}


def test_the_policies_follow_deactivation_and_reordering(erin, standard, always_open):
    with at(T0):
        other = policy_create(**valid(always_open), acting_user=erin)
        assert [c.policy for c in active_policies()] == [standard, other]
        policy_move(other, -1, acting_user=erin)

        assert [c.policy for c in active_policies()] == [other, standard]

        policy_deactivate(other, acting_user=erin)

        assert [c.policy for c in active_policies()] == [standard]


def test_an_update_that_changes_nothing_leaves_the_policy_untouched(erin, standard, django_capture_on_commit_callbacks):
    before = standard.updated_at

    with django_capture_on_commit_callbacks() as callbacks:
        policy_update(standard, name="Standard", resolution_minutes=240, acting_user=erin)

    standard.refresh_from_db()
    assert standard.updated_at == before
    assert callbacks == []


# --- clocks after a policy change -------------------------------------------------------------


def test_a_new_target_moves_the_due_time_of_a_running_ticket(alice, erin, service_desk, standard):
    with at(T0):
        ticket = open_ticket(alice)
    version = Ticket.objects.get(pk=ticket.pk).version
    with at(T0 + minutes(30)):
        policy_update(standard, resolution_minutes=480, warning_percent=50, acting_user=erin)
    with at(T0 + minutes(40)):
        moved = policy_recalculate_clocks(standard.pk, acting_user=erin)

    ticket.refresh_from_db()
    assert moved == 1
    # 40 of the new 480 minutes are used; the response target (60 min) did not change.
    assert ticket.resolution_due_at == T0 + minutes(480)
    assert ticket.resolution_warn_at == T0 + minutes(240)
    assert ticket.first_response_due_at == T0 + minutes(60)
    # 40 minutes used against a 30-minute warning: it fell due at 09:30 and stays there.
    assert ticket.first_response_warn_at == T0 + minutes(30)
    assert ticket.sla_running_since == T0 + minutes(40)
    assert (ticket.first_response_used_s, ticket.resolution_used_s) == (40 * 60, 40 * 60)
    assert ticket.version == version + 1
    assert sla_events(ticket) == [
        (EventKind.SLA_POLICY_CHANGED, None, {"id": standard.pk, "name": "Standard"}),
    ]


def test_a_shorter_target_already_used_up_is_due_at_once(alice, erin, service_desk, standard):
    with at(T0):
        ticket = open_ticket(alice)
    with at(T0 + minutes(90)):
        policy_update(standard, first_response_minutes=30, resolution_minutes=60, acting_user=erin)
        policy_recalculate_clocks(standard.pk, acting_user=erin)

    ticket.refresh_from_db()
    # Both targets were used up before the change: due when they ran out, overdue since.
    assert ticket.first_response_due_at == T0 + minutes(30)
    assert ticket.resolution_due_at == T0 + minutes(60)


def test_a_paused_ticket_stays_paused_with_its_used_time_kept(alice, carol, erin, service_desk, standard):
    with at(T0):
        ticket = open_ticket(alice)
    with at(T0 + minutes(10)):
        ticket_reply(ticket, "Which client version?", acting_user=carol)
    with at(T0 + minutes(20)):
        ticket_change_status(ticket, Status.PENDING, acting_user=carol)
    ticket.refresh_from_db()
    version, events = ticket.version, sla_events(ticket)

    with at(T0 + minutes(60)):
        policy_update(standard, resolution_minutes=480, acting_user=erin)
        assert policy_recalculate_clocks(standard.pk, acting_user=erin) == 0

    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert (ticket.resolution_due_at, ticket.sla_running_since) == (None, None)
    assert (ticket.first_response_used_s, ticket.resolution_used_s) == (10 * 60, 20 * 60)
    assert (ticket.version, sla_events(ticket)) == (version, events)

    with at(T0 + minutes(100)):
        ticket_reply(ticket, "5.2", acting_user=alice)

    ticket.refresh_from_db()
    # The new target counts from the 20 minutes used before the pause.
    assert ticket.resolution_due_at == T0 + minutes(100) + minutes(460)


def test_no_longer_pausing_on_pending_resumes_a_pending_ticket(alice, carol, erin, service_desk, standard):
    with at(T0):
        ticket = open_ticket(alice)
        ticket_change_status(ticket, Status.PENDING, acting_user=carol)
    with at(T0 + minutes(30)):
        policy_update(standard, pause_on_pending=False, acting_user=erin)
        policy_recalculate_clocks(standard.pk, acting_user=erin)

    ticket.refresh_from_db()
    assert ticket.resolution_due_at == T0 + minutes(30) + minutes(240)
    assert sla_events(ticket)[-2:] == [
        (EventKind.SLA_PAUSED, None, {"status": "pending"}),
        (EventKind.SLA_RESUMED, None, {"status": "pending"}),
    ]


def test_a_ticket_that_now_matches_another_policy_records_the_change(alice, erin, service_desk, standard, always_open):
    with at(T0):
        ticket = open_ticket(alice)
    with at(T0 + minutes(20)):
        acme = policy_create(
            **valid(always_open, name="Acme", first_response_minutes=30, resolution_minutes=480),
            organisations=[alice.organisation],
            acting_user=erin,
        )
        policy_move(acme, -1, acting_user=erin)
    with at(T0 + minutes(25)):
        assert policy_recalculate_clocks(acme.pk, acting_user=erin) == 1

    ticket.refresh_from_db()
    assert ticket.sla_policy == acme
    # The 25 minutes already used count against the new targets.
    assert ticket.first_response_due_at == T0 + minutes(30)
    assert ticket.resolution_due_at == T0 + minutes(480)
    changed = ticket.events.filter(kind=EventKind.SLA_POLICY_CHANGED).order_by("id").last()
    assert changed.new_value["version"] == acme.version
    assert (changed.actor, named(changed.old_value), named(changed.new_value)) == (
        erin,
        {"id": standard.pk, "name": "Standard"},
        {"id": acme.pk, "name": "Acme"},
    )


def test_a_deactivated_policy_hands_its_tickets_on_or_stops_their_clock(alice, oscar, erin, service_desk, always_open):
    acme = policy_create(**valid(always_open, name="Acme"), organisations=[alice.organisation], acting_user=erin)
    fallback = policy_create(
        **valid(always_open, name="Questions", resolution_minutes=600), types=["question"], acting_user=erin
    )
    with at(T0):
        incident = open_ticket(alice)
        question = open_ticket(alice, subject="How do I?", type="question")
    with at(T0 + minutes(10)):
        policy_deactivate(acme, acting_user=erin)
        policy_recalculate_clocks(acme.pk, acting_user=erin)

    incident.refresh_from_db()
    question.refresh_from_db()
    assert (incident.sla_policy, incident.resolution_due_at, incident.first_response_due_at) == (None, None, None)
    assert incident.resolution_used_s == 10 * 60
    assert (question.sla_policy, question.resolution_due_at) == (fallback, T0 + minutes(600))
    assert sla_events(incident)[-1] == (EventKind.SLA_POLICY_CHANGED, {"id": acme.pk, "name": "Acme"}, None)


def test_a_first_policy_starts_the_clocks_of_open_tickets_that_had_none(alice, erin, service_desk, always_open):
    with at(T0):
        ticket = open_ticket(alice)
    assert ticket.resolution_due_at is None

    with at(T0 + minutes(30)):
        policy = policy_create(**valid(always_open, name="Default"), acting_user=erin)
        policy_recalculate_clocks(policy.pk, acting_user=erin)

    ticket.refresh_from_db()
    assert (ticket.sla_policy, ticket.resolution_due_at) == (policy, T0 + minutes(30) + minutes(120))


def test_resolved_and_closed_tickets_keep_their_history(alice, carol, erin, service_desk, standard):
    with at(T0):
        ticket = open_ticket(alice)
    with at(T0 + minutes(30)):
        ticket_resolve(ticket, code="fixed", summary="Restarted", acting_user=carol)
    ticket.refresh_from_db()
    version = ticket.version

    with at(T0 + minutes(40)):
        policy_deactivate(standard, acting_user=erin)
        assert policy_recalculate_clocks(standard.pk, acting_user=erin) == 0

    ticket.refresh_from_db()
    assert (ticket.sla_policy, ticket.resolution_used_s, ticket.version) == (standard, 30 * 60, version)


def test_tickets_of_other_policies_that_cannot_match_are_not_touched(alice, oscar, erin, service_desk, standard):
    always_open = standard.calendar
    acme = policy_create(**valid(always_open, name="Acme"), organisations=[alice.organisation], acting_user=erin)
    with at(T0):
        globex_ticket = open_ticket(oscar)
    version = Ticket.objects.get(pk=globex_ticket.pk).version
    with at(T0 + minutes(5)):
        policy_update(acme, resolution_minutes=480, acting_user=erin)
        policy_recalculate_clocks(acme.pk, acting_user=erin)

    assert Ticket.objects.get(pk=globex_ticket.pk).version == version


def test_recalculating_twice_changes_nothing_the_second_time(alice, erin, service_desk, standard):
    with at(T0):
        ticket = open_ticket(alice)
    with at(T0 + dt.timedelta(minutes=30, microseconds=654_321)):
        policy_update(standard, resolution_minutes=480, acting_user=erin)
        assert policy_recalculate_clocks(standard.pk, acting_user=erin) == 1
    ticket.refresh_from_db()
    state = (ticket.version, ticket.resolution_due_at, sla_events(ticket))

    with at(T0 + dt.timedelta(minutes=50, microseconds=123_456)):
        assert policy_recalculate_clocks(standard.pk, acting_user=erin) == 0

    ticket.refresh_from_db()
    assert (ticket.version, ticket.resolution_due_at, sla_events(ticket)) == state


def test_a_calendar_switch_counts_the_time_before_it_in_the_old_calendar(
    alice, erin, service_desk, standard, django_capture_on_commit_callbacks
):
    """Created Monday 09:00 on a 24×7 policy; at 20:00 the manager moves it to office hours."""
    office = calendar_create("Office", "UTC", intervals=office_hours(), acting_user=None)
    policy_update(standard, resolution_minutes=24 * 60, acting_user=erin)
    with at(T0):
        ticket = open_ticket(alice)
    with at(T0 + dt.timedelta(hours=11)), django_capture_on_commit_callbacks() as queued:
        policy_update(standard, calendar=office, acting_user=erin)
    with at(T0 + dt.timedelta(hours=12)):
        # The task as the worker runs it, with the arguments queued on commit.
        for callback in queued:
            recalculate_policy_clocks(**callback.keywords)

    ticket.refresh_from_db()
    # 11 hours ran around the clock; the remaining 13 are office hours from Monday 21:00:
    # Tuesday 8 h, Wednesday 5 h.
    assert ticket.resolution_used_s == 11 * 3600
    assert ticket.resolution_due_at == dt.datetime(2026, 11, 4, 14, 0, tzinfo=dt.UTC)


def test_a_calendar_switch_on_an_overdue_ticket_still_keeps_the_old_calendars_time(
    alice, erin, service_desk, standard, django_capture_on_commit_callbacks
):
    office = calendar_create("Office", "UTC", intervals=office_hours(), acting_user=None)
    with at(T0):
        ticket = open_ticket(alice)  # 60 and 240 minutes: both long overdue by 20:00
    with at(T0 + dt.timedelta(hours=11)), django_capture_on_commit_callbacks() as queued:
        policy_update(standard, calendar=office, acting_user=erin)
    with at(T0 + dt.timedelta(hours=12)):
        for callback in queued:
            recalculate_policy_clocks(**callback.keywords)

    ticket.refresh_from_db()
    assert (ticket.first_response_used_s, ticket.resolution_used_s) == (11 * 3600, 11 * 3600)
    # From here on the office calendar counts: nothing until Tuesday 09:00.
    assert ticket.sla_running_since == T0 + dt.timedelta(hours=12)


# --- queued on commit ---------------------------------------------------------------------------


@pytest.fixture
def eager_celery(monkeypatch):
    """Tasks run in-process when queued, so a test sees the worker's effect on its own transaction."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def test_a_policy_change_queues_the_recalculation_on_commit(
    alice, erin, service_desk, standard, eager_celery, django_capture_on_commit_callbacks
):
    ticket = open_ticket(alice)

    with django_capture_on_commit_callbacks() as callbacks:
        policy_update(standard, resolution_minutes=480, acting_user=erin)
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == started(ticket) + minutes(240)  # nothing happens before the commit

    for callback in callbacks:
        callback()

    ticket.refresh_from_db()
    assert ticket.resolution_due_at == started(ticket) + minutes(480)


def test_renaming_a_policy_recalculates_nothing(erin, standard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        policy_update(standard, name="Default", acting_user=erin)

    assert callbacks == []
    assert SlaPolicy.objects.get().name == "Default"


def test_a_reorder_queues_only_the_policies_that_changed_places(
    erin, standard, always_open, django_capture_on_commit_callbacks
):
    second = policy_create(**valid(always_open, name="Second"), acting_user=erin)
    third = policy_create(**valid(always_open, name="Third"), acting_user=erin)

    with django_capture_on_commit_callbacks() as callbacks:
        policy_move(third, -1, acting_user=erin)

    assert sorted(callback.keywords["policy_id"] for callback in callbacks) == sorted([second.pk, third.pk])


def test_with_the_broker_down_the_recalculation_runs_in_the_request(
    alice, erin, service_desk, standard, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    ticket = open_ticket(alice)
    # Nothing listens on port 1: the connection is refused at once.
    unreachable = partial(Connection, "redis://127.0.0.1:1/0", connect_timeout=1)
    monkeypatch.setattr(recalculate_policy_clocks.app, "connection_for_write", unreachable)

    with django_capture_on_commit_callbacks(execute=True):
        policy_update(standard, resolution_minutes=480, acting_user=erin)

    ticket.refresh_from_db()
    assert ticket.resolution_due_at == started(ticket) + minutes(480)
    assert "broker unreachable" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_recalculates_after_the_commit(celery_worker, acme, alice, erin, service_desk, always_open):
    policy = policy_create(
        name="Standard", calendar=always_open, first_response_minutes=60, resolution_minutes=240, acting_user=None
    )
    ticket = open_ticket(alice)

    policy_update(policy, resolution_minutes=480, acting_user=erin)

    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20)
    while dt.datetime.now(dt.UTC) < deadline:
        ticket.refresh_from_db()
        if ticket.resolution_due_at == started(ticket) + minutes(480):
            break
        time.sleep(0.2)
    assert ticket.resolution_due_at == started(ticket) + minutes(480)
    assert ticket.version == 2
