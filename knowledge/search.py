"""Full-text search over articles, in English and Chinese (the pattern of tickets/search.py).

``Article.search_text`` holds title, summary and body segmented by jieba, and
``Article.search_vector`` its weighted vector: A title, B summary, C body.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from knowledge.models import Article
from tickets.search import CONFIG, segment

# A tsvector may hold at most 1 MB; see tickets/search.py for the arithmetic.
BODY_BUDGET_BYTES = 200_000

_UPDATE_SQL = """
UPDATE {table} AS article SET
    search_text = texts.title || E'\\n' || texts.summary || E'\\n' || texts.body,
    search_vector = setweight(to_tsvector(%(config)s::regconfig, texts.title), 'A')
        || setweight(to_tsvector(%(config)s::regconfig, texts.summary), 'B')
        || setweight(to_tsvector(%(config)s::regconfig, texts.body), 'C')
FROM unnest(%(ids)s::bigint[], %(titles)s::text[], %(summaries)s::text[], %(bodies)s::text[])
    AS texts (id, title, summary, body)
WHERE article.id = texts.id
"""


def _clip(text: str, max_bytes: int) -> str:
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    cut = data[:max_bytes].decode(errors="ignore")
    space = cut.rfind(" ")
    return cut[:space] if space > 0 else cut


def refresh_search_vectors(article_ids: Sequence[int]) -> int:
    """Recompute search text and vector of these articles in one UPDATE; returns rows updated."""
    rows = list(Article.objects.filter(pk__in=article_ids).values_list("pk", "title", "summary", "body"))
    if not rows:
        return 0
    ids, titles, summaries, bodies = zip(*rows, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            _UPDATE_SQL.format(table=connection.ops.quote_name(Article._meta.db_table)),
            {
                "config": CONFIG,
                "ids": list(ids),
                "titles": [segment(text) for text in titles],
                "summaries": [segment(text) for text in summaries],
                "bodies": [_clip(segment(_clip(text, BODY_BUDGET_BYTES)), BODY_BUDGET_BYTES) for text in bodies],
            },
        )
        return cursor.rowcount


def refresh_search_vector(article_id: int) -> None:
    """Recompute one article's search text and vector, inside the caller's transaction."""
    refresh_search_vectors([article_id])
