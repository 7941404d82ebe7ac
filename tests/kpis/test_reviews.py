"""Ticket quality reviews: drawing, reviewing, replying, reviewers, and their pages.

Personas (tests/conftest.py): carol agent in Service Desk, dave agent in Network, erin manager of
Service Desk, ada admin; here also frank, manager of Network, and grace, a senior agent of
Service Desk whom erin may appoint as a reviewer.
"""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from helpdesk.errors import ApplicationError, ConflictError
from kpis import reviews
from kpis.models import QualityReview, ReviewerAppointment, ReviewReason
from kpis.tasks import draw_quality_reviews
from tests.factories import UserFactory
from tickets.models import EventKind, TicketEvent
from tickets.notifications import survey_token
from tickets.services import satisfaction_answer, ticket_add_note, ticket_create, ticket_reply, ticket_resolve

OCT_1 = dt.date(2026, 10, 1)
OCT_31 = dt.date(2026, 10, 31)
T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def frank(network_team):
    manager = UserFactory(email="frank@helpdesk.example", full_name="Frank Ortiz", role=Role.MANAGER)
    network_team.managers.add(manager)
    return manager


@pytest.fixture
def grace(service_desk):
    agent = UserFactory(email="grace@helpdesk.example", full_name="Grace Hopper", role=Role.AGENT)
    service_desk.members.add(agent)
    return agent


def resolve(requester, agent, at=T0, *, team=None, subject="VPN down") -> TicketEvent:
    with time_machine.travel(at, tick=False):
        ticket = ticket_create(
            requester=requester, subject=subject, description="It is down", acting_user=requester, team=team
        )
        ticket_reply(ticket, "Restarting the concentrator", acting_user=agent)
        ticket_resolve(ticket, code="fixed", summary="Restarted the VPN concentrator", acting_user=agent)
    return TicketEvent.objects.get(ticket=ticket, kind=EventKind.RESOLVED)


def rate(event: TicketEvent, score: int, comment: str = "") -> None:
    with time_machine.travel(event.created_at + dt.timedelta(hours=1), tick=False):
        satisfaction_answer(survey_token(event), score=score, comment=comment)


def resolutions(requester, agent, count, *, team=None) -> list[TicketEvent]:
    return [resolve(requester, agent, T0 + dt.timedelta(days=n), team=team) for n in range(count)]


@pytest.fixture
def drawn(alice, carol, service_desk) -> QualityReview:
    """One of carol's resolutions, drawn for review."""
    resolve(alice, carol)
    assert reviews.draw_reviews(OCT_1, OCT_31, sample_size=5, seed=1) == 1
    return QualityReview.objects.get()


def scores(**overrides):
    return {"accuracy": 4, "professionalism": 5, "empathy": 3, "completeness": 4, "comment": "Clear fix", **overrides}


# --- drawing --------------------------------------------------------------------------------


def test_draw_samples_up_to_the_sample_size_per_agent(alice, carol, dave, service_desk, network_team):
    carols = resolutions(alice, carol, 7)
    daves = resolutions(alice, dave, 2, team=network_team)

    assert reviews.draw_reviews(OCT_1, OCT_31, sample_size=5, seed=7) == 7

    mine = QualityReview.objects.filter(agent=carol)
    assert mine.count() == 5
    assert set(mine.values_list("resolution_event_id", flat=True)) <= {event.pk for event in carols}
    assert {review.resolution_event_id for review in QualityReview.objects.filter(agent=dave)} == {
        event.pk for event in daves
    }
    review = mine.first()
    assert (review.reason, review.team, review.reviewed_at) == (ReviewReason.RANDOM, service_desk, None)
    assert review.ticket_id == review.resolution_event.ticket_id
    assert review.day == review.resolution_event.created_at.date()


def test_every_low_satisfaction_answer_is_drawn_besides_the_sample(alice, carol, service_desk):
    events = resolutions(alice, carol, 6)
    rate(events[0], 1)
    rate(events[1], 2)
    rate(events[2], 3)

    assert reviews.draw_reviews(OCT_1, OCT_31, sample_size=2, seed=3) == 4

    low = QualityReview.objects.filter(reason=ReviewReason.LOW_CSAT)
    assert set(low.values_list("resolution_event_id", flat=True)) == {events[0].pk, events[1].pk}
    assert QualityReview.objects.filter(reason=ReviewReason.RANDOM).count() == 2


