"""Escalation: to another team or a vendor with a handover note, the coordinator, send back, rules alike, KPIs."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from escalation.models import RuleTrigger
from escalation.rule_services import rule_create
from escalation.rules import run_for_sla_event
from helpdesk.errors import ApplicationError, ConflictError
from kpis.export import export_figures
from notifications.models import OutboxEmail
from tickets import queues
from tickets.facts import facts_from_events, mismatches
from tickets.models import Escalation, EventKind, Status, Ticket, TicketEvent, Vendor
from tickets.permissions import works_on
from tickets.services import ticket_assign, ticket_create, ticket_resolve
from tickets.services.escalation import escalation_send_back, ticket_escalate

HANDOVER = {"symptoms": "VPN drops every 10 min", "tried": "Reinstalled client", "diagnostics": "Log: IKE timeout"}


def who(user):
    return {"id": user.pk, "name": user.full_name}


def team(t):
    return None if t is None else {"id": t.pk, "name": t.name}


def refreshed(ticket):
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def ticket(alice, carol, service_desk):
    ticket = ticket_create(requester=alice, subject="VPN drops", description="Every few minutes.", acting_user=alice)
    return ticket_assign(ticket, carol, acting_user=carol)


@pytest.fixture
def acme_vendor(db):
    return Vendor.objects.create(name="Acme Networks", contact_email="support@acmenet.example")


def escalate(ticket, by, **kwargs):
    return ticket_escalate(ticket, acting_user=by, **{**HANDOVER, **kwargs})


# --- Who may escalate ---------------------------------------------------------------------


def test_another_teams_agent_may_not_escalate_a_service_desk_ticket(ticket, dave, network_team):
    with pytest.raises(PermissionDenied):
        escalate(ticket, dave, to_team=network_team)
    assert not Escalation.objects.exists()


def test_the_requester_may_not_escalate(ticket, alice, network_team):
    with pytest.raises(PermissionDenied):
        escalate(ticket, alice, to_team=network_team)


# --- Validation ---------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["symptoms", "tried", "diagnostics"])
def test_each_handover_field_is_required(ticket, carol, network_team, missing):
    with pytest.raises(ApplicationError) as refused:
        escalate(ticket, carol, to_team=network_team, **{missing: "   "})
    assert refused.value.extra == {"field": missing}
    assert refreshed(ticket).escalation_count == 0


def test_a_team_or_a_vendor_not_both_nor_neither(ticket, carol, network_team, acme_vendor):
    with pytest.raises(ApplicationError):
        escalate(ticket, carol, to_team=network_team, vendor=acme_vendor)
    with pytest.raises(ApplicationError):
        escalate(ticket, carol)


def test_escalating_to_the_same_team_is_refused(ticket, carol, service_desk):
    with pytest.raises(ApplicationError) as refused:
        escalate(ticket, carol, to_team=service_desk)
    assert refused.value.extra == {"field": "to_team"}


def test_a_resolved_ticket_cannot_be_escalated(ticket, carol, network_team):
    ticket_resolve(ticket, acting_user=carol, code="fixed", summary="Done.")
    with pytest.raises(ConflictError):
        escalate(ticket, carol, to_team=network_team)


# --- Escalating to a team ----------------------------------------------------------------


def test_escalation_to_a_team_records_the_exact_events_and_moves_the_ticket(ticket, carol, service_desk, network_team):
    before = ticket.events.count()

    escalation = escalate(ticket, carol, to_team=network_team)

    ticket = refreshed(ticket)
    assert (ticket.team, ticket.assignee, ticket.escalation_count) == (network_team, None, 1)
    events = [(e.kind, e.old_value, e.new_value, e.actor) for e in ticket.events.order_by("created_at", "id")[before:]]
    assert events == [
        (
            EventKind.ESCALATED,
            {"team": team(service_desk)},
            {"escalation": escalation.pk, "team": team(network_team), "vendor": None, "vendor_reference": ""},
            carol,
        ),
        (EventKind.TEAM_CHANGED, team(service_desk), team(network_team), carol),
        (EventKind.ASSIGNED, who(carol), None, carol),
    ]
    assert (escalation.from_team, escalation.to_team, escalation.escalated_by) == (service_desk, network_team, carol)
    assert (escalation.symptoms, escalation.tried, escalation.diagnostics) == tuple(HANDOVER.values())


def test_the_requester_is_told_in_plain_words(ticket, carol, alice, network_team):
    escalate(ticket, carol, to_team=network_team)

    email = OutboxEmail.objects.get(kind="escalated")
    assert email.to == alice.email
    assert "passed your request" in email.body and "specialists" in email.body
    assert "Network" not in email.body  # internal team names stay internal


def test_coordinator_keeps_access_and_sees_it_under_escalated_by_me(client, ticket, carol, network_team):
    escalate(ticket, carol, to_team=network_team)
    ticket = refreshed(ticket)

    assert works_on(carol, ticket)
    assert list(queues.view_queryset(carol, queues.View.ESCALATED)) == [ticket]
    assert queues.view_counts(carol)["escalated"] == 1
    client.force_login(carol)
    assert client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).status_code == 200
    page = client.get(reverse("tickets:agent_queue"), {"view": "escalated"})
    assert ticket.reference in page.content.decode()


def test_receiving_team_sees_the_handover_at_the_top_of_the_ticket(client, ticket, carol, dave, network_team):
    escalate(ticket, carol, to_team=network_team)
    client.force_login(dave)

    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()

    assert 'data-testid="handover"' in page
    assert all(text in page for text in HANDOVER.values())
    assert "Carol Nguyen" in page
    assert 'data-testid="send-back-form"' in page


def test_escalation_form_page_escalates_and_shows_missing_fields(client, ticket, carol, network_team):
    client.force_login(carol)
    url = reverse("tickets:escalation_new", args=[ticket.reference])
    assert client.get(url).status_code == 200

    refused = client.post(url, {"to_team": network_team.pk, "version": ticket.version, "symptoms": "x", "tried": "y"})
    assert refused.status_code == 400
    assert "diagnostics gathered" in refused.content.decode()

    done = client.post(url, {"to_team": network_team.pk, "version": ticket.version, **HANDOVER})
    assert done.status_code == 302
    assert refreshed(ticket).team == network_team


def test_another_teams_agent_cannot_open_the_escalation_page(client, ticket, dave, network_team):
    client.force_login(dave)
    response = client.get(reverse("tickets:escalation_new", args=[ticket.reference]))
    assert response.status_code in (403, 404)


# --- Escalating to a vendor --------------------------------------------------------------


def test_escalation_to_a_vendor_keeps_the_team_and_the_vendor_reference(
    ticket, carol, alice, service_desk, acme_vendor
):
    escalation = escalate(ticket, carol, vendor=acme_vendor, vendor_reference="CASE-42")

    ticket = refreshed(ticket)
    assert (ticket.team, ticket.assignee, ticket.escalation_count) == (service_desk, carol, 1)
    last = ticket.events.order_by("-created_at", "-id").first()
    assert (last.kind, last.new_value) == (
        EventKind.ESCALATED,
        {"escalation": escalation.pk, "team": None, "vendor": {"id": acme_vendor.pk, "name": "Acme Networks"},
         "vendor_reference": "CASE-42"},
    )  # fmt: skip
    assert "Acme Networks" in OutboxEmail.objects.get(kind="escalated").body


# --- Sending back -------------------------------------------------------------------------


def test_only_the_receiving_team_may_send_back(ticket, carol, erin, alice, network_team):
    escalation = escalate(ticket, carol, to_team=network_team)
    for outsider in (carol, erin, alice):
        with pytest.raises(PermissionDenied):
            escalation_send_back(escalation, reason="Not ours", acting_user=outsider)


def test_send_back_needs_a_reason(ticket, carol, dave, network_team):
    escalation = escalate(ticket, carol, to_team=network_team)
    with pytest.raises(ApplicationError) as refused:
        escalation_send_back(escalation, reason=" ", acting_user=dave)
    assert refused.value.extra == {"field": "reason"}


def test_send_back_returns_the_ticket_and_tells_the_coordinator(ticket, carol, dave, service_desk, network_team):
    escalation = escalate(ticket, carol, to_team=network_team)
    before = ticket.events.count()

    escalation_send_back(escalation, reason="Printer, not network", acting_user=dave)

    ticket, escalation = refreshed(ticket), Escalation.objects.get(pk=escalation.pk)
    assert ticket.team == service_desk
    assert escalation.returned_at is not None and escalation.return_reason == "Printer, not network"
    events = [(e.kind, e.old_value, e.new_value, e.actor) for e in ticket.events.order_by("created_at", "id")[before:]]
    assert events == [
        (
            EventKind.ESCALATION_RETURNED,
            {"team": team(network_team)},
            {"escalation": escalation.pk, "reason": "Printer, not network", "team": team(service_desk)},
            dave,
        ),
        (EventKind.TEAM_CHANGED, team(network_team), team(service_desk), dave),
    ]
    assert (ticket.escalation_count, ticket.events.filter(kind=EventKind.ESCALATED).count()) == (1, 1)
    email = OutboxEmail.objects.get(kind="escalated_sent_back")
    assert email.to == carol.email and "Printer, not network" in email.body
    assert list(queues.view_queryset(carol, queues.View.ESCALATED)) == []
    with pytest.raises(ConflictError):
        escalation_send_back(escalation, reason="again", acting_user=dave)


def test_a_tier_2_ticket_sent_back_by_the_service_desk_returns_to_network(
    alice, dave, carol, service_desk, network_team
):
    """Any team may escalate to any other (here tier 2 to tier 1); the receiving team sends it back."""
    ticket = ticket_create(
        requester=alice, subject="Switch", description="Port down.", acting_user=dave, team=network_team
    )
    escalation = escalate(ticket, dave, to_team=service_desk)
    assert works_on(dave, refreshed(ticket))
    escalation_send_back(escalation, reason="Network issue", acting_user=carol)
    assert refreshed(ticket).team == network_team


def test_send_back_view_for_the_receiving_team(client, ticket, carol, dave, network_team):
    escalation = escalate(ticket, carol, to_team=network_team)
    client.force_login(dave)
    url = reverse("tickets:escalation_send_back", args=[ticket.reference, escalation.pk])

    response = client.post(url, {"reason": "Not a network fault"})

    assert response.status_code == 302
    assert refreshed(ticket).status != Status.CLOSED
    assert Escalation.objects.get(pk=escalation.pk).returned_at is not None


def test_the_ticket_history_shows_a_send_back_with_its_reason(client, ticket, carol, dave, network_team):
    escalation = escalate(ticket, carol, to_team=network_team)
    escalation_send_back(escalation, reason="Printer, not network", acting_user=dave)
    client.force_login(carol)  # the ticket is back with her team

    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()

    history = page[page.index('data-testid="history"') :]
    assert "Escalation sent back: Printer, not network" in history
    assert "Dave Fischer" in history


def test_an_older_send_back_recorded_as_escalated_still_reads_as_one(
    client, ticket, carol, dave, service_desk, network_team
):
    """Logs written before ``escalation_returned`` existed keep their ``escalated`` send-backs."""
    escalation = escalate(ticket, carol, to_team=network_team)
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.ESCALATED,
        actor=dave,
        created_at=timezone.now(),
        old_value={"team": team(network_team)},
        new_value={"escalation": escalation.pk, "sent_back": True, "reason": "Old style", "team": None},
    )
    client.force_login(carol)

    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()

    assert "Escalation sent back: Old style" in page[page.index('data-testid="history"') :]
    assert facts_from_events(ticket.pk)["escalation_count"] == 1
    figures = team_figures_today()
    assert (figures[service_desk.pk]["escalations"], figures[service_desk.pk]["sent_back"]) == (1, 1)
    assert figures.get(network_team.pk, {}).get("sent_back", 0) == 0


# --- A rule and a person escalate alike ----------------------------------------------------


def kinds_and_values(ticket, since):
    return [
        (e.kind, e.old_value, {key: value for key, value in (e.new_value or {}).items() if key != "escalation"})
        if e.kind == EventKind.ESCALATED
        else (e.kind, e.old_value, e.new_value)
        for e in ticket.events.filter(seq__gt=since).order_by("created_at", "id")
    ]


def test_a_rule_and_a_person_escalate_with_the_same_events_and_an_escalation_row(
    alice, carol, service_desk, network_team
):
    by_carol = ticket_assign(
        ticket_create(requester=alice, subject="VPN drops", description="x", acting_user=alice),
        carol,
        acting_user=carol,
    )
    by_rule = ticket_assign(
        ticket_create(requester=alice, subject="VPN drops too", description="x", acting_user=alice),
        carol,
        acting_user=carol,
    )
    rule = rule_create(
        acting_user=None, name="Breaches to Network", trigger=RuleTrigger.SLA_BREACH, move_to_team=network_team
    )
    marks = {t.pk: t.events.order_by("-seq").values_list("seq", flat=True)[0] for t in (by_carol, by_rule)}

    manual = escalate(by_carol, carol, to_team=network_team)
    assert run_for_sla_event(by_rule, "resolution", "breach") == [rule]

    automatic = Escalation.objects.get(ticket=by_rule)
    common = [
        (
            EventKind.ESCALATED,
            {"team": team(service_desk)},
            {"team": team(network_team), "vendor": None, "vendor_reference": ""},
        ),
        (EventKind.TEAM_CHANGED, team(service_desk), team(network_team)),
        (EventKind.ASSIGNED, who(carol), None),
    ]
    assert kinds_and_values(by_carol, marks[by_carol.pk]) == common
    assert kinds_and_values(by_rule, marks[by_rule.pk]) == [
        (common[0][0], common[0][1], {**common[0][2], "rule": "Breaches to Network"}),
        *common[1:],
    ]
    escalated = {t.pk: t.events.get(kind=EventKind.ESCALATED) for t in (by_carol, by_rule)}
    assert escalated[by_carol.pk].new_value["escalation"] == manual.pk
    assert escalated[by_rule.pk].new_value["escalation"] == automatic.pk
    # Both attributed to the escalating team, the coordinator only where a person escalated.
    assert [escalated[t.pk].team_id for t in (by_carol, by_rule)] == [service_desk.pk, service_desk.pk]
    assert [(e.escalated_by, e.from_team, e.to_team) for e in (manual, automatic)] == [
        (carol, service_desk, network_team),
        (None, service_desk, network_team),
    ]
    assert automatic.symptoms == "Escalation rule “Breaches to Network”: SLA breach (resolution)"
    assert [refreshed(t).escalation_count for t in (by_carol, by_rule)] == [1, 1]
    assert mismatches(refreshed(by_rule)) == {}
    assert team_figures_today()[service_desk.pk]["escalations"] == 2
    assert sorted(OutboxEmail.objects.filter(kind="escalated").values_list("ticket_id", flat=True)) == sorted(
        [by_carol.pk, by_rule.pk]
    )


def test_a_rule_escalation_has_no_coordinator_and_can_be_sent_back(
    client, alice, carol, dave, erin, service_desk, network_team
):
    ticket = ticket_create(requester=alice, subject="VPN drops", description="x", acting_user=alice)
    rule_create(acting_user=None, name="Breaches to Network", trigger=RuleTrigger.SLA_BREACH, move_to_team=network_team)
    run_for_sla_event(ticket, "first_response", "breach")
    escalation = Escalation.objects.get()

    assert not works_on(carol, refreshed(ticket))  # nobody coordinates it
    assert queues.view_counts(carol)["escalated"] == 0
    client.force_login(dave)
    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()
    assert "by an escalation rule; no coordinator" in page
    assert "Escalated by the rule “Breaches to Network”" in page

    escalation_send_back(escalation, reason="Not a network fault", acting_user=dave)

    assert refreshed(ticket).team == service_desk
    # No coordinator to tell: the managers of the team it returns to hear of it.
    assert list(OutboxEmail.objects.filter(kind="escalated_sent_back").values_list("to", flat=True)) == [erin.email]


# --- KPIs ------------------------------------------------------------------------------------


def team_figures_today():
    """The test's figures: its events happen now and up to an hour later, which may be tomorrow
    in the team's zone when the suite runs near midnight; the database holds nothing else."""
    today = timezone.localdate()
    return export_figures(today - timedelta(days=1), today + timedelta(days=1), "team")


def test_escalation_figures_count_for_the_escalating_team(alice, carol, dave, service_desk, network_team):
    created = [ticket_create(requester=alice, subject=f"T{i}", description="x", acting_user=alice) for i in range(4)]
    first_at = created[0].created_at + timedelta(minutes=10)
    second_at = created[1].created_at + timedelta(minutes=30)
    first = escalate(created[0], carol, to_team=network_team, at=first_at)
    escalate(created[1], carol, to_team=network_team, at=second_at)
    escalation_send_back(first, reason="Not network", acting_user=dave)

    figures = team_figures_today()
    desk = figures[service_desk.pk]
    assert (desk["escalations"], desk["sent_back"]) == (2, 1)
    assert desk["time_to_escalate_median_s"] == pytest.approx(20 * 60, abs=1)
    # Nothing resolved yet: of the tickets the desk finished with, all were handed on.
    assert desk["escalation_rate"] == 1.0
    assert (
        figures.get(network_team.pk, {}).get("escalations", 0),
        figures.get(network_team.pk, {}).get("sent_back", 0),
    ) == (0, 0)
