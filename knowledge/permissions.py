"""Who may read, write and review knowledge-base articles; registered with accounts.permissions.

Readers: everyone (signed in or not) reads published public articles; staff also read
published internal ones. Writers: an agent works on their own drafts (and sees everything
that is in review or published); managers and admins see and edit every article. Reviewers:
a manager approves or returns articles written by someone else; an admin may review any.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role, User
from accounts.permissions import CHANGE, VIEW, rule, scope
from knowledge.models import Article, ArticleStatus, Visibility


def _is_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.works_tickets)


def readable_articles(user, articles: QuerySet[Article] | None = None) -> QuerySet[Article]:
    """Published articles ``user`` may read; ``user`` may be anonymous or None."""
    articles = Article.objects.all() if articles is None else articles
    published = articles.filter(status=ArticleStatus.PUBLISHED)
    return published if _is_staff(user) else published.filter(visibility=Visibility.PUBLIC)


def may_read(user, article: Article) -> bool:
    """The reader's side of :func:`readable_articles`, for one article."""
    return article.is_published and (article.is_public or _is_staff(user))


@scope(Article)
def _articles(user: User, articles: QuerySet[Article]) -> QuerySet[Article]:
    """Everything an author's desk lists: for agents, their own articles and all non-drafts."""
    if user.has_role(Role.MANAGER):
        return articles
    if user.works_tickets:
        return articles.filter(~Q(status=ArticleStatus.DRAFT) | Q(author_id=user.pk))
    return readable_articles(user, articles)


@rule(Article, VIEW)
def _view_article(user: User, article: Article) -> bool:
    if user.has_role(Role.MANAGER):
        return True
    if user.works_tickets:
        return article.status != ArticleStatus.DRAFT or article.author_id == user.pk
    return may_read(user, article)


@rule(Article, CHANGE)
def _change_article(user: User, article: Article) -> bool:
    if article.status == ArticleStatus.ARCHIVED:
        return user.has_role(Role.MANAGER)
    if user.has_role(Role.MANAGER):
        return True
    # An agent edits their own article until it is published; after that a manager edits it,
    # so that a published text never changes without a reviewer.
    return user.works_tickets and article.author_id == user.pk and article.status == ArticleStatus.DRAFT


def may_review(user: User, article: Article) -> bool:
    """Approve or return: managers for others' articles, admins for any."""
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.MANAGER) and article.author_id != user.pk


def review_queue(user: User, articles: QuerySet[Article] | None = None) -> QuerySet[Article]:
    """Articles in review that ``user`` may decide on (see :func:`may_review`); none for others."""
    articles = (Article.objects.all() if articles is None else articles).filter(status=ArticleStatus.IN_REVIEW)
    if user.has_role(Role.ADMIN):
        return articles
    if user.has_role(Role.MANAGER):
        return articles.exclude(author_id=user.pk)
    return articles.none()