def test_a_second_draw_adds_nothing_but_a_late_low_answer(alice, carol, service_desk):
    events = resolutions(alice, carol, 4)
    assert reviews.draw_reviews(OCT_1, OCT_31, sample_size=2, seed=1) == 2
    assert reviews.draw_reviews(OCT_1, OCT_31, sample_size=2, seed=2) == 0

    not_drawn = next(event for event in events if not QualityReview.objects.filter(resolution_event=event).exists())
    rate(not_drawn, 1)

    assert reviews.draw_reviews(OCT_1, OCT_31, sample_size=2, seed=3) == 1
    assert QualityReview.objects.get(resolution_event=not_drawn).reason == ReviewReason.LOW_CSAT
    assert QualityReview.objects.filter(reason=ReviewReason.RANDOM).count() == 2


def test_a_seed_makes_the_draw_repeatable(alice, carol, service_desk):
    resolutions(alice, carol, 8)
    reviews.draw_reviews(OCT_1, OCT_31, sample_size=3, seed=42)
    first = set(QualityReview.objects.values_list("resolution_event_id", flat=True))
    QualityReview.objects.all().delete()

    reviews.draw_reviews(OCT_1, OCT_31, sample_size=3, seed=42)

    assert set(QualityReview.objects.values_list("resolution_event_id", flat=True)) == first


def test_the_draw_uses_the_local_day_of_the_team(alice, carol, service_desk):
    service_desk.time_zone = "Europe/Berlin"
    service_desk.save()
    resolve(alice, carol, dt.datetime(2026, 10, 31, 23, 30, tzinfo=dt.UTC))  # 00:30 on 1 November in Berlin

    assert reviews.draw_reviews(OCT_1, OCT_31, sample_size=5, seed=1) == 0
    assert reviews.draw_reviews(dt.date(2026, 11, 1), dt.date(2026, 11, 30), sample_size=5, seed=1) == 1
    assert QualityReview.objects.get().day == dt.date(2026, 11, 1)


def test_the_beat_task_draws_the_previous_month(alice, carol, service_desk, settings):
    settings.KPI_REVIEW_SAMPLE_SIZE = 1
    resolutions(alice, carol, 3)
    with time_machine.travel(dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.UTC)):
        assert draw_quality_reviews() == 1
        assert draw_quality_reviews() == 0


def test_a_manager_draws_only_the_teams_they_manage(alice, carol, dave, erin, service_desk, network_team):
    resolve(alice, carol)
    resolve(alice, dave, team=network_team)

    assert reviews.review_draw(OCT_1, OCT_31, acting_user=erin) == 1
    assert QualityReview.objects.get().agent == carol


def test_an_agent_cannot_draw(carol, service_desk):
    with pytest.raises(PermissionDenied):
        reviews.review_draw(OCT_1, OCT_31, acting_user=carol)


# --- reviewing ------------------------------------------------------------------------------


