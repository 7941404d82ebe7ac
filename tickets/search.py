"""Full-text search over tickets, in English and Chinese.

PostgreSQL's parser does not split Chinese into words: a run of Han characters becomes one
token, so "打印机连接故障" would only ever match itself. Every text is therefore segmented with
jieba (search mode, which also emits the shorter words inside long ones: 打印 / 印机 / 打印机)
before it reaches ``to_tsvector``, and the query is segmented the same way. The ``english``
configuration keeps the segmented Chinese words as lexemes unchanged (its stemmer leaves
non-Latin words alone), so one configuration serves mixed Chinese / English text: English
words are stemmed ("printers" finds "printer"), Chinese words match as jieba cut them.

``Ticket.search_vector`` holds, by weight: A subject, B description, C public replies,
D internal notes. The services refresh it in the transaction of the change that altered those
texts; ``manage.py rebuild_search_index`` fills it for tickets loaded before.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.db.models import BigIntegerField, CharField, F, Func, Max, Min, Q, QuerySet, Value
from django.db.models.functions import Cast, Left, Lower
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from accounts.permissions import visible
from tickets.models import Ticket, parse_reference

CONFIG = "english"
QUERY_MAX_CHARS = 200
# A tsvector may hold at most 1 MB, and a reply must never fail because its thread is long or
# full of unusual words. The segmented text of each section is cut to a byte budget (the
# vector takes at most ~2.75 times the bytes of the text it is built from, when every word is
# new and three bytes long); the earliest text is kept. Reading is capped as well.
SECTION_BUDGET_BYTES = {"subject": 4_000, "description": 140_000, "replies": 120_000, "notes": 90_000}
THREAD_MAX_CHARS = 60_000
# The snippet is cut from the start of the description only; no need to load all of it.
EXCERPT_CHARS = 3_000
SNIPPET_CHARS = 220
# Full-text matches are ranked among the newest 20,000 tickets first; only when fewer than a
# page of them match does the search widen, to the newest 200,000, then to every ticket. At a
# million tickets a common word ("printer") matches 50,000 of them: ranking them all meant
# reading every matching row (0.4–0.6 s), the newest window reads a few hundred. A very good
# match in an old ticket therefore loses to a page of recent, weaker ones: for a help desk
# that is usually what the agent wants, and a more precise query finds the old one.
RANKED_WINDOWS = (20_000, 200_000, None)

# Han ideographs (CJK unified, extension A, compatibility, and the supplementary planes).
HAN_CHARACTERS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_HAN = re.compile(f"[{HAN_CHARACTERS}]+")
# Non-ASCII punctuation and spaces (，。、“”《》 and the ideographic space): a database in the C
# locale takes every non-ASCII character for a letter and would glue them to words or keep
# them as lexemes of their own, and a query word "，" would then be required in every match.
# ASCII is left alone: the parser needs it for e-mail addresses, URLs, numbers and hyphens.
_WIDE_PUNCTUATION = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(128, 0x10000) if unicodedata.category(chr(c))[0] in "PZ") + "]"
)
# Characters after which a segmented run is not padded with a space: websearch syntax
# (a leading "-" negates, quotes make a phrase) must stay attached to the first word.
_ATTACHING = {"-", '"'}

_tokenizer = None
_tokenizer_lock = threading.Lock()


def _jieba():
    """jieba's default tokenizer, its dictionary loaded once per process on first use.

    Loading takes most of a second, so it must never happen per request; the lock keeps two
    threads of one process from loading it twice. jieba logs its progress at DEBUG to stderr.
    A web process loads it as it starts (``load_tokenizer``, helpdesk/warmup.py).
    """
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _tokenizer = jieba.dt
    return _tokenizer


def load_tokenizer() -> None:
    """Load jieba's dictionary now, if this process has not yet."""
    _jieba()


def segment(text: str | None) -> str:
    """``text`` with its Chinese runs cut into space-separated words; other text left as is.

    Non-ASCII punctuation becomes a space (see ``_WIDE_PUNCTUATION``).
    """
    if not text:
        return ""
    text = _WIDE_PUNCTUATION.sub(" ", text)
    if not _HAN.search(text):
        return text
    tokenizer = _jieba()

    def cut(match: re.Match) -> str:
        words = " ".join(word for word in tokenizer.cut_for_search(match.group()) if not word.isspace())
        start, end = match.span()
        before = text[start - 1] if start else " "
        # "-打印机" keeps its minus and '"打印机' its quote, unless they belong to a word before.
        attached = before in _ATTACHING and (start < 2 or text[start - 2].isspace())
        lead = "" if before.isspace() or attached else " "
        trail = "" if end == len(text) or text[end].isspace() or text[end] == '"' else " "
        return f"{lead}{words}{trail}"

    return _HAN.sub(cut, text)


