"""The reader's side of the knowledge base: views, "was this helpful?" votes and deflection.

Deflection is what happens on the request form: a requester typing a subject is shown public
articles; one they open is remembered in their session (with what they had typed), and then
either "this solved my problem" ends the request without a ticket, or they submit anyway.
Both outcomes are recorded as :class:`DeflectionEvent` rows, which the manager report reads.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from accounts.models import User
from helpdesk.names import pick_name
from knowledge.models import Article, ArticleVote, DeflectionEvent, DeflectionOutcome, SearchSource
from knowledge.permissions import readable_articles
from knowledge.search import search_articles
from tickets.models import Ticket
from tickets.search import HAN_CHARACTERS

# Session keys. The session is the reader's memory: no table row for "has seen" or "has opened".
VIEWED_KEY = "kb_viewed"
OPENED_KEY = "kb_opened"
# Enough to remember a long reading session; old entries fall off so the session stays small.
VIEWED_MAX = 300
OPENED_MAX = 10
QUERY_MAX_CHARS = 200

# The anonymous voter's cookie: a random key, signed so that a reader cannot pick someone
# else's key and overwrite their vote by guessing it.
VOTER_COOKIE = "kb_voter"
VOTER_COOKIE_SALT = "knowledge.voter"
VOTER_COOKIE_MAX_AGE = 2 * 365 * 24 * 3600

_HAN = re.compile(f"[{HAN_CHARACTERS}]")
SUGGEST_MIN_CHARS = 3
SUGGEST_MIN_HAN = 2
# Suggestions shown under the subject of the request form.
SUGGESTIONS = 5


# --- Selectors for the public pages -----------------------------------------------------------


def browse_categories(user: User | None) -> list[dict]:
    """Categories holding articles ``user`` may read, with counts, in one grouped query.

    ``[{category_id, name, parent, count}]``; articles without a category come last
    (``category_id`` None).
    """
    rows = (
        readable_articles(user)
        .values(
            "category_id",
            "category__name",
            "category__name_zh_hans",
            "category__parent__name",
            "category__parent__name_zh_hans",
        )
        .annotate(count=Count("id"))
        .order_by()
    )
    categories = [
        {
            "category_id": row["category_id"],
            "name": pick_name(row["category__name"], row["category__name_zh_hans"]),
            "parent": pick_name(row["category__parent__name"], row["category__parent__name_zh_hans"]),
            "count": row["count"],
        }
        for row in rows
    ]
    # A handful of rows: sorted here by their path (Hardware, Hardware › Printers, ...), with
    # "no category" last.
    return sorted(
        categories,
        key=lambda row: (
            row["category_id"] is None,
            row["parent"] or row["name"] or "",
            row["parent"] is not None,
            row["name"] or "",
        ),
    )


def _language_first(articles: QuerySet[Article], language: str | None) -> QuerySet[Article]:
    if not language:
        return articles.annotate(preferred=Value(0, output_field=IntegerField()))
    return articles.annotate(preferred=Case(When(language=language, then=Value(1)), default=Value(0)))


def articles_for_browsing(user: User | None, *, language: str | None, category_id: int | None = None):
    """Readable articles, the reader's language first, newest first; in a category and its children."""
    articles = (
        readable_articles(user)
        .select_related("category__parent")
        .defer("body", "body_html", "search_text", "search_vector")
    )
    if category_id is not None:
        articles = articles.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))
    return _language_first(articles, language).order_by("-preferred", "-published_at", "-id")


def article_for_reader(user: User | None, pk: int) -> Article:
    """A published article ``user`` may read, or 404: drafts, archived and internal articles
    (for non-staff) are answered exactly like articles that do not exist."""
    articles = readable_articles(user).select_related("category__parent").prefetch_related("tags")
    return get_object_or_404(articles.defer("search_text", "search_vector"), pk=pk)


def translations_of(user: User | None, article: Article) -> QuerySet[Article]:
    """The readable translations of ``article`` (same group, other languages)."""
    return (
        readable_articles(user)
        .filter(translation_group=article.translation_group)
        .exclude(pk=article.pk)
        .only("pk", "title", "language")
        .order_by("language")
    )


# --- Views and votes ---------------------------------------------------------------------------


def record_view(article: Article, session: MutableMapping) -> bool:
    """Count one view of ``article`` per session; True when this call counted it.

    The increment is ``F() + 1`` in one UPDATE, so two readers at once never lose a view.
    """
    viewed: list[int] = list(session.get(VIEWED_KEY, []))
    if article.pk in viewed:
        return False
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
    article.view_count += 1
    viewed.append(article.pk)
    session[VIEWED_KEY] = viewed[-VIEWED_MAX:]
    return True


def new_voter_key() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class VoteResult:
    vote: ArticleVote
    helpful_count: int
    unhelpful_count: int
    changed: bool