def test_the_manager_reviews_and_the_mean_is_the_review_score(drawn, erin, carol):
    review = reviews.review_submit(drawn, **scores(), acting_user=erin)

    review.refresh_from_db()
    assert (review.reviewer, review.comment, review.score) == (erin, "Clear fix", 4.0)
    assert review.reviewed_at is not None
    assert reviews.review_score_for(carol.pk, OCT_1, OCT_31) == (4.0, 1)
    assert reviews.review_score(carol, dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == (None, 0)


def test_pending_reviews_do_not_count_in_the_review_score(drawn, carol):
    assert reviews.review_score_for(carol.pk, OCT_1, OCT_31) == (None, 0)


def test_the_agent_cannot_review_their_own_ticket_even_as_appointed_reviewer(drawn, carol, erin, service_desk):
    reviews.reviewer_appoint(service_desk, carol, acting_user=erin)

    with pytest.raises(PermissionDenied):
        reviews.review_submit(drawn, **scores(), acting_user=carol)


def test_another_teams_manager_cannot_review(drawn, frank):
    with pytest.raises(PermissionDenied):
        reviews.review_submit(drawn, **scores(), acting_user=frank)


def test_an_agent_of_the_team_reviews_only_once_appointed(drawn, grace, erin, service_desk):
    with pytest.raises(PermissionDenied):
        reviews.review_submit(drawn, **scores(), acting_user=grace)

    reviews.reviewer_appoint(service_desk, grace, acting_user=erin)

    assert reviews.review_submit(drawn, **scores(), acting_user=grace).reviewer == grace


def test_an_admin_reviews_any_team(drawn, ada):
    assert reviews.review_submit(drawn, **scores(), acting_user=ada).reviewer == ada


@pytest.mark.parametrize("bad", [0, 6, "", "x", 3.5])
def test_scores_are_whole_numbers_from_1_to_5(drawn, erin, bad):
    with pytest.raises(ApplicationError) as refused:
        reviews.review_submit(drawn, **scores(empathy=bad), acting_user=erin)

    assert str(refused.value.message) == "Give empathy a score from 1 to 5."
    assert refused.value.extra == {"field": "empathy"}
    drawn.refresh_from_db()
    assert drawn.reviewed_at is None


def test_a_reviewer_changes_a_review(drawn, erin, ada):
    reviews.review_submit(drawn, **scores(), acting_user=erin)

    review = reviews.review_submit(drawn, **scores(accuracy=2, comment="Missed the root cause"), acting_user=ada)

    assert (review.accuracy, review.reviewer, review.comment) == (2, ada, "Missed the root cause")


# --- replying -------------------------------------------------------------------------------


def test_the_agent_replies_once_reviewed(drawn, carol, erin):
    with pytest.raises(ConflictError):
        reviews.review_reply(drawn, text="Thanks", acting_user=carol)
    reviews.review_submit(drawn, **scores(), acting_user=erin)

    review = reviews.review_reply(drawn, text="  I will add the root cause next time.  ", acting_user=carol)

    assert review.agent_reply == "I will add the root cause next time."
    assert review.replied_at is not None


def test_nobody_else_replies_for_the_agent(drawn, erin, dave):
    reviews.review_submit(drawn, **scores(), acting_user=erin)
    for someone in (erin, dave):
        with pytest.raises(PermissionDenied):
            reviews.review_reply(drawn, text="Not mine", acting_user=someone)


def test_an_empty_reply_is_refused(drawn, carol, erin):
    reviews.review_submit(drawn, **scores(), acting_user=erin)
    with pytest.raises(ApplicationError, match="Write a reply first"):
        reviews.review_reply(drawn, text="   ", acting_user=carol)


# --- reviewers ------------------------------------------------------------------------------


def test_a_manager_appoints_and_removes_a_reviewer(erin, grace, service_desk):
    appointment = reviews.reviewer_appoint(service_desk, grace, acting_user=erin)
    assert (appointment.reviewer, appointment.appointed_by) == (grace, erin)
    with pytest.raises(ConflictError):
        reviews.reviewer_appoint(service_desk, grace, acting_user=erin)

    assert reviews.reviewer_remove(service_desk, grace, acting_user=erin) is True
    assert not ReviewerAppointment.objects.exists()


def test_only_the_teams_managers_appoint(frank, carol, grace, service_desk):
    for someone in (frank, carol):
        with pytest.raises(PermissionDenied):
            reviews.reviewer_appoint(service_desk, grace, acting_user=someone)


def test_the_appointee_is_an_active_agent_of_the_team(erin, dave, alice, grace, service_desk, network_team):
    for outsider in (dave, alice):
        with pytest.raises(ApplicationError, match="is not an active agent of Service Desk"):
            reviews.reviewer_appoint(service_desk, outsider, acting_user=erin)
    grace.is_active = False
    grace.save()
    with pytest.raises(ApplicationError):
        reviews.reviewer_appoint(service_desk, grace, acting_user=erin)


# --- pages ----------------------------------------------------------------------------------


def test_the_queue_lists_the_teams_pending_reviews(client, alice, carol, dave, erin, service_desk, network_team):
    resolve(alice, carol, subject="Printer jam")
    resolve(alice, dave, team=network_team, subject="Switch port dead")
    reviews.draw_reviews(OCT_1, OCT_31, sample_size=5, seed=1)
    client.force_login(erin)

    response = client.get("/manage/reviews/")

    assert response.status_code == 200
    assert "Printer jam" in response.text
    assert "Switch port dead" not in response.text


def test_an_appointed_reviewer_never_sees_their_own_tickets_in_the_queue(
    client, alice, carol, grace, erin, service_desk
):
    resolve(alice, carol, subject="Printer jam")
    resolve(alice, grace, subject="Graces own")
    reviews.draw_reviews(OCT_1, OCT_31, sample_size=5, seed=1)
    reviews.reviewer_appoint(service_desk, grace, acting_user=erin)
    client.force_login(grace)

    response = client.get("/manage/reviews/")

    assert "Printer jam" in response.text
    assert "Graces own" not in response.text


def test_an_agent_who_reviews_no_team_gets_no_queue(client, carol, service_desk):
    client.force_login(carol)
    assert client.get("/manage/reviews/").status_code == 403


def test_the_review_page_shows_the_thread_resolution_and_satisfaction(client, drawn, erin):
    ticket_add_note(drawn.ticket, "Checked the logs first", acting_user=drawn.agent)
    rate(drawn.resolution_event, 2, "Took too long")
    client.force_login(erin)

    response = client.get(f"/manage/reviews/{drawn.pk}/")

    assert response.status_code == 200
    for shown in ("Restarting the concentrator", "Checked the logs first", "Restarted the VPN concentrator", "Fixed",
                  "Took too long"):  # fmt: skip
        assert shown in response.text


def test_the_reviewer_scores_from_the_page(client, drawn, erin):
    client.force_login(erin)
    form = {key: str(value) for key, value in scores().items()}

    response = client.post(f"/manage/reviews/{drawn.pk}/", form)

    assert response.status_code == 302
    drawn.refresh_from_db()
    assert drawn.score == 4.0 and drawn.reviewer == erin


def test_a_missing_score_is_shown_on_the_form(client, drawn, erin):
    client.force_login(erin)
    form = {key: str(value) for key, value in scores().items() if key != "empathy"}

    response = client.post(f"/manage/reviews/{drawn.pk}/", form)

    assert response.status_code == 400
    drawn.refresh_from_db()
    assert drawn.reviewed_at is None


@pytest.mark.parametrize("someone", ["carol", "dave", "frank"])
def test_someone_elses_review_page_is_forbidden(client, drawn, someone, request):
    client.force_login(request.getfixturevalue(someone))
    assert client.get(f"/manage/reviews/{drawn.pk}/").status_code == 403
    assert client.post(f"/manage/reviews/{drawn.pk}/", scores()).status_code == 403


def test_the_agent_reads_and_answers_their_reviews(client, drawn, carol, erin):
    client.force_login(carol)
    assert drawn.ticket.reference not in client.get("/agent/me/reviews/").text
    assert client.get(f"/agent/me/reviews/{drawn.pk}/").status_code == 404  # not reviewed yet
    reviews.review_submit(drawn, **scores(), acting_user=erin)

    assert drawn.ticket.reference in client.get("/agent/me/reviews/").text
    page = client.get(f"/agent/me/reviews/{drawn.pk}/")
    assert page.status_code == 200 and "Clear fix" in page.text
    response = client.post(f"/agent/me/reviews/{drawn.pk}/", {"text": "Thanks, noted."})

    assert response.status_code == 302
    drawn.refresh_from_db()
    assert drawn.agent_reply == "Thanks, noted."


def test_an_agent_sees_only_their_own_reviews(client, drawn, dave, erin):
    reviews.review_submit(drawn, **scores(), acting_user=erin)
    client.force_login(dave)

    assert drawn.ticket.reference not in client.get("/agent/me/reviews/").text
    assert client.get(f"/agent/me/reviews/{drawn.pk}/").status_code == 404
    assert client.post(f"/agent/me/reviews/{drawn.pk}/", {"text": "Mine now"}).status_code == 404


def test_the_manager_draws_from_the_queue(client, alice, carol, erin, service_desk):
    resolve(alice, carol)
    client.force_login(erin)

    response = client.post("/manage/reviews/draw/", {"first_day": "2026-10-01", "last_day": "2026-10-31"}, follow=True)

    assert "1 resolutions were drawn for review." in response.text
    assert QualityReview.objects.count() == 1


def test_the_reviewers_page_appoints_and_removes(client, erin, grace, frank, service_desk):
    client.force_login(erin)
    response = client.post("/manage/reviews/reviewers/", {"team": service_desk.pk, "user": grace.pk})
    assert response.status_code == 302
    appointment = ReviewerAppointment.objects.get()

    client.force_login(frank)
    assert client.post(f"/manage/reviews/reviewers/{appointment.pk}/remove/").status_code == 403

    client.force_login(erin)
    assert client.post(f"/manage/reviews/reviewers/{appointment.pk}/remove/").status_code == 302
    assert not ReviewerAppointment.objects.exists()
