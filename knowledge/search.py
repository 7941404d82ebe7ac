"""Full-text search over articles, in English and Chinese (the pattern of tickets/search.py).

``Article.search_text`` holds title, summary and body segmented by jieba, and
``Article.search_vector`` its weighted vector: A title, B summary, C body. The query is segmented
the same way (``tickets.search.segment``, jieba's dictionary loaded once per process) and parsed
with ``websearch_to_tsquery`` in the ``english`` configuration, so English is stemmed and Chinese
words match as jieba cut them.

Words every support request carries ("not working", "issue", "please help", "用不了", "有问题")
are dropped from the query when other words remain (``_query_words``): otherwise "printer not
working" would rank a VPN article that says "work from home" above the printer article, since
the rare word and the common one would count the same.

A search tries, in turn: every word (``all_words``); any word (``some_words``), because a
requester's question often carries words the article does not ("无法", "can't"); and trigram
similarity of the title (``similar``), for typos ("pasword resett"). Results are ranked with
``ts_rank_cd`` (cover density) weighted so that a title match outweighs a body match; at most
``RANKED_MAX`` matches (the most read) are ranked, and the wide columns are read for the
results only (docs/knowledge.md, "One statement per pass").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Literal

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity, TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, Left, Lower
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from knowledge.models import Article, KnowledgeSearch
from knowledge.permissions import readable_articles
from tickets.search import _HAN, CONFIG, HAN_CHARACTERS, _clip, _jieba, _relaxed_terms, segment

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


def index_all_articles(*, batch_size: int = 500) -> int:
    """Recompute the vector of every article, in short transactions; returns articles done.

    For articles loaded in bulk, or after a change to how texts are segmented.
    """
    done = 0
    last_id = 0
    while True:
        with transaction.atomic():
            # Locked, so that an edit saved meanwhile waits and refreshes after this batch
            # instead of being overwritten with the text read here.
            ids = list(
                Article.objects.filter(pk__gt=last_id)
                .order_by("pk")
                .select_for_update()
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return done
            done += refresh_search_vectors(ids)
        last_id = ids[-1]


# --- searching ------------------------------------------------------------------------------

Match = Literal["none", "all_words", "some_words", "similar"]

QUERY_MAX_CHARS = 200
# ts_rank_cd weights for D, C, B, A: a word in the title counts five times a word in the body,
# so "Reset your password" outranks an article that mentions passwords in passing.
RANK_WEIGHTS = [0.05, 0.2, 0.4, 1.0]
# 1: divide the rank by 1 + log(length), so that a long article does not win only by
# repeating a word more often than a short one that is about it.
RANK_NORMALISATION = 1
# Trigram similarity of the query to the lower-cased title (GIN index article_title_trgm_idx
# answers `%` with pg_trgm's default threshold, 0.3).
SIMILAR_MIN = 0.3
# Matching articles ranked per search, the most read first; see _full_text and docs/knowledge.md.
RANKED_MAX = 2_000
# The snippet is cut from the start of summary and body; no need to load all of the body.
EXCERPT_CHARS = 2_000
HEADLINE_OPTIONS = (
    'StartSel="\ue000", StopSel="\ue001", MinWords=12, MaxWords=30, '
    'MaxFragments=2, FragmentDelimiter=" … ", ShortWord=1'
)
# Sentinels for <mark> and </mark> (private-use characters, removed from the text first) and
# for the gaps jieba puts between Chinese words (removed from the headline afterwards).
_START, _STOP, _GAP = "\ue000", "\ue001", "\x1f"
_SENTINELS = re.compile(f"[{_START}{_STOP}{_GAP}]")

# Chinese words that say how a question is asked, not what it is about ("忘记密码了",
# "打印机怎么连接"). Dropped from the query only: a requester types them, an article rarely
# does, and every word of the query is required in the first pass.
# fmt: off
_ZH_QUERY_STOPWORDS = frozenset((
    "的", "了", "吗", "呢", "吧", "啊", "呀", "么", "我", "我的", "你", "您", "他", "她",
    "它", "我们", "是", "在", "和", "与", "也", "就", "都", "还", "又", "要", "想", "会",
    "能", "可以", "怎么", "怎么办", "怎样", "如何", "为什么", "为何", "什么", "哪里", "哪儿",
    "请问", "请", "一下", "一个", "这个", "那个", "这", "那", "有", "没", "老是", "总是",
    "一直", "突然",
    # Words of a support request rather than of its topic ("打印机用不了", "WiFi有问题").
    "问题", "有问题", "麻烦", "帮忙", "帮我", "看看", "看一下", "不行", "用不了", "谢谢", "急",
))
# English words that every support request carries, whatever it is about ("printer not working",
# "issue with onedrive", "please help"). They would match any article that mentions working,
# and rank it beside the one about the rare word of the question. Compared lower-cased before
# stemming, so each form is listed; PostgreSQL's own stop words ("not", "my", "the") are not.
_EN_QUERY_STOPWORDS = frozenset((
    "work", "works", "working", "worked", "issue", "issues", "problem", "problems", "help",
    "please", "pls", "plz", "cannot", "can't", "cant", "unable", "doesn't", "doesnt", "won't",
    "wont", "isn't", "isnt", "didn't", "anymore", "properly", "urgent", "urgently", "hi",
    "hello", "thanks", "thank", "need", "needs", "trying", "tried", "still", "wrong", "fix",
))
# fmt: on
# What may cling to an English word typed in a sentence: "working," "help!" "issue?".
_EDGE_PUNCTUATION = ",.;:!?…()[]"


@dataclass(frozen=True)
class ArticleSearch:
    """What a search found and how: ``some_words`` means no article had every word."""

    query: str
    match: Match
    articles: list[Article]


def _is_filler(word: str) -> bool:
    """A word of how a request is asked, not of what it is about (see the stop lists above)."""
    bare = word.lstrip('-"').rstrip('"')
    if bare in _ZH_QUERY_STOPWORDS:
        return True
    # A negated or quoted English word was typed on purpose ("-working", "\"not working\"").
    return bare == word and word.strip(_EDGE_PUNCTUATION).lower() in _EN_QUERY_STOPWORDS


def _query_words(segmented: str) -> str:
    """The segmented query without filler words; the query itself if nothing else is left."""
    kept = [word for word in segmented.split() if not _is_filler(word)]
    return " ".join(kept) if kept else segmented


def _preferred(language: str | None) -> Case | Value:
    """1 for an article in the reader's language, so that it sorts first; 0 for the rest."""
    if not language:
        return Value(0, output_field=IntegerField())
    return Case(When(language=language, then=Value(1)), default=Value(0))


