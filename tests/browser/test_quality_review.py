"""The quality review journey: erin reviews one of carol's drawn tickets, carol reads it and replies."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from kpis.models import QualityReview
from kpis.reviews import draw_reviews
from tickets.services import ticket_create, ticket_reply, ticket_resolve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_erin_reviews_a_drawn_ticket_and_carol_replies(page, sign_in, alice, carol, erin, service_desk, password):
    ticket = ticket_create(
        requester=alice, subject="Laptop will not boot", description="Black screen", acting_user=alice
    )
    ticket_reply(ticket, "Please hold the power button for ten seconds.", acting_user=carol)
    ticket_resolve(ticket, code="fixed", summary="A hard reset brought it back.", acting_user=carol)
    today = dt.date.today()
    assert draw_reviews(today - dt.timedelta(days=1), today + dt.timedelta(days=1), sample_size=5, seed=1) == 1
    review = QualityReview.objects.get()

    sign_in(erin.email, password)
    page.goto("/manage/reviews/")
    page.get_by_test_id("review-queue").get_by_role("link", name=ticket.reference).click()
    page.wait_for_url(re.compile(rf"/manage/reviews/{review.pk}/$"))
    expect(page.get_by_test_id("thread")).to_contain_text("hold the power button")
    expect(page.get_by_test_id("review-resolution")).to_contain_text("A hard reset brought it back.")
    form = page.get_by_test_id("review-form")
    for legend, score in (("Accuracy", "5"), ("Professionalism", "4"), ("Empathy", "3"), ("Completeness", "4")):
        form.get_by_role("group", name=legend).get_by_label(score, exact=True).check()
    form.get_by_label("Comment").fill("Quick fix; tell the requester why it happened.")
    form.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("alert")).to_contain_text(f"The review of {ticket.reference} was saved.")
    expect(page.get_by_test_id("review-queue")).not_to_contain_text(ticket.reference)

    page.context.clear_cookies()
    sign_in(carol.email, password)
    page.goto("/agent/me/reviews/")
    page.get_by_test_id("my-reviews").get_by_role("link", name=ticket.reference).click()
    expect(page.get_by_test_id("review-score")).to_have_text("4.00")
    expect(page.get_by_test_id("review-comment")).to_contain_text("tell the requester why")
    page.get_by_label("Your reply").fill("Agreed, I will explain the cause next time.")
    page.get_by_role("button", name="Save reply").click()
    expect(page.get_by_role("alert")).to_contain_text("Your reply was saved.")

    review.refresh_from_db()
    assert review.agent_reply == "Agreed, I will explain the cause next time."
    assert review.score == 4.0