# --- keeping the vector up to date ----------------------------------------------------------


def _thread_text(public: bool) -> Left:
    return Left(
        StringAgg(
            "messages__body",
            delimiter="\n\n",
            filter=Q(messages__is_public=public),
            order_by=("messages__created_at", "messages__id"),
            default="",
        ),
        THREAD_MAX_CHARS,
    )


def _clip(text: str, max_bytes: int) -> str:
    """At most ``max_bytes`` of UTF-8, cut at a space so that no half word becomes a lexeme."""
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    cut = data[:max_bytes].decode(errors="ignore")
    space = cut.rfind(" ")
    return cut[:space] if space > 0 else cut


def _indexable(text: str, section: str) -> str:
    budget = SECTION_BUDGET_BYTES[section]
    # Segmenting only makes text longer, so cutting first bounds jieba's work as well.
    return _clip(segment(_clip(text, budget)), budget)


_UPDATE_SQL = """
UPDATE {table} AS ticket SET search_vector =
    setweight(to_tsvector(%(config)s::regconfig, texts.subject), 'A')
    || setweight(to_tsvector(%(config)s::regconfig, texts.description), 'B')
    || setweight(to_tsvector(%(config)s::regconfig, texts.replies), 'C')
    || setweight(to_tsvector(%(config)s::regconfig, texts.notes), 'D')
FROM unnest(%(ids)s::bigint[], %(subjects)s::text[], %(descriptions)s::text[], %(replies)s::text[], %(notes)s::text[])
    AS texts (id, subject, description, replies, notes)
WHERE ticket.id = texts.id
"""


def refresh_search_vectors(ticket_ids: Sequence[int]) -> int:
    """Recompute the search vector of these tickets: one read of their texts, one UPDATE.

    Callers hold the ticket rows locked (the services do), so no reply written in between can
    be overwritten with an older text. Returns the number of tickets updated.
    """
    if not ticket_ids:
        return 0
    rows = list(
        Ticket.objects.filter(pk__in=ticket_ids)
        .values_list("pk", "subject", "description")
        .annotate(replies=_thread_text(public=True), notes=_thread_text(public=False))
        .order_by()
    )
    if not rows:
        return 0
    ids, subjects, descriptions, replies, notes = zip(*rows, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            _UPDATE_SQL.format(table=connection.ops.quote_name(Ticket._meta.db_table)),
            {
                "config": CONFIG,
                "ids": list(ids),
                "subjects": [_indexable(text, "subject") for text in subjects],
                "descriptions": [_indexable(text, "description") for text in descriptions],
                "replies": [_indexable(text, "replies") for text in replies],
                "notes": [_indexable(text, "notes") for text in notes],
            },
        )
        return cursor.rowcount


# Set inside search_refresh_once(): the tickets whose vector waits for the block's end.
_refresh_later: ContextVar[set[int] | None] = ContextVar("search_refresh_later", default=None)


@contextmanager
def search_refresh_once() -> Iterator[None]:
    """Inside this block each ticket's search vector is recomputed once, as the block ends.

    For one transaction that writes a ticket and its whole thread (the import): each message
    would otherwise re-read and re-index every text of the ticket so far. Must sit inside the
    transaction; if the block raises, nothing is written (the transaction is rolled back anyway).
    """
    ticket_ids: set[int] = set()
    token = _refresh_later.set(ticket_ids)
    try:
        yield
    finally:
        _refresh_later.reset(token)
    refresh_search_vectors(sorted(ticket_ids))


def refresh_search_vector(ticket_id: int) -> None:
    """Recompute one ticket's search vector, inside the caller's transaction."""
    later = _refresh_later.get()
    if later is not None:
        later.add(ticket_id)
        return
    refresh_search_vectors([ticket_id])


# --- searching ------------------------------------------------------------------------------

Match = Literal["none", "reference", "email", "all_words", "some_words"]


@dataclass(frozen=True)
class TicketSearch:
    """What a search found and how: ``some_words`` means no ticket had every word."""

    query: str
    match: Match
    tickets: list[Ticket]