def _results(best: QuerySet[Article], rank, language: str | None) -> list[Article]:
    """The articles whose ids ``best`` selects (already ordered and cut to the limit), with
    what a result shows: category, summary, the start of the body for the snippet, ``rank``.

    Kept apart from the ranking so that the wide columns are read for the few results only:
    in one query with the ranking, PostgreSQL reads the body of every matching article before
    it sorts them.
    """
    return list(
        Article.objects.filter(pk__in=best)
        .select_related("category")
        .defer("body", "body_html", "search_text", "search_vector")
        .annotate(excerpt=Left("body", EXCERPT_CHARS), preferred=_preferred(language), rank=rank)
        .order_by("-preferred", "-rank", "-published_at", "-id")
    )


def _full_text(
    readable: QuerySet[Article], text: str, limit: int, language: str | None, *, exclude: Sequence[int] = ()
) -> list[Article]:
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    # F(), not the field name: a name would be wrapped in to_tsvector(), re-parsing the stored
    # vector as text and losing its weights.
    rank = SearchRank(
        F("search_vector"), query, weights=RANK_WEIGHTS, normalization=Value(RANK_NORMALISATION), cover_density=True
    )
    matches = readable.filter(search_vector=query)
    if exclude:
        matches = matches.exclude(pk__in=exclude)
    # Ranking reads each match's stored vector (kept out of line, in TOAST): the cost of a
    # search is that of its matches. The RANKED_MAX most read ones are ranked; the order by
    # views needs only columns of the row itself. One SQL statement: ids in ids in ids.
    candidates = (
        matches.annotate(preferred=_preferred(language))
        .order_by("-preferred", "-view_count", "-published_at", "-id")
        .values("pk")[:RANKED_MAX]
    )
    best = (
        Article.objects.filter(pk__in=candidates)
        .annotate(preferred=_preferred(language), rank=rank)
        .order_by("-preferred", "-rank", "-published_at", "-id")
        .values("pk")[:limit]
    )
    return _results(best, rank, language)


