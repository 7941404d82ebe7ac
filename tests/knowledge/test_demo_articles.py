"""The demo knowledge base: created through the services, idempotent, and searchable."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import seed_accounts
from accounts.models import User
from knowledge import reports
from knowledge.demo import DEMO_GAPS, DEMO_SOLVED, DEMO_SUBMITTED_ANYWAY, demo_articles, seed_knowledge
from knowledge.demo_content import TOPICS
from knowledge.models import (
    ArticleReview,
    ArticleStatus,
    ArticleTicketLink,
    ArticleVersion,
    ArticleVote,
    DeflectionEvent,
    DeflectionOutcome,
    KnowledgeSearch,
    Language,
    Visibility,
)
from knowledge.search import search_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people():
    seed_accounts()


def test_seeding_writes_every_topic_in_both_languages(demo_people):
    summary = seed_knowledge()

    articles = demo_articles()
    assert summary.created == summary.total == articles.count() == 2 * len(TOPICS)
    assert articles.count() >= 40
    assert summary.published == articles.filter(status=ArticleStatus.PUBLISHED).count() >= 40
    assert articles.filter(language=Language.EN).count() == articles.filter(language=Language.ZH_HANS).count()
    # Each topic's two articles are translations of each other.
    assert articles.values("translation_group").distinct().count() == len(TOPICS)
    # A few are for staff only, a couple are still being written.
    assert articles.filter(visibility=Visibility.INTERNAL, status=ArticleStatus.PUBLISHED).count() >= 2
    assert set(articles.exclude(status=ArticleStatus.PUBLISHED).values_list("status", flat=True)) == {
        ArticleStatus.DRAFT,
        ArticleStatus.IN_REVIEW,
    }


def test_published_demo_articles_went_through_review(demo_people):
    seed_knowledge()
    manager = User.objects.get(email="erin.manager@helpdesk.example")

    published = demo_articles().filter(status=ArticleStatus.PUBLISHED)
    assert not published.filter(reviewer__isnull=True).exists()
    assert set(published.values_list("reviewer", flat=True)) == {manager.pk}
    assert not published.filter(author=manager).exists()
    assert ArticleVersion.objects.filter(article__in=published).count() == published.count()
    assert ArticleReview.objects.filter(article__in=published, decision="approved").count() == published.count()


def test_readers_have_viewed_and_voted(demo_people):
    seed_knowledge()

    public = demo_articles().filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)
    assert ArticleVote.objects.filter(article__in=public).exists()
    assert public.filter(view_count__gt=0).count() == public.count()
    for article in public:
        assert article.helpful_count + article.unhelpful_count == ArticleVote.objects.filter(article=article).count()
    # Nobody votes on internal or unpublished articles.
    assert not ArticleVote.objects.exclude(article__in=public).exists()


def test_seeding_again_changes_nothing(demo_people):
    seed_knowledge()
    before = list(demo_articles().order_by("pk").values("pk", "status", "version", "helpful_count", "view_count"))
    votes = ArticleVote.objects.count()

    summary = seed_knowledge()

    assert summary.created == 0
    assert list(demo_articles().order_by("pk").values("pk", "status", "version", "helpful_count", "view_count")) == (
        before
    )
    assert ArticleVote.objects.count() == votes


def test_every_published_demo_article_is_found_by_its_own_title(demo_people):
    seed_knowledge()
    requester = User.objects.get(email="alice.smith@acme.example")
    agent = User.objects.get(email="carol.agent@helpdesk.example")

    for article in demo_articles().filter(status=ArticleStatus.PUBLISHED):
        reader = requester if article.visibility == Visibility.PUBLIC else agent
        found = search_articles(reader, article.title, limit=3, language=article.language)
        assert article.pk in [hit.pk for hit in found.articles], article.title
        assert found.articles[0].pk == article.pk, article.title


def test_internal_demo_articles_are_hidden_from_requesters(demo_people):
    seed_knowledge()
    requester = User.objects.get(email="alice.smith@acme.example")

    for article in demo_articles().filter(visibility=Visibility.INTERNAL):
        found = search_articles(requester, article.title)
        assert article.pk not in [hit.pk for hit in found.articles]


def test_seed_demo_command_seeds_the_knowledge_base_and_respects_if_empty():
    output = StringIO()
    call_command("seed_demo", "--tickets", "0", stdout=output)
    assert demo_articles().count() == 2 * len(TOPICS)
    assert f"Demo knowledge base: {2 * len(TOPICS)} articles" in output.getvalue()

    demo_articles().delete()
    call_command("seed_demo", "--if-empty", "--tickets", "0", stdout=StringIO())
    assert not demo_articles().exists()


def test_the_deflection_report_has_something_to_show_once(demo_people):
    seed_knowledge()

    events = DeflectionEvent.objects.all()
    assert events.filter(outcome=DeflectionOutcome.SOLVED, ticket__isnull=True).count() == DEMO_SOLVED
    assert events.filter(outcome=DeflectionOutcome.SUBMITTED).count() == DEMO_SUBMITTED_ANYWAY
    # Only published public articles are suggested on the request form, so only they deflect.
    assert not events.exclude(article__status=ArticleStatus.PUBLISHED, article__visibility=Visibility.PUBLIC).exists()
    gaps = reports.content_gaps(reports.period_from("30"))
    assert {gap["normalised"]: gap["count"] for gap in gaps} == DEMO_GAPS
    figures = reports.deflection_figures(reports.period_from("90"))
    assert figures.solved == DEMO_SOLVED

    seed_knowledge()

    assert DeflectionEvent.objects.count() == DEMO_SOLVED + DEMO_SUBMITTED_ANYWAY
    assert KnowledgeSearch.objects.count() == sum(DEMO_GAPS.values())


def test_published_articles_were_used_on_resolved_tickets_of_their_category(demo_people):
    from tickets.demo import seed_tickets

    seed_tickets(count=120)
    seed_knowledge()

    links = ArticleTicketLink.objects.select_related("article", "ticket")
    assert links.exists()
    for link in links:
        assert link.article.status == ArticleStatus.PUBLISHED
        assert link.ticket.category_id == link.article.category_id
        assert link.ticket.status in ("resolved", "closed")
        assert link.linked_by_id == link.ticket.assignee_id