def _note_free_vector() -> Func:
    """The search vector without weight D (internal notes)."""
    return Func(
        F("search_vector"),
        Value("{a,b,c}"),
        function="ts_filter",
        template='%(function)s(%(expressions)s::"char"[])',
        output_field=SearchVectorField(),
    )


def _without_contained_words(segmented: str) -> str:
    """The query without Chinese words that lie inside a longer Chinese word of the same query.

    Search mode cuts 打印机 into 打印 / 印机 / 打印机, in the tickets and in the query alike, so
    a ticket with 打印机 always has the shorter two: requiring them as well changes no match.
    It does mislead the planner: it takes the three words for independent, estimates a few dozen
    matches where there are 46,000, and then reads every one of them instead of intersecting
    them with the newest tickets (RANKED_WINDOWS), 0.3 s instead of 12 ms at a million tickets.
    Queries with operators (quotes, -word, or) are left as they are.
    """
    words = segmented.split()
    if any(word.startswith(("-", '"')) or word.endswith('"') or word.lower() == "or" for word in words):
        return segmented
    han = [word for word in words if _HAN.fullmatch(word)]
    kept = [word for word in words if word not in han or not any(word != other and word in other for other in han)]
    return " ".join(kept)


def _relaxed_terms(segmented: str) -> list[str]:
    """The plain words of a query, for matching any of them: no negations, phrases or "or"."""
    terms = []
    for word in segmented.replace('"', " ").split():
        if word.startswith("-") or word.lower() == "or" or word in terms:
            continue
        terms.append(word)
    return terms


def _id_range() -> tuple[int, int] | None:
    """The lowest and highest ticket id (two index lookups), or None without tickets."""
    bounds = Ticket.objects.aggregate(low=Min("pk"), high=Max("pk"))
    return None if bounds["high"] is None else (bounds["low"], bounds["high"])


def _full_text(
    tickets: QuerySet[Ticket], user: User, text: str, limit: int, ids: tuple[int, int] | None
) -> list[Ticket]:
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    # The GIN index answers this condition.
    matches = tickets.filter(search_vector=query)
    vector = F("search_vector")
    if not user.works_tickets:
        # Internal notes are staff-only: for anyone else they must neither make a ticket match
        # (that would reveal words written in a note) nor raise its rank.
        vector = _note_free_vector()
        matches = matches.alias(document=vector).filter(document=query)
    ranked = matches.annotate(
        rank=SearchRank(vector, query, cover_density=True),
        # The query's lexemes (stemmed, Chinese as cut) tell the snippet what to mark.
        lexemes=Func(query, function="querytree", output_field=CharField()),
    ).order_by("-rank", "-created_at", "-id")
    low, high = ids or (0, 0)
    for window in RANKED_WINDOWS:
        if window is None or high - window < low:
            return list(ranked[:limit])
        # Ids grow with time: the newest tickets are one id range, found inside the word index
        # itself (ticket_search_id_idx holds the words and the id): PostgreSQL reads only the
        # end of a common word's list instead of all of it (at 10 M tickets "printer" is
        # 550,000 entries: 105 ms; 3–7 ms with the id inside). The bound must be a bigint for
        # btree_gin's operator class to take it into the index condition.
        newest = Cast(Value(high - window), BigIntegerField())
        found = list(ranked.filter(pk__gt=newest)[:limit])
        if len(found) == limit:
            return found
    raise AssertionError("RANKED_WINDOWS ends with None")