def _similar(readable: QuerySet[Article], text: str, limit: int, language: str | None) -> list[Article]:
    text = text.lower()
    rank = Greatest(TrigramSimilarity(Lower("title"), text), TrigramWordSimilarity(text, Lower("title")))
    best = (
        readable.alias(lower_title=Lower("title"))
        # `%` and `<%` are answered by the trigram index on lower(title).
        .filter(Q(lower_title__trigram_similar=text) | Q(lower_title__trigram_word_similar=text))
        .annotate(preferred=_preferred(language), rank=rank)
        .filter(rank__gte=SIMILAR_MIN)
        .order_by("-preferred", "-rank", "-published_at", "-id")
        .values("pk")[:limit]
    )
    return _results(best, rank, language)


def _find(user, query: str, limit: int, language: str | None) -> tuple[ArticleSearch, str]:
    """The articles and the websearch text their snippets should mark ("" for none)."""
    if not query:
        return ArticleSearch(query, "none", []), ""
    readable = readable_articles(user)
    words = _query_words(segment(query))
    found = _full_text(readable, words, limit, language)
    terms = _relaxed_terms(words)
    if len(found) == limit or (found and len(terms) < 2):
        return ArticleSearch(query, "all_words", found), words
    if len(terms) > 1:
        # Too few articles have every word (sometimes only one that shares a common verb with
        # the question): articles with some of the words follow, best first — two of them
        # where the question has three or more, any one only when no article has two.
        match = "all_words" if found else "some_words"
        seen = [article.pk for article in found]
        for relaxed in _relaxations(terms):
            more = _full_text(readable, relaxed, limit - len(found), language, exclude=seen)
            if more:
                return ArticleSearch(query, match, found + more), relaxed
            if found:
                return ArticleSearch(query, match, found), words
    found = _similar(readable, query, limit, language)
    if found:
        return ArticleSearch(query, "similar", found), ""
    return ArticleSearch(query, "none", []), ""


# Pairs of words are tried for at most this many words of a question (15 pairs).
PAIRED_TERMS_MAX = 6


def _relaxations(terms: list[str]) -> list[str]:
    """Websearch texts, strictest first: any two of the words (for three or more), any one."""
    if len(terms) < 3:
        return [" or ".join(terms)]
    pairs = " or ".join(f"{first} {second}" for first, second in combinations(terms[:PAIRED_TERMS_MAX], 2))
    return [pairs, " or ".join(terms)]


def search_articles(
    user,
    query: str,
    *,
    limit: int = 10,
    source: str | None = None,
    language: str | None = None,
) -> ArticleSearch:
    """Published articles ``user`` may read matching ``query``, best first.

    Each article has ``rank`` and ``snippet`` (safe HTML, matches in ``<mark>``). ``language``
    (e.g. "zh-hans") puts articles in that language first without excluding others. With
    ``source`` (a ``SearchSource``) the search is recorded, so that managers see what people
    look for and what found nothing. ``user`` may be anonymous or None.
    """
    query = " ".join((query or "").split())[:QUERY_MAX_CHARS]
    result, marked = _find(user, query, limit, language)
    for article, headline in zip(result.articles, _headlines(result.articles, marked), strict=True):
        article.snippet = headline
    if source and query:
        record_search(query, source=source, language=language or "", result_count=len(result.articles))
    return result


def record_search(query: str, *, source: str, language: str = "", result_count: int) -> KnowledgeSearch:
    """One row per search; those with ``result_count`` 0 are the content gaps."""
    query = " ".join(query.split())[:QUERY_MAX_CHARS]
    return KnowledgeSearch.objects.create(
        query=query,
        normalised=query.lower(),
        source=source,
        language=language,
        result_count=result_count,
    )


