"""Articles for tests, built two ways.

- ``draft`` / ``published`` go through ``knowledge.authoring``: versions, reviews and the search
  vector are what the product would make. Use them when the test is about writing or reviewing.
- ``stored`` writes the row straight to the table in any status: cheaper, for tests that are about
  reading, searching, voting or reporting and do not care how the article got there.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from helpdesk.markdown import render_markdown
from knowledge import authoring
from knowledge.models import Article, ArticleStatus
from knowledge.search import refresh_search_vector


def draft(author: User, **fields) -> Article:
    """A draft by ``author`` with version 1; ``fields`` override the printer defaults."""
    values = {"title": "Printer offline", "summary": "When the printer shows offline.", "body": "Restart it."}
    values.update(fields)
    return authoring.create_article(author, **values)


def published(author: User, reviewer: User, **fields) -> Article:
    """A draft submitted by ``author`` and approved by ``reviewer``."""
    article = draft(author, **fields)
    authoring.submit_for_review(author, article)
    return authoring.approve(reviewer, article)


def in_status(status: str, author: User, reviewer: User, **fields) -> Article:
    """An article walked through the review workflow up to ``status``."""
    article = draft(author, **fields)
    if status != ArticleStatus.DRAFT:
        authoring.submit_for_review(author, article)
    if status in (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED):
        authoring.approve(reviewer, article)
    if status == ArticleStatus.ARCHIVED:
        authoring.archive(reviewer, article)
    article.refresh_from_db()
    return article


def stored(author: User, title: str, body: str = "Body text.", **fields) -> Article:
    """An article written straight to the table, published unless ``status`` says otherwise."""
    fields.setdefault("status", ArticleStatus.PUBLISHED)
    article = Article.objects.create(
        title=title,
        body=body,
        body_html=render_markdown(body),
        author=author,
        published_at=timezone.now() if fields["status"] == ArticleStatus.PUBLISHED else None,
        **fields,
    )
    refresh_search_vector(article.pk)
    return article
