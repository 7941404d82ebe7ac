"""Relevance: do requesters' questions find the article that answers them?

Runs every query of tests/knowledge/relevance_articles.py as a requester and counts how often an
expected article is among the first three results. The score and every miss are printed in the
terminal summary at the end of the run (see tests/conftest.py), so that a change in ranking shows
in the CI log.
"""

from __future__ import annotations

import pytest

from knowledge.models import Article, ArticleStatus, Visibility
from knowledge.search import refresh_search_vectors, search_articles
from tests.knowledge.relevance_articles import QUERIES, all_articles

pytestmark = pytest.mark.django_db

TOP = 3
REQUIRED_SCORE = 0.90


@pytest.fixture
def relevance_articles(carol) -> dict[int, str]:
    """The fixture articles, published and public; {article id: key}."""
    rows = all_articles()
    created = Article.objects.bulk_create(
        Article(
            title=title,
            summary=summary,
            body=body,
            language=language,
            author=carol,
            status=ArticleStatus.PUBLISHED,
            visibility=Visibility.PUBLIC,
        )
        for _key, language, title, summary, body in rows
    )
    refresh_search_vectors([article.pk for article in created])
    return {article.pk: key for article, (key, *_rest) in zip(created, rows, strict=True)}


def test_the_set_is_big_enough():
    languages = [language for _query, language, _expected in QUERIES]
    assert languages.count("en") >= 15
    assert languages.count("zh-hans") >= 15
    assert len(all_articles()) >= 60
    keys = {key for key, *_rest in all_articles()}
    assert len(keys) == len(all_articles()), "keys are unique"
    assert all(set(expected) <= keys for _query, _language, expected in QUERIES)


def test_expected_article_in_top_three_for_nine_queries_in_ten(relevance_articles, alice, record_property):
    hits, first, misses = 0, 0, []
    for query, language, expected in QUERIES:
        found = search_articles(alice, query, limit=TOP, language=language)
        keys = [relevance_articles[article.pk] for article in found.articles]
        if set(expected) & set(keys):
            hits += 1
            first += keys[0] in expected
        else:
            misses.append(f"  miss: {query!r} ({found.match}) expected {', '.join(expected)}, got {keys}")
    score = hits / len(QUERIES)
    summary = "\n".join(
        [
            f"Knowledge-base relevance: {hits}/{len(QUERIES)} queries = {score:.0%} "
            f"with an expected article in the top {TOP} ({first} first)",
            *misses,
        ]
    )
    # Shown at the end of the run by tests/conftest.py, also from an xdist worker (whose own
    # output pytest does not show).
    record_property("terminal_summary", summary)
    assert score >= REQUIRED_SCORE