@transaction.atomic
def vote(article: Article, *, helpful: bool, user: User | None = None, browser_key: str = "") -> VoteResult:
    """Record "was this helpful?": one vote per signed-in user, else one per browser key.

    Voting again with another answer moves the vote, and both counters move with it. The
    article row is locked first, so that concurrent votes (even the very first vote of one
    voter from two tabs) are serialised and the counters always equal the vote rows.
    """
    signed_in = user is not None and user.is_authenticated
    if not signed_in and not browser_key:
        raise ValueError("an anonymous vote needs a browser key")
    locked = Article.objects.select_for_update().only("pk").get(pk=article.pk)
    voter = {"user": user} if signed_in else {"user": None, "browser_key": browser_key}
    existing = ArticleVote.objects.filter(article=locked, **voter).first()
    changed = True
    if existing is None:
        existing = ArticleVote.objects.create(article=locked, helpful=helpful, **voter)
        counter = "helpful_count" if helpful else "unhelpful_count"
        Article.objects.filter(pk=locked.pk).update(**{counter: F(counter) + 1})
    elif existing.helpful != helpful:
        existing.helpful = helpful
        existing.save(update_fields=["helpful", "updated_at"])
        gained, lost = ("helpful_count", "unhelpful_count") if helpful else ("unhelpful_count", "helpful_count")
        Article.objects.filter(pk=locked.pk).update(**{gained: F(gained) + 1, lost: F(lost) - 1})
    else:
        changed = False
    counts = Article.objects.filter(pk=locked.pk).values("helpful_count", "unhelpful_count").get()
    article.helpful_count, article.unhelpful_count = counts["helpful_count"], counts["unhelpful_count"]
    return VoteResult(existing, counts["helpful_count"], counts["unhelpful_count"], changed)


def current_vote(article: Article, *, user: User | None = None, browser_key: str = "") -> bool | None:
    """The reader's vote on ``article``: True, False, or None when they have not voted."""
    if user is not None and user.is_authenticated:
        voter = {"user": user}
    elif browser_key:
        voter = {"user": None, "browser_key": browser_key}
    else:
        return None
    return ArticleVote.objects.filter(article=article, **voter).values_list("helpful", flat=True).first()


# --- Deflection on the request form ----------------------------------------------------------


def suggestible(query: str) -> bool:
    """Long enough to suggest articles for: three characters (spaces aside), or two Chinese ones.

    Two Han characters are usually a word (打印, 网络); three Latin letters rarely are less.
    """
    letters = "".join(query.split())
    return len(letters) >= SUGGEST_MIN_CHARS or len(_HAN.findall(letters)) >= SUGGEST_MIN_HAN


def record_request_search(subject: str, *, language: str) -> None:
    """Record the subject of a submitted request as a form search, with what it would find.

    One row per request, not one per pause in typing: a request whose subject matches no public
    article is a content gap, in the requester's own words.
    """
    query = clean_query(subject)
    if suggestible(query):
        search_articles(None, query, limit=SUGGESTIONS, source=SearchSource.SUBMIT, language=language)


def clean_query(query: str) -> str:
    return " ".join((query or "").split())[:QUERY_MAX_CHARS]


def remember_opened(session: MutableMapping, article: Article, query: str) -> None:
    """The requester opened ``article`` from the request form, having typed ``query``."""
    opened = [entry for entry in session.get(OPENED_KEY, []) if entry["article"] != article.pk]
    opened.append({"article": article.pk, "query": clean_query(query)})
    session[OPENED_KEY] = opened[-OPENED_MAX:]


def opened_articles(session: MutableMapping) -> list[dict]:
    """What the requester opened from the form and has not yet acted on: ``[{article, query}]``."""
    return list(session.get(OPENED_KEY, []))


def forget_opened(session: MutableMapping) -> None:
    session.pop(OPENED_KEY, None)


def opened_entry(session: MutableMapping, article: Article) -> dict | None:
    """The form's memory of ``article`` (``{article, query}``), or None if not opened from the form."""
    return next((entry for entry in opened_articles(session) if entry["article"] == article.pk), None)


def _requester(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


@transaction.atomic
def record_solved(article: Article, *, query: str, user: User | None) -> DeflectionEvent:
    """ "This solved my problem": the request ends here, without a ticket."""
    return DeflectionEvent.objects.create(
        outcome=DeflectionOutcome.SOLVED, query=clean_query(query), article=article, user=_requester(user)
    )


@transaction.atomic
def record_submitted_anyway(ticket: Ticket, opened: list[dict], *, user: User | None) -> list[DeflectionEvent]:
    """The requester opened suggested articles and still submitted ``ticket``: one event per article.

    ``opened`` is :func:`opened_articles`; the view calls this in the transaction that creates
    the ticket, so that both or neither are kept. Articles deleted since are skipped.
    """
    if not opened:
        return []
    queries = {entry["article"]: entry["query"] for entry in opened}
    existing = Article.objects.filter(pk__in=queries).values_list("pk", flat=True)
    return DeflectionEvent.objects.bulk_create(
        DeflectionEvent(
            outcome=DeflectionOutcome.SUBMITTED,
            query=clean_query(queries[article_id]),
            article_id=article_id,
            user=_requester(user),
            ticket=ticket,
        )
        for article_id in sorted(existing)
    )
