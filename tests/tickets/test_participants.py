"""Participants: people besides the requester who follow a ticket by e-mail (Cc of the first
e-mail, or added by an agent). The service, the agent's card, the requester's page, who may."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk.errors import ApplicationError
from tickets.models import Participant, Ticket
from tickets.services import participant_remove, participants_add, ticket_create


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Printer jams", description="On every page.", acting_user=alice)


def emails(ticket: Ticket) -> list[str]:
    return list(ticket.participants.values_list("email", flat=True))


# --- the service ----------------------------------------------------------------------------


def test_the_import_adds_cc_addresses_skipping_the_requester_and_duplicates(ticket, alice):
    added = participants_add(
        ticket,
        ["Zoe@Example.com", "  <max@example.com> ", "zoe@example.com", "ALICE@acme.example"],
        acting_user=None,
    )

    assert [p.email for p in added] == ["zoe@example.com", "max@example.com"]
    assert emails(ticket) == ["zoe@example.com", "max@example.com"]
    # Already there, in another case: nothing new.
    assert participants_add(ticket, ["MAX@example.com"], acting_user=None) == []
    assert Participant.objects.filter(ticket=ticket).count() == 2


def test_a_participant_with_an_account_is_linked_to_it(ticket, bob):
    (participant,) = participants_add(ticket, ["BOB@acme.example"], acting_user=None)

    assert participant.user == bob
    assert participants_add(ticket, ["nobody@example.com"], acting_user=None)[0].user is None


@pytest.fixture
def support_mailbox(service_desk):
    from mail.models import Mailbox

    return Mailbox.objects.create(
        name="Support", address="Support@Helpdesk.example", team=service_desk, transport="receiver"
    )


def test_the_helpdesks_own_addresses_never_become_participants(ticket, support_mailbox, settings):
    settings.DEFAULT_FROM_EMAIL = "Helpdesk <desk@helpdesk.example>"

    added = participants_add(
        ticket, ["support@helpdesk.example", "DESK@helpdesk.example", "zoe@example.com"], acting_user=None
    )

    assert [p.email for p in added] == ["zoe@example.com"]


def test_an_agent_naming_a_helpdesk_mailbox_is_told_why_it_is_refused(ticket, support_mailbox, carol):
    with pytest.raises(ApplicationError) as refused:
        participants_add(ticket, ["support@helpdesk.example"], acting_user=carol)

    assert str(refused.value.message) == "support@helpdesk.example is an address of the helpdesk itself."
    assert emails(ticket) == []


def test_an_agent_of_the_ticket_adds_a_participant(ticket, carol):
    (participant,) = participants_add(ticket, ["zoe@example.com"], acting_user=carol)

    assert participant.ticket_id == ticket.pk and participant.added_at is not None


@pytest.mark.parametrize("bad", ["not-an-address", "zoe@", "", "a b@example.com"])
def test_an_invalid_address_is_refused_with_a_clear_message_and_nothing_is_added(ticket, bad):
    with pytest.raises(ApplicationError) as refused:
        participants_add(ticket, ["ok@example.com", bad], acting_user=None)

    assert "is not a valid e-mail address" in str(refused.value.message)
    assert emails(ticket) == []


def test_another_teams_agent_and_the_requester_may_not_add_or_remove(ticket, dave, alice, network_team):
    with pytest.raises(PermissionDenied):
        participants_add(ticket, ["zoe@example.com"], acting_user=dave)
    with pytest.raises(PermissionDenied):
        participants_add(ticket, ["zoe@example.com"], acting_user=alice)
    (participant,) = participants_add(ticket, ["zoe@example.com"], acting_user=None)
    with pytest.raises(PermissionDenied):
        participant_remove(participant, acting_user=dave)
    with pytest.raises(PermissionDenied):
        participant_remove(participant, acting_user=alice)
    assert emails(ticket) == ["zoe@example.com"]


def test_an_agent_of_the_ticket_removes_a_participant(ticket, carol):
    zoe, _max = participants_add(ticket, ["zoe@example.com", "max@example.com"], acting_user=None)

    participant_remove(zoe, acting_user=carol)

    assert emails(ticket) == ["max@example.com"]


# --- the agent's card -----------------------------------------------------------------------


def page_url(ticket: Ticket) -> str:
    return reverse("tickets:agent_ticket", args=[ticket.reference])


def test_the_agent_page_lists_participants_with_a_remove_button(client, carol, ticket):
    participants_add(ticket, ["zoe@example.com", "max@example.com"], acting_user=None)
    client.force_login(carol)

    page = client.get(page_url(ticket)).content.decode()

    assert 'data-testid="ticket-participants"' in page
    assert page.count('data-testid="participant"') == 2
    assert "zoe@example.com" in page and "max@example.com" in page
    assert page.count('data-testid="participant-remove"') == 2


def test_the_agent_page_reads_participants_in_one_query_however_many(client, carol, ticket):
    client.force_login(carol)
    participants_add(ticket, ["p0@example.com"], acting_user=None)
    with CaptureQueriesContext(connection) as one:
        client.get(page_url(ticket))
    participants_add(ticket, [f"p{n}@example.com" for n in range(1, 8)], acting_user=None)
    with CaptureQueriesContext(connection) as eight:
        client.get(page_url(ticket))

    assert len(eight) == len(one)


def test_the_agent_page_stays_within_its_query_budget(client, carol, ticket, django_assert_max_num_queries):
    participants_add(ticket, [f"p{n}@example.com" for n in range(10)], acting_user=None)
    client.force_login(carol)

    with django_assert_max_num_queries(24):
        response = client.get(page_url(ticket))

    assert response.content.decode().count('data-testid="participant"') == 10


def test_an_agent_adds_a_participant_by_address(client, carol, ticket):
    client.force_login(carol)

    response = client.post(reverse("tickets:participant_add", args=[ticket.reference]), {"email": "Zoe@Example.com"})

    assert response.status_code == 302 and response["Location"] == page_url(ticket)
    assert emails(ticket) == ["zoe@example.com"]
    page = client.get(page_url(ticket)).content.decode()
    assert "zoe@example.com now follows this ticket." in page


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ("not an address", "is not a valid e-mail address"),
        ("", "Enter the e-mail address of the person to add."),
    ],
)
def test_bad_input_on_the_add_form_gives_a_message_not_an_error(client, carol, ticket, posted, message):
    client.force_login(carol)

    response = client.post(reverse("tickets:participant_add", args=[ticket.reference]), {"email": posted}, follow=True)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert emails(ticket) == []


def test_adding_the_requester_says_nothing_changed(client, carol, ticket, alice):
    client.force_login(carol)

    response = client.post(
        reverse("tickets:participant_add", args=[ticket.reference]), {"email": alice.email}, follow=True
    )

    assert "already follows this ticket." in response.content.decode()
    assert emails(ticket) == []


def test_an_agent_removes_a_participant_from_the_page(client, carol, ticket):
    zoe, _max = participants_add(ticket, ["zoe@example.com", "max@example.com"], acting_user=None)
    client.force_login(carol)

    response = client.post(reverse("tickets:participant_remove", args=[ticket.reference, zoe.pk]))

    assert response.status_code == 302
    assert emails(ticket) == ["max@example.com"]


def test_a_participant_of_another_ticket_cannot_be_removed_through_this_one(client, carol, ticket, alice):
    other = ticket_create(requester=alice, subject="Other", description="Another one.", acting_user=alice)
    (foreign,) = participants_add(other, ["zoe@example.com"], acting_user=None)
    client.force_login(carol)

    response = client.post(reverse("tickets:participant_remove", args=[ticket.reference, foreign.pk]))

    assert response.status_code == 404
    assert emails(other) == ["zoe@example.com"]


def test_someone_elses_ticket_another_teams_agent_and_requesters_are_refused(client, dave, alice, ticket, network_team):
    (zoe,) = participants_add(ticket, ["zoe@example.com"], acting_user=None)
    for person in (dave, alice):
        client.force_login(person)
        add = client.post(reverse("tickets:participant_add", args=[ticket.reference]), {"email": "x@example.com"})
        remove = client.post(reverse("tickets:participant_remove", args=[ticket.reference, zoe.pk]))
        assert add.status_code in (403, 404) and remove.status_code in (403, 404)
    assert emails(ticket) == ["zoe@example.com"]


def test_signed_out_visitors_are_sent_to_sign_in(client, ticket):
    response = client.post(reverse("tickets:participant_add", args=[ticket.reference]), {"email": "x@example.com"})

    assert response.status_code == 302 and "login" in response["Location"]
    assert emails(ticket) == []


def test_the_forms_only_accept_posts(client, carol, ticket):
    client.force_login(carol)

    assert client.get(reverse("tickets:participant_add", args=[ticket.reference])).status_code == 405


# --- the requester's page -------------------------------------------------------------------


def test_the_requester_sees_who_else_follows_the_request(client, alice, ticket):
    client.force_login(alice)
    url = reverse("tickets:my_ticket", args=[ticket.reference])
    assert 'data-testid="participants"' not in client.get(url).content.decode()

    participants_add(ticket, ["zoe@example.com", "max@example.com"], acting_user=None)
    page = client.get(url).content.decode()

    assert 'data-testid="participants"' in page
    assert "zoe@example.com, max@example.com" in page
