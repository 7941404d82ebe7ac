"""/api/v1/tickets/{reference}/participants/: the agent's participants card over the API.

Who: anyone who sees the ticket reads the list (the requester's page shows it too); staff who
work the ticket add and remove; the requester side gets 403, another team's agent 404.
"""

import pytest
from django.urls import reverse

from notifications.models import OutboxEmail
from tickets.models import Participant
from tickets.services import participants_add


def url(ticket) -> str:
    return reverse("tickets_api:ticket-participants", args=[ticket.reference])


def one(ticket, participant) -> str:
    return reverse("tickets_api:ticket-participant", args=[ticket.reference, participant.pk])


def emails(ticket) -> list[str]:
    return list(ticket.participants.values_list("email", flat=True))


# --- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["alice", "carol", "erin", "ada"])
def test_whoever_sees_the_ticket_reads_who_follows_it(request, as_user, ticket, reader):
    participants_add(ticket, ["zoe@example.com", "max@example.com"], acting_user=None)

    response = as_user(request.getfixturevalue(reader)).get(url(ticket))

    assert response.status_code == 200, response.content
    assert [row["email"] for row in response.json()] == ["zoe@example.com", "max@example.com"]
    assert set(response.json()[0]) == {"id", "email", "added_at"}


@pytest.mark.parametrize("outsider", ["oscar", "dave"])
def test_someone_who_may_not_see_the_ticket_gets_404(request, as_user, ticket, outsider):
    participants_add(ticket, ["zoe@example.com"], acting_user=None)

    response = as_user(request.getfixturevalue(outsider)).get(url(ticket))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert b"zoe@example.com" not in response.content


def test_nobody_signed_in_gets_401(api, ticket):
    assert api.get(url(ticket)).status_code == 401


def test_the_list_reads_in_a_constant_number_of_queries(as_user, carol, ticket, django_assert_max_num_queries):
    client = as_user(carol)
    participants_add(ticket, ["a@example.com"], acting_user=None)
    client.get(url(ticket))  # warm the per-process caches (content types, settings rows)
    with django_assert_max_num_queries(20) as few:
        client.get(url(ticket))
    participants_add(ticket, [f"p{number}@example.com" for number in range(30)], acting_user=None)

    with django_assert_max_num_queries(len(few)) as many:
        response = client.get(url(ticket))

    assert len(response.json()) == 31
    assert len(many) == len(few)


# --- adding -----------------------------------------------------------------------------------


def test_an_agent_of_the_ticket_adds_a_participant(as_user, carol, ticket, bob):
    response = as_user(carol).post(url(ticket), {"email": " Zoe@Example.com "}, format="json")

    assert response.status_code == 201, response.content
    assert [row["email"] for row in response.json()] == ["zoe@example.com"]
    assert emails(ticket) == ["zoe@example.com"]


def test_adding_someone_already_following_or_the_requester_changes_nothing(as_user, carol, ticket, alice):
    participants_add(ticket, ["zoe@example.com"], acting_user=None)
    client = as_user(carol)

    again = client.post(url(ticket), {"email": "ZOE@example.com"}, format="json")
    requester = client.post(url(ticket), {"email": alice.email}, format="json")

    assert again.status_code == 200 and requester.status_code == 200
    assert [row["email"] for row in requester.json()] == ["zoe@example.com"]
    assert emails(ticket) == ["zoe@example.com"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"email": "not an address"}, "invalid"),
        ({"email": ""}, "invalid"),
        ({}, "invalid"),
        ({"email": "x" * 300 + "@example.com"}, "invalid"),
        ({"email": ["zoe@example.com"]}, "invalid"),
    ],
)
def test_bad_input_is_a_400_and_adds_nothing(as_user, carol, ticket, body, code):
    response = as_user(carol).post(url(ticket), body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert emails(ticket) == []


def test_an_invalid_address_names_the_field_as_the_page_does(as_user, carol, ticket):
    response = as_user(carol).post(url(ticket), {"email": "not an address"}, format="json")

    assert "is not a valid e-mail address" in response.json()["detail"]
    assert response.json()["extra"] == {"field": "email"}


@pytest.mark.parametrize("caller", ["alice", "bob"])
def test_the_requester_side_may_read_but_not_add(request, as_user, ticket, caller):
    from tickets.models import Ticket

    Ticket.objects.filter(pk=ticket.pk).update(shared_with_organisation=True)

    response = as_user(request.getfixturevalue(caller)).post(url(ticket), {"email": "zoe@example.com"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert emails(ticket) == []


def test_another_teams_agent_gets_404_and_adds_nothing(as_user, dave, ticket):
    response = as_user(dave).post(url(ticket), {"email": "zoe@example.com"}, format="json")

    assert response.status_code == 404
    assert emails(ticket) == []


def test_adding_sends_nothing_but_the_participant_then_gets_the_public_replies(as_user, carol, ticket):
    client = as_user(carol)
    before = OutboxEmail.objects.count()

    client.post(url(ticket), {"email": "zoe@example.com"}, format="json")
    assert OutboxEmail.objects.count() == before  # as the page: adding is no e-mail and no event
    assert not ticket.events.filter(actor=carol).exists()
    reply = client.post(
        reverse("tickets_api:ticket-reply", args=[ticket.reference]), {"body": "Try tray 2."}, format="json"
    )
    client.post(reverse("tickets_api:ticket-note", args=[ticket.reference]), {"body": "secret"}, format="json")

    assert reply.status_code == 201
    assert list(OutboxEmail.objects.filter(to="zoe@example.com").values_list("kind", flat=True)) == [
        "participant_reply"
    ]


# --- removing ---------------------------------------------------------------------------------


def test_an_agent_of_the_ticket_removes_a_participant(as_user, carol, ticket):
    zoe, _max = participants_add(ticket, ["zoe@example.com", "max@example.com"], acting_user=None)

    response = as_user(carol).delete(one(ticket, zoe))

    assert response.status_code == 204
    assert emails(ticket) == ["max@example.com"]


def test_removing_someone_of_another_ticket_or_nobody_is_a_404(as_user, carol, alice, ticket):
    from tickets.services import ticket_create

    other = ticket_create(requester=alice, subject="Other", description="x", acting_user=alice)
    (elsewhere,) = participants_add(other, ["zoe@example.com"], acting_user=None)
    client = as_user(carol)

    assert client.delete(one(ticket, elsewhere)).status_code == 404
    assert client.delete(reverse("tickets_api:ticket-participant", args=[ticket.reference, 999999])).status_code == 404
    assert Participant.objects.filter(pk=elsewhere.pk).exists()


@pytest.mark.parametrize(("caller", "status"), [("alice", 403), ("dave", 404), ("oscar", 404)])
def test_only_staff_of_the_ticket_remove(request, as_user, ticket, caller, status):
    (zoe,) = participants_add(ticket, ["zoe@example.com"], acting_user=None)

    response = as_user(request.getfixturevalue(caller)).delete(one(ticket, zoe))

    assert response.status_code == status
    assert emails(ticket) == ["zoe@example.com"]


def test_a_token_works_as_a_session_does(with_token, erin, ticket):
    response = with_token(erin).post(url(ticket), {"email": "zoe@example.com"}, format="json")

    assert response.status_code == 201
    assert emails(ticket) == ["zoe@example.com"]
