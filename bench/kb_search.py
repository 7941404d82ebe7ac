"""How fast is knowledge-base search at 100,000 articles, next to its bare SQL?

    .venv/bin/python bench/kb_search.py [--articles 100000] [--repeat 20] [--keep] [--fresh]
                                        [--random-page-cost 1.1]

Works in a database of its own, ``helpdesk_bench_kb``, on the development PostgreSQL server
(DATABASE_URL's, or the embedded one under var/): the development data is never touched. The
first run migrates it and fills it; a later run reuses it when it holds at least --articles
articles, ``--fresh`` rebuilds it; without ``--keep`` it is dropped at the end.

The articles are generated from the demo knowledge base (knowledge/demo_content.py): a title of
one topic with a qualifier ("… on macOS", "（上海办公室）"), a summary and 6–16 lines of bodies
in the same language (about one Chinese article in ten also carries English lines), plus a few
made-up product codes and error numbers so that the vocabulary grows as a real one does. Every
distinct line is segmented with jieba once (not 100,000 times); rows go in with COPY, and one
UPDATE builds the weighted vectors from the segmented texts, as knowledge.search does; the
result is checked against ``refresh_search_vectors`` on a few articles.

For each query: ``search_articles`` as a requester (limit 10, the reader's language, snippets
included, nothing recorded) p50/p95 over --repeat runs after a warm-up, and the bare full-text
SELECT (``search_vector @@ websearch_to_tsquery(...) ORDER BY ts_rank_cd LIMIT 10`` on the
segmented query, the same filter on published public articles, every match ranked) on a raw
psycopg cursor, the two runs taking turns so that other load on the machine weighs on both; for a
query answered by a fallback, the SELECT of that stage (any word; trigram similarity of titles).
``search_articles`` ranks at most ``RANKED_MAX`` matches (the most read); "top 10" says how many
of its results the search with every match ranked also returns, and "rank" the sum of their
ranks as a share of that search's.

Two query sets: the worst case (common words: with only ~400 distinct lines, "vpn" is in 43 %
of the articles) and specific queries (a word and a qualifier, a product and version) whose
matches, hundreds to a few thousand, are closer to what a real knowledge base sees.

``--random-page-cost`` sets that planner cost for the bench database (``ALTER DATABASE``), for
both sides: see docs/knowledge.md on why 1.1 (PostgreSQL's advice for SSDs) changes the plans.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
import unicodedata
import uuid
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))

from dataset.database import admin_connection, create_database, drop_database, log, p50, p95, server_urls  # noqa: E402

BENCH_DATABASE = "helpdesk_bench_kb"
SEED = 20260101
WARM_UP = 3
WORST_CASE = [
    ("printer offline", "en"),
    ("vpn", "en"),
    ("reset password", "en"),
    ("outlook keeps asking for password", "en"),
    ("laptop slow after update", "en"),
    ("pasword resett", "en"),  # a typo: the trigram fallback
    ("打印机无法连接", "zh-hans"),
    ("忘记密码了", "zh-hans"),
    ("VPN 频繁断开", "zh-hans"),
    ("邮箱满了", "zh-hans"),
    ("无线网络", "zh-hans"),
]
SPECIFIC = [
    ("vpn berlin office", "en"),
    ("printer offline macos", "en"),
    ("mailbox full finance team", "en"),
    ("external monitor docking station", "en"),
    ("SAP 7.3", "en"),
    ("Tableau 4.2 error", "en"),
    ("打印机 上海办公室", "zh-hans"),
    ("VPN 居家办公", "zh-hans"),
    ("邮箱 安卓手机", "zh-hans"),
    ("忘记密码 新员工", "zh-hans"),
]
EN_QUALIFIERS = [
    "on Windows 11", "on macOS", "on a Mac", "for the Finance team", "in the Shanghai office",
    "in the Berlin office", "after the March update", "for new starters", "on the guest network",
    "when working from home", "for contractors", "with a docking station", "on Android", "on iPhone",
]  # fmt: skip
ZH_QUALIFIERS = [
    "（Windows 11）", "（Mac）", "（财务部）", "（上海办公室）", "（北京办公室）", "（三月更新后）",
    "（新员工）", "（访客网络）", "（居家办公）", "（外包人员）", "（扩展坞）", "（安卓手机）", "（苹果手机）",
]  # fmt: skip
PRODUCTS = ["SAP", "Workday", "Jira", "Confluence", "Salesforce", "Power BI", "AutoCAD", "Tableau", "SolidWorks"]


def database_url() -> str:
    return server_urls(BENCH_DATABASE)[0]


def article_count(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        if not conn.execute("SELECT to_regclass('knowledge_article')").fetchone()[0]:
            return 0
        return conn.execute("SELECT count(*) FROM knowledge_article WHERE search_vector IS NOT NULL").fetchone()[0]


# --- fill -------------------------------------------------------------------------------------


class Pools:
    """Lines of the demo articles per language, each segmented once."""

    def __init__(self):
        from knowledge.demo_content import TOPICS
        from tickets.search import segment

        self.segment = segment
        self.titles = {"en": [t.en.title for t in TOPICS], "zh-hans": [t.zh.title for t in TOPICS]}
        self.summaries = {"en": [t.en.summary for t in TOPICS], "zh-hans": [t.zh.summary for t in TOPICS]}
        self.lines = {
            language: [
                line.strip()
                for topic in TOPICS
                for line in getattr(topic, attr).body.splitlines()
                if len(line.strip()) > 12
            ]
            for language, attr in (("en", "en"), ("zh-hans", "zh"))
        }
        self._segmented: dict[str, str] = {}

    def seg(self, text: str) -> str:
        found = self._segmented.get(text)
        if found is None:
            found = self._segmented[text] = self.segment(text)
        return found


def generate(rng: random.Random, pools: Pools, count: int):
    """(language, title, summary, body, segmented title, summary, body) for ``count`` articles."""
    for _ in range(count):
        language = "en" if rng.random() < 0.55 else "zh-hans"
        qualifiers = EN_QUALIFIERS if language == "en" else ZH_QUALIFIERS
        base, qualifier = rng.choice(pools.titles[language]), rng.choice(qualifiers)
        title = f"{base} {qualifier}" if language == "en" else f"{base}{qualifier}"
        title_seg = f"{pools.seg(base)} {pools.seg(qualifier)}"
        summary = rng.choice(pools.summaries[language])
        lines = rng.sample(pools.lines[language], k=rng.randint(6, 16))
        if language == "zh-hans" and rng.random() < 0.1:
            lines += rng.sample(pools.lines["en"], k=2)
        # Made-up codes: the long tail of a real vocabulary (every one a new lexeme).
        extra = f"{rng.choice(PRODUCTS)} {rng.randint(1, 12)}.{rng.randint(0, 9)} error 0x{rng.getrandbits(28):07x}"
        body = "\n".join([*lines, extra])
        body_seg = "\n".join([*(pools.seg(line) for line in lines), extra])
        yield language, title, summary, body, title_seg, pools.seg(summary), body_seg


def fill(url: str, count: int) -> float:
    import psycopg
    from django.utils import timezone

    from accounts.models import Role, User
    from tickets.search import CONFIG

    started = time.monotonic()
    author, _created = User.objects.get_or_create(
        email="kb.bench@helpdesk.example", defaults={"full_name": "KB Bench", "role": Role.AGENT}
    )
    rng = random.Random(SEED)
    pools = Pools()
    now = timezone.now()
    columns = (
        "id, title, summary, body, body_html, visibility, language, translation_group, status, author_id, "
        "version, view_count, helpful_count, unhelpful_count, created_at, updated_at, published_at, search_text"
    )
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS article_search_idx")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_segments (id bigint PRIMARY KEY, title text, summary text, body text)"
        )
        articles, segments = io.StringIO(), io.StringIO()

        def field(value) -> str:
            return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

        for number, row in enumerate(generate(rng, pools, count), start=1):
            language, title, summary, body, title_seg, summary_seg, body_seg = row
            status = "published" if rng.random() < 0.95 else rng.choice(["draft", "in_review", "archived"])
            visibility = "public" if rng.random() < 0.9 else "internal"
            created = now.isoformat()
            values = [
                number, title, summary, body, "", visibility, language, uuid.UUID(int=rng.getrandbits(128)), status,
                author.pk, 1, rng.randint(0, 500), rng.randint(0, 20), rng.randint(0, 5), created, created,
                created if status == "published" else "\\N", f"{title_seg}\n{summary_seg}\n{body_seg}",
            ]  # fmt: skip
            articles.write("\t".join(v if v == "\\N" else field(v) for v in values) + "\n")
            segments.write("\t".join(field(v) for v in (number, title_seg, summary_seg, body_seg)) + "\n")
        log(f"generated {count:,} articles ({len(pools._segmented):,} distinct lines segmented)")
        with cursor.copy(f"COPY knowledge_article ({columns}) FROM STDIN") as copy:
            copy.write(articles.getvalue())
        with cursor.copy("COPY bench_segments FROM STDIN") as copy:
            copy.write(segments.getvalue())
        cursor.execute("SELECT setval(pg_get_serial_sequence('knowledge_article', 'id'), %s)", [count])
        log("copied; building vectors")
        cursor.execute(
            """
            UPDATE knowledge_article AS article SET search_vector =
                setweight(to_tsvector(%(config)s::regconfig, s.title), 'A')
                || setweight(to_tsvector(%(config)s::regconfig, s.summary), 'B')
                || setweight(to_tsvector(%(config)s::regconfig, s.body), 'C')
            FROM bench_segments AS s WHERE article.id = s.id
            """,
            {"config": CONFIG},
        )
        cursor.execute("DROP TABLE bench_segments")
        # Django's foreign keys are checked at commit: the index cannot be built before.
        conn.commit()
        log("vectors built; indexing")
        cursor.execute("CREATE INDEX article_search_idx ON knowledge_article USING gin (search_vector)")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE knowledge_article")
    return time.monotonic() - started


def check_vectors() -> str:
    """Whether the loaded vectors equal what knowledge.search computes for the same articles."""
    from django.db import connection, transaction

    from knowledge.models import Article
    from knowledge.search import refresh_search_vectors

    ids = list(Article.objects.order_by("?").values_list("pk", flat=True)[:5])
    loaded = dict(Article.objects.filter(pk__in=ids).values_list("pk", "search_vector"))
    with transaction.atomic():
        refresh_search_vectors(ids)
        computed = dict(Article.objects.filter(pk__in=ids).values_list("pk", "search_vector"))
        transaction.set_rollback(True)
    connection.close()
    if loaded == computed:
        return "search vectors: identical to knowledge.search.refresh_search_vectors (5 random articles)"
    return "search vectors: WARNING, they differ from knowledge.search.refresh_search_vectors; update the fill"


# --- measuring --------------------------------------------------------------------------------

BARE_SQL = """
SELECT article.id, ts_rank_cd('{0.05,0.2,0.4,1.0}', article.search_vector, query, 1) AS rank
FROM knowledge_article AS article, websearch_to_tsquery('english', %(q)s) AS query
WHERE article.status = 'published' AND article.visibility = 'public' AND article.search_vector @@ query
ORDER BY rank DESC
LIMIT 10
"""
BARE_SIMILAR_SQL = """
SELECT id, greatest(similarity(lower(title), %(q)s), word_similarity(%(q)s, lower(title))) AS rank
FROM knowledge_article
WHERE status = 'published' AND visibility = 'public' AND (lower(title) %% %(q)s OR %(q)s <%% lower(title))
ORDER BY rank DESC
LIMIT 10
"""


def measure(query: str, language: str, repeat: int) -> dict:
    import psycopg
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from knowledge import search
    from tickets.search import _relaxed_terms, segment

    for _ in range(WARM_UP):
        result = search.search_articles(None, query, language=language)
    with CaptureQueriesContext(connection) as captured:
        search.search_articles(None, query, language=language)
    queries = len(captured.captured_queries)
    bounded = search.RANKED_MAX
    try:
        search.RANKED_MAX = sys.maxsize
        unbounded = search.search_articles(None, query, language=language).articles
    finally:
        search.RANKED_MAX = bounded
    kept = len({a.pk for a in result.articles} & {a.pk for a in unbounded})
    rank_share = sum(a.rank for a in result.articles) / (sum(a.rank for a in unbounded) or 1)

    words = search._query_words(segment(query))
    # The bare SQL of the stage that answered: every word, any word, or similar titles.
    sql, parameter = BARE_SQL, words
    if result.match == "some_words":
        parameter = " or ".join(_relaxed_terms(words))
    elif result.match == "similar":
        sql, parameter = BARE_SIMILAR_SQL, query.lower()
    times, bare = [], []
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        matching = len(conn.execute(sql.replace("LIMIT 10", ""), {"q": parameter}).fetchall())
        for _ in range(WARM_UP):
            conn.execute(sql, {"q": parameter}).fetchall()
        for _ in range(repeat):
            # Cold: as if each search found articles not seen by this process before.
            search._snippet_source.cache_clear()
            started = time.perf_counter()
            search.search_articles(None, query, language=language)
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            conn.execute(sql, {"q": parameter}).fetchall()
            bare.append(time.perf_counter() - started)
    connection.close()
    return {
        "query": query,
        "match": result.match,
        "matching": matching,
        "results": len(result.articles),
        "queries": queries,
        "times": times,
        "bare": bare,
        "kept": kept,
        "compared": len(unbounded),
        "rank_share": rank_share,
    }


def set_random_page_cost(url: str, cost: float | None) -> None:
    """For the bench database's new connections; None: the server's setting."""
    with admin_connection(url) as conn:
        if cost is None:
            conn.execute(f'ALTER DATABASE "{BENCH_DATABASE}" RESET random_page_cost')
        else:
            conn.execute(f'ALTER DATABASE "{BENCH_DATABASE}" SET random_page_cost = {float(cost)}')


def print_table(title: str, results: list[dict]) -> None:
    print(title)
    header = (
        f"{'query':<34} {'match':<10} {'matching':>8} {'qrys':>4} {'search p50':>10} {'p95':>7} "
        f"{'bare p50':>8} {'p95':>7} {'ratio p50':>9} {'p95':>6} {'top 10':>7} {'rank':>5}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{pad(r['query'], 34)} {r['match']:<10} {r['matching']:>8,} {r['queries']:>4} "
            f"{ms(p50(r['times'])):>10} {ms(p95(r['times'])):>7} {ms(p50(r['bare'])):>8} {ms(p95(r['bare'])):>7} "
            f"{p50(r['times']) / p50(r['bare']):>8.2f}× {p95(r['times']) / p95(r['bare']):>5.2f}× "
            f"{r['kept']:>4}/{r['compared']:<2} {r['rank_share']:>5.0%}"
        )
    print()


def pad(text: str, width: int) -> str:
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - columns)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000, help="articles to fill (default 100,000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query (default 20)")
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DATABASE} database for the next run")
    parser.add_argument("--fresh", action="store_true", help="rebuild the data even if enough is there")
    parser.add_argument(
        "--random-page-cost", type=float, help="planner cost of a random page read (the server's setting if not given)"
    )
    args = parser.parse_args(argv)

    url = database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    create_database(url, fresh=args.fresh, name=BENCH_DATABASE)
    have = article_count(url)
    if have < args.articles and have:
        create_database(url, fresh=True, name=BENCH_DATABASE)
    set_random_page_cost(url, args.random_page_cost)
    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0, interactive=False)
        fill_seconds = None
        if have < args.articles:
            log(f"filling {BENCH_DATABASE} with {args.articles:,} articles")
            fill_seconds = fill(url, args.articles)
            log(f"filled in {fill_seconds:.0f} s")
        else:
            log(f"reusing {BENCH_DATABASE}: {have:,} articles (--fresh rebuilds)")
        log(check_vectors())
        load_before = os.getloadavg()
        results = {}
        for name, queries in (("worst", WORST_CASE), ("specific", SPECIFIC)):
            results[name] = []
            for query, language in queries:
                log(f"measuring {query!r}")
                results[name].append(measure(query, language, args.repeat))
        load_after = os.getloadavg()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), pg_size_pretty(pg_total_relation_size('knowledge_article')) FROM knowledge_article"
            )
            total, size = cursor.fetchone()
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW random_page_cost")
            page_cost = cursor.fetchone()[0]
        print()
        print(
            f"{total:,} articles ({size} with indexes), PostgreSQL {version}, {os.cpu_count()} cores, "
            f"random_page_cost {page_cost}, load average {load_before[0]:.1f} → {load_after[0]:.1f}"
            + (f"; filled in {fill_seconds:.0f} s" if fill_seconds else "")
        )
        print(
            f"ms, {args.repeat} runs after {WARM_UP} warm-up. search: search_articles (limit 10, snippets); "
            "bare: the full-text SELECT alone on a raw cursor;\nmatching: published public articles holding every "
            "word of the query (any word for some_words; similar titles for similar);\ntop 10 / rank: results also "
            "in the top 10 with every match ranked, their rank as a share of that top 10's.\n"
        )
        print_table("Worst case: common words", results["worst"])
        print_table("Specific queries", results["specific"])
    finally:
        if not args.keep:
            drop_database(url, name=BENCH_DATABASE)
            log(f"dropped {BENCH_DATABASE} (--keep keeps it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
