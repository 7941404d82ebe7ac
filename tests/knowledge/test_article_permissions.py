"""Who may list, open, edit and review articles on the desk (requester / agent / other agent / manager / admin)."""

import pytest
from django.urls import reverse

from knowledge import authoring
from knowledge.models import ArticleStatus
from knowledge.permissions import may_read, readable_articles
from tests.knowledge.builders import draft


@pytest.fixture
def people(alice, carol, dave, erin, ada):
    return {"alice": alice, "carol": carol, "dave": dave, "erin": erin, "ada": ada}


@pytest.fixture
def carols_draft(carol):
    return draft(carol, title="Carol's draft")


@pytest.fixture
def in_review(carol):
    article = draft(carol, title="Carol's article in review")
    return authoring.submit_for_review(carol, article)


def _status(client, user, method, url, data=None):
    client.force_login(user)
    return (client.post(url, data or {}) if method == "post" else client.get(url)).status_code


# carol is the author; dave another agent; erin a manager; ada an admin; alice a requester.
DRAFT_MATRIX = {
    # who: (list, detail, edit page)
    "alice": (403, 403, 403),
    "carol": (200, 200, 200),
    "dave": (200, 404, 404),
    "erin": (200, 200, 200),
    "ada": (200, 200, 200),
}


@pytest.mark.parametrize("who", DRAFT_MATRIX)
def test_a_draft_belongs_to_its_author_and_the_managers(client, people, carols_draft, who):
    user = people[who]
    expected = DRAFT_MATRIX[who]
    pk = carols_draft.pk

    got = (
        _status(client, user, "get", reverse("kb_agent:list")),
        _status(client, user, "get", reverse("kb_agent:detail", args=[pk])),
        _status(client, user, "get", reverse("kb_agent:edit", args=[pk])),
    )

    assert got == expected
    if who in ("carol", "erin", "ada"):
        assert "Carol&#x27;s draft" in client.get(reverse("kb_agent:list")).content.decode()
    if who == "dave":
        assert "Carol&#x27;s draft" not in client.get(reverse("kb_agent:list")).content.decode()


# who: (detail, edit page, approve)
IN_REVIEW_MATRIX = {
    "alice": (403, 403, 403),
    "carol": (200, 403, 403),
    "dave": (200, 403, 403),
    "erin": (200, 200, 302),
    "ada": (200, 200, 302),
}


@pytest.mark.parametrize("who", IN_REVIEW_MATRIX)
def test_an_article_in_review_is_seen_by_staff_and_approved_by_reviewers(client, people, in_review, who):
    user = people[who]
    pk = in_review.pk

    got = (
        _status(client, user, "get", reverse("kb_agent:detail", args=[pk])),
        _status(client, user, "get", reverse("kb_agent:edit", args=[pk])),
        _status(client, user, "post", reverse("kb_agent:decide", args=[pk, "approved"]), {"version": 1}),
    )

    assert got == IN_REVIEW_MATRIX[who]
    in_review.refresh_from_db()
    expected_status = ArticleStatus.PUBLISHED if who in ("erin", "ada") else ArticleStatus.IN_REVIEW
    assert in_review.status == expected_status


def test_a_published_article_is_edited_by_managers_only(client, carol, dave, erin, in_review):
    authoring.approve(erin, in_review)
    url = reverse("kb_agent:edit", args=[in_review.pk])
    assert _status(client, carol, "get", url) == 403
    assert _status(client, dave, "get", url) == 403
    assert _status(client, erin, "get", url) == 200


def test_an_archived_article_is_for_managers_to_restore(client, carol, erin, in_review):
    authoring.approve(erin, in_review)
    authoring.archive(erin, in_review)
    url = reverse("kb_agent:decide", args=[in_review.pk, "restored"])

    assert _status(client, carol, "post", url, {"version": 1}) == 403
    assert _status(client, erin, "post", url, {"version": 1}) == 302
    in_review.refresh_from_db()
    assert in_review.status == ArticleStatus.PUBLISHED


def test_anonymous_visitors_are_sent_to_sign_in(client, carols_draft):
    response = client.get(reverse("kb_agent:detail", args=[carols_draft.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_readers_see_published_public_articles_and_staff_internal_ones_too(alice, carol, erin):
    public = draft(carol, title="Public")
    internal = draft(carol, title="Internal", visibility="internal")
    for article in (public, internal):
        authoring.submit_for_review(carol, article)
        authoring.approve(erin, article)
    unpublished = draft(carol, title="Not yet")
    for article in (public, internal, unpublished):
        article.refresh_from_db()

    assert set(readable_articles(None)) == {public}
    assert set(readable_articles(alice)) == {public}
    assert set(readable_articles(carol)) == {public, internal}
    assert may_read(None, public) and not may_read(alice, internal) and may_read(carol, internal)
    assert not may_read(carol, unpublished)
