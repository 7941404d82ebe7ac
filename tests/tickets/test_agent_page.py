"""The staff ticket page: thread with notes, reply/note, status, resolve, take."""

import pytest
from django.urls import reverse

from tickets.forms import TicketFieldsForm
from tickets.models import EventKind
from tickets.services import ticket_add_note, ticket_create


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Outlook won't sync", description="Since Monday", acting_user=alice)


def test_agent_sees_the_whole_thread_with_internal_notes_marked(client, carol, ticket):
    ticket_add_note(ticket, "Check the mailbox quota", acting_user=carol)
    client.force_login(carol)

    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()

    assert "Check the mailbox quota" in page
    assert 'data-testid="internal-note"' in page


def test_another_teams_agent_and_requesters_are_refused(client, dave, alice, ticket):
    client.force_login(dave)
    assert client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).status_code == 404
    assert client.post(reverse("tickets:agent_take", args=[ticket.reference])).status_code == 404

    client.force_login(alice)
    assert client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).status_code == 403


def test_agent_takes_replies_and_resolves(client, carol, ticket):
    client.force_login(carol)
    base = [ticket.reference]

    client.post(reverse("tickets:agent_take", args=base))
    client.post(reverse("tickets:agent_reply", args=base), {"body": "Please restart Outlook."})
    client.post(reverse("tickets:agent_reply", args=base), {"body": "quota fine", "internal": "on"})
    resolve = {"body": "", "then": "resolve", "code": "fixed", "summary": "Restarted"}
    client.post(reverse("tickets:agent_reply", args=base), resolve)

    ticket.refresh_from_db()
    assert ticket.assignee == carol and ticket.status == "resolved" and ticket.first_response_at is not None
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.CREATED,
        EventKind.ASSIGNED,
        EventKind.STATUS_CHANGED,
        EventKind.REPLIED,
        EventKind.NOTE_ADDED,
        EventKind.RESOLVED,
    ]


def test_a_stale_form_is_refused_with_a_clear_message(client, carol, ticket):
    client.force_login(carol)
    stale_version = ticket.version
    client.post(reverse("tickets:agent_take", args=[ticket.reference]))

    data = {**TicketFieldsForm.current_values(ticket), "status": "pending", "version": stale_version}
    response = client.post(
        reverse("tickets:agent_fields", args=[ticket.reference]), {k: v or "" for k, v in data.items()}
    )

    assert response.status_code == 409
    assert "Someone else changed this ticket" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_resolving_without_a_summary_explains_what_is_missing(client, carol, ticket):
    client.force_login(carol)

    response = client.post(
        reverse("tickets:agent_reply", args=[ticket.reference]),
        {"body": "Done", "then": "resolve", "code": "fixed", "summary": ""},
    )

    assert response.status_code == 400
    assert response.context["reply_form"].errors["summary"]
    assert not ticket.messages.exists()
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_staff_home_lists_assigned_and_unassigned_tickets(client, carol, ticket, django_assert_max_num_queries):
    client.force_login(carol)

    with django_assert_max_num_queries(10):
        page = client.get("/").content.decode()

    assert ticket.reference in page


def test_the_ticket_page_lists_linked_articles_and_offers_the_article_search(client, carol, erin, ticket):
    from knowledge import authoring

    article = authoring.create_article(carol, title="Outlook sync stalls", body="Rebuild the OST file.")
    authoring.submit_for_review(carol, article)
    authoring.approve(erin, article)
    authoring.link_article(carol, article, ticket)
    client.force_login(carol)

    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()

    assert 'data-testid="kb-link-search"' in page and f'name="ticket" value="{ticket.reference}"' in page
    assert 'data-testid="ticket-article"' in page and "Outlook sync stalls" in page
    assert 'data-testid="turn-into-article"' not in page  # only once the ticket is resolved
