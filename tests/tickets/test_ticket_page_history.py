"""The ticket page's history says what changed: old → new, the CSAT answer, handovers and send-backs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation.policy_services import policy_create
from tickets.models import Category, EventKind, Ticket
from tickets.notifications import survey_token
from tickets.services import (
    satisfaction_answer,
    ticket_assign,
    ticket_change_category,
    ticket_change_complexity,
    ticket_change_priority,
    ticket_change_status,
    ticket_change_team,
    ticket_change_type,
    ticket_create,
    ticket_resolve,
    ticket_set_tags,
)
from tickets.services.escalation import escalation_send_back, ticket_escalate
from tickets.sla.models import BusinessCalendar


@pytest.fixture
def standard_policy(db):
    calendar = BusinessCalendar.objects.create(name="Around the clock", is_24x7=True)
    return policy_create(
        name="Standard", calendar=calendar, first_response_minutes=60, resolution_minutes=240, acting_user=None
    )


@pytest.fixture
def ticket(alice, service_desk, standard_policy):
    return ticket_create(requester=alice, subject="Printer offline", description="Floor 3", acting_user=alice)


def history(client, ticket: Ticket):
    response = client.get(reverse("tickets:agent_ticket", args=[ticket.reference]))
    page = response.content.decode()
    return response.context["history"], page[page.index('data-testid="history"') :]


def changes(entries, kind: str) -> list[tuple[str, str]]:
    return [(entry.old, entry.new) for entry in entries if entry.event.kind == kind]


def test_each_field_change_reads_old_to_new(client, carol, dave, erin, ticket, network_team):
    hardware = Category.objects.create(name="Hardware")
    ticket = ticket_assign(ticket, carol, acting_user=carol)
    ticket = ticket_change_status(ticket, "on_hold", acting_user=carol)
    ticket = ticket_change_priority(ticket, impact=1, urgency=1, acting_user=carol)
    ticket = ticket_change_category(ticket, hardware, acting_user=carol)
    ticket = ticket_change_type(ticket, "service_request", acting_user=carol)
    ticket = ticket_change_complexity(ticket, 4, acting_user=carol)
    ticket = ticket_set_tags(ticket, ["printer", "floor-3"], acting_user=carol)
    ticket = ticket_set_tags(ticket, ["printer"], acting_user=carol)
    ticket_change_team(ticket, network_team, acting_user=erin)
    client.force_login(dave)  # the ticket is with his team now

    entries, html = history(client, ticket)

    assert changes(entries, EventKind.ASSIGNED) == [("Nobody", "Carol Nguyen"), ("Carol Nguyen", "Nobody")]
    assert changes(entries, EventKind.STATUS_CHANGED) == [
        ("New", "Open"),
        ("Open", "On hold (waiting on a third party)"),
    ]
    assert changes(entries, EventKind.PRIORITY_CHANGED) == [("P4 – low", "P1 – critical")]
    assert changes(entries, EventKind.CATEGORY_CHANGED) == [("—", "Hardware")]
    assert changes(entries, EventKind.TYPE_CHANGED) == [("Incident", "Service request")]
    assert changes(entries, EventKind.COMPLEXITY_CHANGED) == [("—", "4")]
    assert changes(entries, EventKind.TAGS_CHANGED) == [("—", "floor-3, printer"), ("floor-3, printer", "printer")]
    assert changes(entries, EventKind.TEAM_CHANGED) == [("Service Desk", "Network")]
    assert changes(entries, EventKind.SLA_POLICY_CHANGED)[0] == ("—", "Standard")
    assert 'Service Desk</span> <span aria-hidden="true">→</span>' in html
    assert "<strong>Network</strong>" in html


def test_a_satisfaction_answer_shows_its_score_and_comment_to_staff(client, carol, ticket):
    ticket = ticket_assign(ticket, carol, acting_user=carol)
    ticket_resolve(ticket, code="fixed", summary="Replaced the toner", acting_user=carol)
    resolution = ticket.events.get(kind=EventKind.RESOLVED)
    satisfaction_answer(survey_token(resolution), score=2, comment="Took three days & nobody called")
    client.force_login(carol)

    entries, html = history(client, ticket)

    answer = next(entry for entry in entries if entry.event.kind == EventKind.SATISFACTION)
    assert dict(answer.details) == {"Score": "2 out of 5", "Comment": "Took three days & nobody called"}
    assert "Took three days &amp; nobody called" in html  # escaped, as typed
    resolved = next(entry for entry in entries if entry.event.kind == EventKind.RESOLVED)
    assert dict(resolved.details) == {"Resolution code": "Fixed", "Resolution summary": "Replaced the toner"}


def test_an_escalation_shows_its_handover_and_a_send_back_its_reason(client, carol, dave, ticket, network_team):
    escalation = ticket_escalate(
        ticket,
        acting_user=carol,
        to_team=network_team,
        symptoms="Printer drops off the network",
        tried="Power cycled it",
        diagnostics="No DHCP lease",
    )
    escalation_send_back(escalation, reason="The printer's cable is unplugged", acting_user=dave)
    client.force_login(carol)

    entries, html = history(client, ticket)

    escalated = next(entry for entry in entries if entry.event.kind == EventKind.ESCALATED)
    assert (escalated.old, escalated.new) == ("Service Desk", "Network")
    assert dict(escalated.details) == {
        "Symptoms": "Printer drops off the network",
        "What was tried": "Power cycled it",
        "Diagnostics": "No DHCP lease",
    }
    assert "No DHCP lease" in html
    assert "Escalation sent back: The printer&#x27;s cable is unplugged" in html


def test_the_history_costs_the_same_queries_with_more_escalations(client, carol, dave, ticket, network_team):
    def escalate_and_send_back(times: int) -> None:
        for round_ in range(times):
            escalation = ticket_escalate(
                Ticket.objects.get(pk=ticket.pk),
                acting_user=carol,
                to_team=network_team,
                symptoms=f"s{round_}",
                tried="t",
                diagnostics="d",
            )
            escalation_send_back(escalation, reason=f"r{round_}", acting_user=dave)

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).status_code == 200
        return len(queries)

    client.force_login(carol)
    escalate_and_send_back(1)
    queries_for_page()
    few = queries_for_page()
    escalate_and_send_back(3)

    assert queries_for_page() == few
