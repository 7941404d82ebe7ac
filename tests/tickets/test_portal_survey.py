"""A resolved ticket's page offers the satisfaction rating: one answer per resolution, whether it
comes from the page or from the e-mail link."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tickets.models import EventKind, ResolutionCode, SatisfactionAnswer
from tickets.notifications import survey_token
from tickets.services import (
    satisfaction_answer,
    ticket_assign,
    ticket_close,
    ticket_create,
    ticket_reopen,
    ticket_resolve,
)

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def ticket(alice, carol, service_desk, time_machine):
    time_machine.move_to(MONDAY, tick=False)
    ticket = ticket_create(requester=alice, subject="Teams crashes", description="On start.", acting_user=alice)
    return ticket_assign(ticket, carol, acting_user=carol)


def _resolve(ticket, agent):
    ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Cleared the cache.", acting_user=agent)
    return ticket.events.filter(kind=EventKind.RESOLVED).latest("id")


def _page(ticket):
    return reverse("tickets:my_ticket", args=[ticket.reference])


def _rate(ticket):
    return reverse("tickets:my_ticket_rate", args=[ticket.reference])


def test_an_open_ticket_offers_no_rating(client, alice, ticket):
    client.force_login(alice)

    response = client.get(_page(ticket))

    assert response.context["survey"] is None
    assert 'data-testid="portal-survey"' not in response.content.decode()
    assert client.post(_rate(ticket), {"score": "5"}).status_code == 400
    assert not SatisfactionAnswer.objects.exists()


def test_requester_rates_a_resolved_ticket_on_its_page(client, alice, carol, ticket):
    resolution = _resolve(ticket, carol)
    client.force_login(alice)

    page = client.get(_page(ticket)).content.decode()
    assert 'data-testid="portal-survey-form"' in page
    response = client.post(_rate(ticket), {"score": "4", "comment": " Quick fix. "})

    assert response.status_code == 302 and response["Location"] == _page(ticket)
    answer = SatisfactionAnswer.objects.get()
    assert (answer.resolution_event, answer.resolved_by, answer.score, answer.comment) == (
        resolution,
        carol,
        4,
        "Quick fix.",
    )
    event = ticket.events.latest("id")
    assert (event.kind, event.actor, event.new_value) == (
        EventKind.SATISFACTION,
        alice,
        {"score": 4, "resolution_event": resolution.pk, "comment": True},
    )
    page = client.get(_page(ticket)).content.decode()
    assert 'data-testid="portal-survey-answered"' in page and "4 out of 5" in page
    assert 'data-testid="portal-survey-form"' not in page


def test_the_page_and_the_email_link_share_one_answer(client, alice, carol, ticket):
    resolution = _resolve(ticket, carol)
    client.force_login(alice)
    client.post(_rate(ticket), {"score": "2"})

    second = client.get(reverse("tickets:survey", args=[survey_token(resolution)]))
    again = client.post(_rate(ticket), {"score": "5"})

    assert second.status_code == 409
    assert again.status_code == 302
    assert list(SatisfactionAnswer.objects.values_list("score", flat=True)) == [2]


def test_after_the_email_answer_the_page_shows_it_instead_of_the_form(client, alice, carol, ticket):
    resolution = _resolve(ticket, carol)
    satisfaction_answer(survey_token(resolution), score=5)
    client.force_login(alice)

    page = client.get(_page(ticket)).content.decode()

    assert "5 out of 5" in page and 'data-testid="portal-survey-form"' not in page
    assert client.post(_rate(ticket), {"score": "1"}).status_code == 302
    assert SatisfactionAnswer.objects.get().score == 5


def test_a_new_resolution_can_be_rated_again(client, alice, carol, ticket):
    _resolve(ticket, carol)
    client.force_login(alice)
    client.post(_rate(ticket), {"score": "2"})
    ticket_reopen(ticket, acting_user=alice)
    second = _resolve(ticket, carol)

    client.post(_rate(ticket), {"score": "5"})

    assert SatisfactionAnswer.objects.get(resolution_event=second).score == 5
    assert SatisfactionAnswer.objects.count() == 2


def test_a_closed_ticket_still_offers_the_rating_of_its_resolution(client, alice, carol, ticket):
    _resolve(ticket, carol)
    ticket_close(ticket, acting_user=alice)
    client.force_login(alice)

    assert 'data-testid="portal-survey-form"' in client.get(_page(ticket)).content.decode()


def test_the_rating_expires_with_the_email_link(client, alice, carol, ticket, time_machine):
    _resolve(ticket, carol)
    time_machine.move_to(MONDAY + timedelta(days=61), tick=False)
    client.force_login(alice)

    assert client.get(_page(ticket)).context["survey"] is None
    assert client.post(_rate(ticket), {"score": "5"}).status_code == 400


def test_a_bad_score_is_refused_on_the_page(client, alice, carol, ticket):
    _resolve(ticket, carol)
    client.force_login(alice)

    response = client.post(_rate(ticket), {"score": "9"})

    assert response.status_code == 400
    assert response.context["survey_form"].errors["score"]
    assert not SatisfactionAnswer.objects.exists()


def test_a_colleague_who_reads_a_shared_ticket_does_not_rate_it(client, alice, bob, carol, acme, service_desk):
    shared = ticket_create(
        requester=alice, subject="Shared", description="x", acting_user=alice, shared_with_organisation=True
    )
    _resolve(shared, carol)
    client.force_login(bob)

    assert client.get(_page(shared)).context["survey"] is None
    assert client.post(_rate(shared), {"score": "1"}).status_code == 400
    assert not SatisfactionAnswer.objects.exists()


def test_someone_elses_ticket_cannot_be_rated(client, oscar, alice, carol, ticket):
    _resolve(ticket, carol)
    client.force_login(oscar)

    assert client.post(_rate(ticket), {"score": "1"}).status_code == 404
    assert not SatisfactionAnswer.objects.exists()


def test_a_guest_rates_through_the_tracking_link(client, carol, service_desk):
    client.post(
        reverse("tickets:submit"),
        {
            "name": "Gina Guest",
            "email": "gina@example.org",
            "subject": "Projector dark",
            "description": "No signal.",
            "impact": "3",
            "urgency": "2",
        },
    )
    from tickets.models import Ticket

    ticket = Ticket.objects.get()
    _resolve(ticket, carol)
    track = reverse("tickets:track", args=[ticket.access_token])

    assert 'data-testid="portal-survey-form"' in client.get(track).content.decode()
    response = client.post(reverse("tickets:track_rate", args=[ticket.access_token]), {"score": "5"})

    assert response.status_code == 302 and response["Location"] == track
    assert SatisfactionAnswer.objects.get().score == 5
