"""One-click satisfaction survey: a signed link per resolution, one answer each, credited to the resolver."""

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.errors import ApplicationError, ConflictError
from notifications.models import OutboxEmail
from tickets.models import EventKind, ResolutionCode, SatisfactionAnswer, TicketEvent
from tickets.notifications import survey_token
from tickets.services import (
    satisfaction_answer,
    ticket_assign,
    ticket_create,
    ticket_reopen,
    ticket_resolve,
)

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def ticket(alice, carol, service_desk, time_machine):
    time_machine.move_to(MONDAY, tick=False)
    ticket = ticket_create(requester=alice, subject="Teams crashes", description="On start.", acting_user=alice)
    return ticket_assign(ticket, carol, acting_user=carol)


def resolve(ticket, agent):
    ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Cleared the cache.", acting_user=agent)
    return ticket.events.filter(kind=EventKind.RESOLVED).latest("id")


@pytest.fixture
def resolution(ticket, carol):
    return resolve(ticket, carol)


@pytest.fixture
def token(resolution):
    return survey_token(resolution)


def test_resolution_email_carries_the_survey_links(ticket, resolution, token):
    email = OutboxEmail.objects.get(kind="resolved")

    assert email.to == ticket.requester.email
    for score in range(1, 6):
        assert f"{token}/?score={score}" in email.body


def test_valid_link_records_one_answer_credited_to_the_resolving_agent(ticket, alice, carol, resolution, token):
    answered_at = MONDAY + timedelta(hours=3)

    answer = satisfaction_answer(token, score=5, comment="  Quick and friendly!  ", at=answered_at)

    answer = SatisfactionAnswer.objects.get(pk=answer.pk)
    assert (answer.ticket, answer.resolution_event, answer.resolved_by) == (ticket, resolution, carol)
    assert (answer.score, answer.comment, answer.created_at) == (5, "Quick and friendly!", answered_at)
    last = ticket.events.latest("id")
    assert (last.kind, last.old_value, last.new_value, last.actor) == (
        EventKind.SATISFACTION,
        None,
        {"score": 5, "resolution_event": resolution.pk, "comment": True},
        alice,
    )


def test_answer_stays_with_the_resolver_after_the_ticket_moves_on(ticket, carol, erin, resolution, token):
    ticket_reopen(ticket, acting_user=erin)
    ticket_assign(ticket, erin, acting_user=erin)

    answer = satisfaction_answer(token, score=2)

    assert answer.resolved_by == carol


def test_second_answer_to_the_same_resolution_is_refused(resolution, token):
    satisfaction_answer(token, score=4)
    events = TicketEvent.objects.count()

    with pytest.raises(ConflictError):
        satisfaction_answer(token, score=1, comment="changed my mind")

    assert list(SatisfactionAnswer.objects.values_list("score", flat=True)) == [4]
    assert TicketEvent.objects.count() == events


def test_each_resolution_gets_its_own_answer(ticket, carol, erin, resolution, token):
    satisfaction_answer(token, score=2)
    ticket_reopen(ticket, acting_user=carol)
    second = resolve(ticket, erin)

    answer = satisfaction_answer(survey_token(second), score=5)

    assert answer.resolved_by == erin
    assert sorted(SatisfactionAnswer.objects.values_list("score", flat=True)) == [2, 5]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: token.split(":", 1)[1],
        lambda token: "",
        lambda token: "not-a-token",
    ],
    ids=["signature", "payload", "truncated", "empty", "garbage"],
)
def test_tampered_link_is_refused(token, tamper):
    with pytest.raises(ApplicationError) as refused:
        satisfaction_answer(tamper(token), score=5)

    assert not isinstance(refused.value, ConflictError)
    assert not SatisfactionAnswer.objects.exists()


def test_link_for_another_kind_of_event_is_refused(ticket, resolution):
    created = ticket.events.get(kind=EventKind.CREATED)

    with pytest.raises(ApplicationError):
        satisfaction_answer(survey_token(created), score=5)

    assert not SatisfactionAnswer.objects.exists()


def test_link_is_valid_for_sixty_days(token, time_machine):
    time_machine.move_to(MONDAY + timedelta(days=59))

    satisfaction_answer(token, score=3)

    assert SatisfactionAnswer.objects.count() == 1


def test_expired_link_is_refused(token, time_machine):
    time_machine.move_to(MONDAY + timedelta(days=61))

    with pytest.raises(ApplicationError) as refused:
        satisfaction_answer(token, score=5)

    assert "expired" in str(refused.value.message)
    assert not SatisfactionAnswer.objects.exists()


@pytest.mark.parametrize("score", [0, 6, -1, "five", None, ""])
def test_score_outside_one_to_five_is_refused(token, score):
    events = TicketEvent.objects.count()

    with pytest.raises(ApplicationError) as refused:
        satisfaction_answer(token, score=score)

    assert refused.value.extra == {"field": "score"}
    assert not SatisfactionAnswer.objects.exists()
    assert TicketEvent.objects.count() == events