def _is_email(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def run_search(user: User, query: str, *, limit: int = 50) -> TicketSearch:
    """Tickets ``user`` may see matching ``query``, best first, each with a ``snippet``.

    ``HD-000123`` and a requester's e-mail address match exactly; anything else is full text,
    every word required. When no ticket has every word (a Chinese query often carries words
    such as 无法 that the ticket does not), tickets with some of them are returned, ranked.
    Every query is narrowed by ``visible`` first, so nothing else can show up or be counted.
    """
    result = _find(user, " ".join((query or "").split())[:QUERY_MAX_CHARS], limit)
    for ticket in result.tickets:
        ticket.snippet = snippet(ticket.excerpt, query_lexemes(getattr(ticket, "lexemes", None)))
    return result


RESULT_FIELDS = (
    "subject",
    "status",
    "priority",
    "created_at",
    "updated_at",
    "requester__full_name",
    "requester__email",
    "team__name",
    "team__name_zh_hans",  # str(team) in the reader's language
    "assignee__full_name",
    "assignee__email",
)


def _find(user: User, query: str, limit: int) -> TicketSearch:
    if not query:
        return TicketSearch(query, "none", [])
    tickets = (
        visible(user, Ticket.objects.all())
        .select_related("requester", "team", "assignee")
        # What the results page shows: a snippet, not the whole description; of the people and
        # the team, their names (a whole user costs more than its row: its time zone is parsed).
        .only(*RESULT_FIELDS)
        .annotate(excerpt=Left("description", EXCERPT_CHARS))
    )
    number = parse_reference(query)
    if number is not None:
        return TicketSearch(query, "reference", list(tickets.filter(pk=number)))
    if _is_email(query):
        # lower(email) is how the unique index on users is built, so this uses it.
        found = (
            tickets.alias(requester_email=Lower("requester__email"))
            .filter(requester_email=query.lower())
            .order_by("-created_at", "-id")[:limit]
        )
        return TicketSearch(query, "email", list(found))

    segmented = segment(query)
    ids = _id_range()
    found = _full_text(tickets, user, _without_contained_words(segmented), limit, ids)
    if found:
        return TicketSearch(query, "all_words", found)
    terms = _relaxed_terms(segmented)
    if len(terms) > 1:
        found = _full_text(tickets, user, " or ".join(terms), limit, ids)
        if found:
            return TicketSearch(query, "some_words", found)
    return TicketSearch(query, "all_words", [])


def matching(tickets: QuerySet[Ticket], user: User, query: str, *, any_word: bool = False) -> QuerySet[Ticket]:
    """``tickets`` narrowed to those matching ``query``, in whatever order the caller pages them.

    For lists that page through every match (the requester's "my requests") rather than rank
    the best few: a reference matches exactly; otherwise every word (``any_word``: any of them)
    in the subject, description or public replies, or the query as part of the subject, so a
    word typed half ("print") still finds "Printer offline". Internal notes count for staff only.
    """
    query = " ".join((query or "").split())[:QUERY_MAX_CHARS]
    if not query:
        return tickets
    number = parse_reference(query)
    if number is not None:
        return tickets.filter(pk=number)
    segmented = segment(query)
    text = " or ".join(_relaxed_terms(segmented)) if any_word else _without_contained_words(segmented)
    words = SearchQuery(text, search_type="websearch", config=CONFIG)
    document = F("search_vector") if user.works_tickets else _note_free_vector()
    return tickets.alias(document=document).filter(Q(document=words) | Q(subject__icontains=query))


def search_tickets(user: User, query: str, limit: int = 50) -> list[Ticket]:
    """The tickets of :func:`run_search`, each with ``snippet`` (safe HTML) and ``rank`` when ranked."""
    return run_search(user, query, limit=limit).tickets


# --- snippets -------------------------------------------------------------------------------

_LEXEME = re.compile(r"'((?:[^']|'')+)'")


def query_lexemes(querytree: str | None) -> list[str]:
    """The lexemes of ``querytree(tsquery)`` output such as ``'printer' & 'offlin'``."""
    return [lexeme.replace("''", "'") for lexeme in _LEXEME.findall(querytree or "")]


def snippet(text: str, lexemes: Iterable[str], *, width: int = SNIPPET_CHARS) -> SafeString:
    """A piece of ``text`` around the first match with every match in ``<mark>``; escaped.

    Done here rather than with ``ts_headline``: that parses the stored description, where
    Chinese is not segmented, so it could not find (nor mark) a Chinese word.
    Latin lexemes are stems ("offlin"), so they mark the words they begin ("offline").
    """
    text = " ".join((text or "").split())
    patterns = [
        re.escape(lexeme) if _HAN.search(lexeme) else rf"(?<!\w){re.escape(lexeme)}\w*"
        for lexeme in sorted(set(lexemes), key=len, reverse=True)
    ]
    pattern = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - width // 3) if first else 0
    piece = text[start : start + width]
    parts = ["…"] if start else []
    position = 0
    for match in pattern.finditer(piece) if pattern else ():
        parts += [escape(piece[position : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        position = match.end()
    parts.append(escape(piece[position:]))
    if start + width < len(text):
        parts.append("…")
    # Safe: every piece of the text above went through escape().
    return mark_safe("".join(parts))
