"""A maintenance ticket's checklist: ticked by staff who work it; resolving waits for every step."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from helpdesk.errors import ApplicationError
from maintenance.services import open_due_runs
from tickets.models import EventKind, ResolutionCode, Status
from tickets.services import ChecklistIncomplete, checklist_tick, ticket_resolve

UTC = dt.UTC


@pytest.fixture
def ticket(make_plan, carol):
    make_plan(assignee=carol, checklist="Restore the backup\nCompare row counts")
    (run,) = open_due_runs(dt.datetime(2026, 3, 2, 9, 1, tzinfo=UTC))
    return run.ticket


def resolve(ticket, user):
    return ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Restored and compared.", acting_user=user)


@pytest.mark.django_db
def test_resolve_is_refused_until_every_step_is_ticked(ticket, carol):
    first, second = ticket.checklist_items.all()
    checklist_tick(first, True, acting_user=carol)

    with pytest.raises(ChecklistIncomplete) as refused:
        resolve(ticket, carol)
    assert refused.value.code == "checklist_incomplete"
    assert "1 not done" in str(refused.value.message)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert not ticket.events.filter(kind=EventKind.RESOLVED).exists()

    checklist_tick(second, True, acting_user=carol)
    assert resolve(ticket, carol).status == Status.RESOLVED


@pytest.mark.django_db
def test_tick_records_who_and_when_and_untick_clears_it(ticket, carol):
    item = ticket.checklist_items.first()
    version = ticket.version

    item = checklist_tick(item, True, acting_user=carol)
    assert (item.done_by, item.done_at is not None) == (carol, True)
    assert checklist_tick(item, True, acting_user=carol).done_at == item.done_at  # idempotent
    item = checklist_tick(item, False, acting_user=carol)
    assert (item.done_by, item.done_at) == (None, None)
    ticket.refresh_from_db()
    assert ticket.version == version  # ticking is not a field edit: open side forms stay valid


@pytest.mark.django_db
def test_agent_of_another_team_and_requester_may_not_tick(ticket, dave, network_team, alice):
    item = ticket.checklist_items.first()
    for outsider in (dave, alice):
        with pytest.raises(PermissionDenied):
            checklist_tick(item, True, acting_user=outsider)
    item.refresh_from_db()
    assert item.done_at is None


@pytest.mark.django_db
def test_resolved_ticket_checklist_is_frozen(ticket, carol):
    for item in ticket.checklist_items.all():
        checklist_tick(item, True, acting_user=carol)
    resolve(ticket, carol)

    with pytest.raises(ApplicationError):
        checklist_tick(ticket.checklist_items.first(), False, acting_user=carol)


@pytest.mark.django_db
def test_ticket_without_checklist_resolves_as_before(carol, alice, service_desk):
    from tickets.services import ticket_create

    plain = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice)
    assert resolve(plain, carol).status == Status.RESOLVED


# --- the page -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_agent_ticket_page_shows_checklist_and_form_ticks_without_js(client, ticket, carol):
    client.force_login(carol)
    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference]))
    assert page.status_code == 200
    assert b'data-testid="ticket-checklist"' in page.content
    assert page.content.count(b'data-testid="checklist-item"') == 2

    item = ticket.checklist_items.first()
    url = reverse("tickets:agent_checklist_tick", args=[ticket.reference, item.pk])
    response = client.post(url, {"done": "1"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_by == carol


@pytest.mark.django_db
def test_htmx_tick_returns_the_checklist_card(client, ticket, carol):
    client.force_login(carol)
    item = ticket.checklist_items.first()
    url = reverse("tickets:agent_checklist_tick", args=[ticket.reference, item.pk])

    response = client.post(url, {"done": "1"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b'data-done="yes"' in response.content
    assert b"<html" not in response.content


@pytest.mark.django_db
def test_someone_elses_ticket_checklist_cannot_be_ticked(client, ticket, dave, network_team):
    client.force_login(dave)
    item = ticket.checklist_items.first()
    response = client.post(reverse("tickets:agent_checklist_tick", args=[ticket.reference, item.pk]), {"done": "1"})
    assert response.status_code in (403, 404)
    item.refresh_from_db()
    assert item.done_at is None


@pytest.mark.django_db
def test_resolving_from_the_page_with_open_steps_shows_the_reason(client, ticket, carol):
    client.force_login(carol)
    response = client.post(
        reverse("tickets:agent_reply", args=[ticket.reference]),
        {"body": "Done.", "then": "resolve", "code": ResolutionCode.FIXED, "summary": "Done."},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert response.status_code == 400
    assert "Tick every step of the checklist" in response.content.decode()
