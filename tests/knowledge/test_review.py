"""The review workflow: draft → in review → published → archived, and who may move it."""

import pytest
from django.core.exceptions import PermissionDenied

from helpdesk.errors import ApplicationError, ConflictError
from knowledge import authoring
from knowledge.models import ArticleStatus, ReviewDecision
from tests.factories import UserFactory
from tests.knowledge.builders import draft, in_status, published

DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED = (
    ArticleStatus.DRAFT,
    ArticleStatus.IN_REVIEW,
    ArticleStatus.PUBLISHED,
    ArticleStatus.ARCHIVED,
)


def _decisions(article):
    return list(article.reviews.order_by("created_at", "id").values_list("decision", "actor__email", "comment"))


def test_the_whole_journey_records_every_step(carol, erin):
    article = draft(carol)

    authoring.submit_for_review(carol, article, comment="Please check the steps")
    authoring.return_to_author(erin, article, comment="Add a screenshot of the settings")
    authoring.update_article(carol, article, expected_version=1, body="Restart it. See the settings page.")
    authoring.submit_for_review(carol, article)
    authoring.approve(erin, article, expected_version=2, comment="Good")
    authoring.archive(erin, article)
    authoring.unarchive(erin, article)

    article.refresh_from_db()
    assert article.status == PUBLISHED and article.reviewer == erin and article.published_at is not None
    assert _decisions(article) == [
        (ReviewDecision.SUBMITTED, carol.email, "Please check the steps"),
        (ReviewDecision.RETURNED, erin.email, "Add a screenshot of the settings"),
        (ReviewDecision.SUBMITTED, carol.email, ""),
        (ReviewDecision.APPROVED, erin.email, "Good"),
        (ReviewDecision.ARCHIVED, erin.email, ""),
        (ReviewDecision.RESTORED, erin.email, ""),
    ]
    assert list(article.reviews.order_by("created_at", "id").values_list("version", flat=True)) == [1, 1, 2, 2, 2, 2]


def test_the_first_publication_date_stays_when_an_article_is_published_again(carol, erin):
    article = published(carol, erin)
    first = article.published_at
    authoring.archive(erin, article)
    authoring.unarchive(erin, article)
    article.refresh_from_db()
    assert article.published_at == first


def test_returning_requires_a_comment(carol, erin):
    article = draft(carol)
    authoring.submit_for_review(carol, article)

    with pytest.raises(ApplicationError) as refused:
        authoring.return_to_author(erin, article, comment="   ")

    assert refused.value.extra == {"field": "comment"}
    article.refresh_from_db()
    assert article.status == IN_REVIEW


# (from, decision) pairs that are not in the table, with the manager (who may do everything) acting.
REFUSED = [
    (DRAFT, authoring.approve),
    (DRAFT, authoring.archive),
    (DRAFT, authoring.unarchive),
    (IN_REVIEW, authoring.submit_for_review),
    (IN_REVIEW, authoring.archive),
    (IN_REVIEW, authoring.unarchive),
    (PUBLISHED, authoring.submit_for_review),
    (PUBLISHED, authoring.approve),
    (PUBLISHED, authoring.unarchive),
    (ARCHIVED, authoring.submit_for_review),
    (ARCHIVED, authoring.approve),
    (ARCHIVED, authoring.archive),
]


@pytest.mark.parametrize(("status", "service"), REFUSED, ids=[f"{s}-{f.__name__}" for s, f in REFUSED])
def test_moves_outside_the_table_are_refused(carol, erin, status, service):
    article = in_status(status, carol, erin)

    with pytest.raises(ConflictError):
        service(erin, article, comment="x")

    article.refresh_from_db()
    assert article.status == status


@pytest.mark.parametrize("status", [DRAFT, PUBLISHED, ARCHIVED])
def test_return_is_only_for_articles_in_review(carol, erin, status):
    article = in_status(status, carol, erin)
    with pytest.raises(ConflictError):
        authoring.return_to_author(erin, article, comment="why")


def test_a_manager_does_not_review_their_own_article_but_an_admin_may(erin, ada):
    own = draft(erin)
    authoring.submit_for_review(erin, own)

    with pytest.raises(PermissionDenied):
        authoring.approve(erin, own)
    with pytest.raises(PermissionDenied):
        authoring.return_to_author(erin, own, comment="hmm")

    authoring.approve(ada, own)
    own.refresh_from_db()
    assert own.status == PUBLISHED and own.reviewer == ada


def test_agents_cannot_review_archive_or_submit_others_drafts(carol, dave, erin):
    article = draft(carol)
    with pytest.raises(PermissionDenied):
        authoring.submit_for_review(dave, article)
    authoring.submit_for_review(carol, article)
    with pytest.raises(PermissionDenied):
        authoring.approve(carol, article)
    with pytest.raises(PermissionDenied):
        authoring.approve(dave, article)
    authoring.approve(erin, article)
    with pytest.raises(PermissionDenied):
        authoring.archive(carol, article)


def test_a_second_manager_reviews_a_managers_article(erin):
    other_manager = UserFactory(email="mia@helpdesk.example", role="manager")
    article = draft(erin)
    authoring.submit_for_review(erin, article)

    authoring.approve(other_manager, article)

    article.refresh_from_db()
    assert article.reviewer == other_manager


def test_approving_a_text_changed_since_the_reviewer_read_it_is_refused(carol, erin, ada):
    article = draft(carol)
    authoring.submit_for_review(carol, article)
    authoring.update_article(ada, article, expected_version=1, body="Changed while in review")

    with pytest.raises(ConflictError):
        authoring.approve(erin, article, expected_version=1)

    article.refresh_from_db()
    assert article.status == IN_REVIEW


def test_the_buttons_offered_follow_the_table(carol, dave, erin):
    article = draft(carol)
    assert [m.decision for m in authoring.allowed_moves(carol, article)] == [ReviewDecision.SUBMITTED]
    assert authoring.allowed_moves(dave, article) == []
    authoring.submit_for_review(carol, article)
    article.refresh_from_db()
    assert authoring.allowed_moves(carol, article) == []
    assert [m.decision for m in authoring.allowed_moves(erin, article)] == [
        ReviewDecision.APPROVED,
        ReviewDecision.RETURNED,
    ]