# --- snippets -------------------------------------------------------------------------------

_MARKDOWN = [
    (re.compile(r"^```.*$", re.MULTILINE), " "),  # code fences
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: their alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links: their text
    (re.compile(r"^\s{0,3}(?:#{1,6}|>|[-*+]|\d+[.)])\s+", re.MULTILINE), ""),  # headings, quotes, lists
    (re.compile(r"\*\*|__|`|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)"), ""),  # emphasis and code marks
]


def _plain(text: str) -> str:
    """Markdown reduced to its words, on one line: a snippet is read, not rendered."""
    text = _SENTINELS.sub(" ", text or "")
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def _readable_segments(text: str) -> str:
    """``text`` with Chinese runs cut into words (jieba's precise mode) separated by ``_GAP``.

    The stored ``search_text`` cannot be used for snippets: search mode repeats the shorter
    words inside long ones (打印 印机 打印机), which would read as gibberish. Precise mode cuts
    without overlap, so removing the gaps afterwards gives the original text back.
    """
    tokenizer = _jieba() if _HAN.search(text) else None
    if tokenizer is None:
        return text
    return _HAN.sub(lambda match: _GAP + _GAP.join(tokenizer.cut(match.group())) + _GAP, text)


# Suggestions on /submit/ search again at every pause in typing and mostly find the same
# articles; cutting a Chinese excerpt with jieba takes ~4 ms, the largest part of a search after
# the database. Bounded: a few MB per process at most.
SNIPPET_SOURCES_CACHED = 512


@lru_cache(maxsize=SNIPPET_SOURCES_CACHED)
def _snippet_source(text: str) -> str:
    """What ``ts_headline`` is given for an article: its text made plain and cut into words."""
    return _readable_segments(_plain(text))


_HEADLINE_SQL = """
SELECT ts_headline(%(config)s::regconfig, doc, websearch_to_tsquery(%(config)s::regconfig, %(query)s), %(options)s)
FROM unnest(%(docs)s::text[]) WITH ORDINALITY AS docs (doc, position)
ORDER BY position
"""


def _headlines(articles: Sequence[Article], marked: str) -> list[SafeString]:
    """One snippet per article from its summary and body, in one query; escaped HTML.

    ``ts_headline`` picks the fragments with the most query words and marks them; the text is
    escaped here afterwards (bodies are markdown and may hold ``<`` and ``>``), and only the
    sentinels it put around matches become ``<mark>`` tags.
    """
    if not articles:
        return []
    docs = [_snippet_source(f"{article.summary}\n{article.excerpt}") for article in articles]
    if marked:
        with connection.cursor() as cursor:
            cursor.execute(
                _HEADLINE_SQL,
                {"config": CONFIG, "query": marked, "options": HEADLINE_OPTIONS, "docs": docs},
            )
            docs = [row[0] for row in cursor.fetchall()]
    else:
        docs = [_first_words(doc) for doc in docs]
    return [_html(doc) for doc in docs]


def _first_words(text: str, words: int = 30) -> str:
    """The opening of a text when there is nothing to mark (a trigram match on the title)."""
    parts = text.replace(_GAP, f"{_GAP} ").split(" ")
    opening = " ".join(parts[: words * 2])
    return opening.replace(f"{_GAP} ", _GAP) + (" …" if len(parts) > words * 2 else "")


def _html(headline: str) -> SafeString:
    # ts_headline drops what its parser takes for HTML tags, which can leave double spaces.
    text = escape(" ".join(headline.replace(_GAP, "").split()))
    # Safe: the text was escaped above; only the sentinels become tags.
    html = text.replace(_START, "<mark>").replace(_STOP, "</mark>")
    # Two marked Chinese words side by side come back from ts_headline with a space between:
    # one mark for the run reads as the phrase it was.
    return mark_safe(_SPACE_BETWEEN_MARKED_HAN.sub("", html))


_SPACE_BETWEEN_MARKED_HAN = re.compile(f"(?<=[{HAN_CHARACTERS}])</mark>\\s*<mark>(?=[{HAN_CHARACTERS}])")
