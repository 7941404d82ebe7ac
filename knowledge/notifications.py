"""Review e-mails: reviewers hear of an article waiting for them, authors of the decision.

Queued in the outbox inside the transaction of the move, in each recipient's language.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from accounts.models import Role, Team, User
from knowledge.models import Article, ArticleReview, ReviewDecision
from notifications.outbox import queue_email


def _link(article: Article) -> str:
    return settings.SITE_URL + reverse("kb_agent:detail", args=[article.pk])


def reviewers_of(article: Article) -> list[User]:
    """The managers of the author's teams; every manager when those teams have none. Never the author."""
    team_ids = Team.objects.filter(members=article.author_id).values("pk")
    managers = User.objects.filter(is_active=True, managed_teams__in=team_ids, role__in=(Role.MANAGER, Role.ADMIN))
    if not managers.exclude(pk=article.author_id).exists():
        managers = User.objects.filter(is_active=True, role=Role.MANAGER)
    return list(managers.exclude(pk=article.author_id).distinct().order_by("pk"))


def _send(article: Article, review: ArticleReview, recipient: User, template: str) -> None:
    queue_email(
        kind=f"article_{review.decision}",
        to=recipient.email,
        language=recipient.language,
        template=template,
        context={"article": article, "review": review, "recipient": recipient, "link": _link(article)},
    )


def review_recorded(article: Article, review: ArticleReview) -> None:
    """The e-mails a workflow step sends: submitted → reviewers; approved / returned → the author."""
    if review.decision == ReviewDecision.SUBMITTED:
        for reviewer in reviewers_of(article):
            _send(article, review, reviewer, "article_submitted")
    elif review.decision in (ReviewDecision.APPROVED, ReviewDecision.RETURNED) and review.actor_id != article.author_id:
        _send(article, review, article.author, f"article_{review.decision}")
