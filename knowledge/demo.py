"""The demo knowledge base, written through the same services as a real one (knowledge/authoring.py):
each article is created by a demo agent, submitted, and approved by the demo manager, so that
its versions, review history and search vector are those of a real article.

Idempotent: an article whose title already exists in its language is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.demo import MANAGER, STAFF_DOMAIN
from accounts.models import Role, User
from knowledge import authoring
from knowledge.demo_content import TOPICS, DemoText, DemoTopic
from knowledge.models import (
    Article,
    ArticleStatus,
    ArticleTicketLink,
    DeflectionEvent,
    DeflectionOutcome,
    KnowledgeSearch,
    Language,
    SearchSource,
    Visibility,
)
from knowledge.reading import vote
from tickets.models import Category, Channel, Status, Ticket
from tickets.search import _HAN

DEFAULT_SEED = 20250601
# Share of demo requesters who voted on a published public article, and how many found it helpful.
VOTER_SHARE = 0.35
HELPFUL_SHARE = 0.8
# Resolved demo tickets each published article was used on (reuse), at most.
LINKS_PER_ARTICLE = 3
# What the deflection report shows on a fresh demo: requests ended by an article over the last
# 60 days, requests submitted after reading one, and questions the knowledge base cannot answer.
DEMO_SOLVED = 28
DEMO_SUBMITTED_ANYWAY = 12
DEMO_GAPS = {
    "coffee machine broken": 4,
    "parking permit renewal": 3,
    "工牌丢失怎么补办": 3,
    "会议室投影仪没有信号": 2,
    "order a second monitor": 2,
    "报销单被退回": 1,
}


@dataclass(frozen=True)
class KnowledgeSummary:
    created: int
    published: int
    total: int


def demo_articles() -> QuerySet[Article]:
    """The articles of the demo knowledge base (matched by title and language)."""
    titles = [text.title for topic in TOPICS for text in (topic.en, topic.zh)]
    return Article.objects.filter(title__in=titles)


def _staff(login: str) -> User:
    return User.objects.get(email=f"{login}@{STAFF_DOMAIN}")


def _write(topic: DemoTopic, text: DemoText, language: str, status: str, reviewer: User, translation_of=None):
    """One translation of a topic, moved through the workflow up to ``status``; None if it exists."""
    if Article.objects.filter(title=text.title, language=language).exists():
        return None
    author = _staff(topic.author)
    article = authoring.create_article(
        author,
        title=text.title,
        summary=text.summary,
        body=text.body,
        category=Category.objects.filter(name=topic.category).first(),
        tags=topic.tags,
        visibility=topic.visibility,
        language=language,
        translation_of=translation_of,
    )
    if status in (ArticleStatus.IN_REVIEW, ArticleStatus.PUBLISHED):
        article = authoring.submit_for_review(author, article)
    if status == ArticleStatus.PUBLISHED:
        article = authoring.approve(reviewer, article)
    return article


def _reader_activity(article: Article, requesters: list[User], rng: random.Random) -> None:
    """Views and "was this helpful?" votes, so that the reports have something to show."""
    voters = rng.sample(requesters, k=int(len(requesters) * VOTER_SHARE * rng.uniform(0.3, 1.0)))
    for user in voters:
        vote(article, helpful=rng.random() < HELPFUL_SHARE, user=user)
    Article.objects.filter(pk=article.pk).update(view_count=len(voters) * rng.randint(3, 9) + rng.randint(0, 20))


def seed_knowledge(seed: int = DEFAULT_SEED) -> KnowledgeSummary:
    """Create the demo articles that do not exist yet (needs accounts.demo.seed_accounts first)."""
    rng = random.Random(seed)
    reviewer = _staff(MANAGER[0])
    requesters = list(User.objects.filter(role=Role.REQUESTER, is_active=True).order_by("pk")[:60])
    created = 0
    for topic in TOPICS:
        with transaction.atomic():
            english = _write(topic, topic.en, Language.EN, topic.en_status, reviewer)
            original = english or Article.objects.filter(title=topic.en.title, language=Language.EN).first()
            chinese = _write(topic, topic.zh, Language.ZH_HANS, topic.zh_status, reviewer, translation_of=original)
            for article in (english, chinese):
                if article is None:
                    continue
                created += 1
                if article.is_published and article.is_public and requesters:
                    _reader_activity(article, requesters, rng)
    _seed_deflection(rng, requesters)
    _seed_ticket_links(rng)
    articles = demo_articles()
    return KnowledgeSummary(
        created=created,
        published=articles.filter(status=ArticleStatus.PUBLISHED).count(),
        total=articles.count(),
    )


def _at_random_time(rng: random.Random, days: int):
    return timezone.now() - timedelta(days=rng.uniform(0.1, days))


def _seed_deflection(rng: random.Random, requesters: list[User]) -> None:
    """Deflection events and content gaps for the manager's report; once, on an empty deflection log."""
    if DeflectionEvent.objects.exists():
        return
    public = list(demo_articles().filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC).order_by("pk"))
    web_tickets = list(Ticket.objects.filter(channel=Channel.WEB).order_by("-created_at")[:200])
    if not public or not requesters:
        return
    events = []
    for index in range(DEMO_SOLVED + DEMO_SUBMITTED_ANYWAY):
        article = rng.choice(public)
        solved = index < DEMO_SOLVED
        ticket = None if solved or not web_tickets else rng.choice(web_tickets)
        events.append(
            DeflectionEvent(
                outcome=DeflectionOutcome.SOLVED if solved else DeflectionOutcome.SUBMITTED,
                # The subject a requester would type: the article's title in lower case, cut short.
                query=article.title.lower()[:40],
                article=article,
                user=ticket.requester if ticket else rng.choice(requesters),
                ticket=ticket,
            )
        )
    searches = [
        KnowledgeSearch(
            query=query,
            normalised=query,
            source=rng.choice([SearchSource.KB, SearchSource.SUBMIT]),
            language=Language.ZH_HANS if _HAN.search(query) else Language.EN,
            result_count=0,
        )
        for query, times in DEMO_GAPS.items()
        for _ in range(times)
    ]
    with transaction.atomic():
        for row in DeflectionEvent.objects.bulk_create(events):
            DeflectionEvent.objects.filter(pk=row.pk).update(created_at=_at_random_time(rng, 60))
        for row in KnowledgeSearch.objects.bulk_create(searches):
            KnowledgeSearch.objects.filter(pk=row.pk).update(created_at=_at_random_time(rng, 30))


def _seed_ticket_links(rng: random.Random) -> None:
    """Published articles used on resolved tickets of their category, by the agent who resolved them."""
    if ArticleTicketLink.objects.exists():
        return
    links = []
    for article in demo_articles().filter(status=ArticleStatus.PUBLISHED, category__isnull=False).order_by("pk"):
        tickets = list(
            Ticket.objects.filter(
                category=article.category_id,
                status__in=(Status.RESOLVED, Status.CLOSED),
                assignee__isnull=False,
            ).order_by("pk")[:20]
        )
        for ticket in rng.sample(tickets, k=min(len(tickets), rng.randint(0, LINKS_PER_ARTICLE))):
            links.append(ArticleTicketLink(article=article, ticket=ticket, linked_by_id=ticket.assignee_id))
    ArticleTicketLink.objects.bulk_create(links, ignore_conflicts=True)
