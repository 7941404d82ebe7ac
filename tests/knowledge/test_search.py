"""search_articles: full text in English and Chinese, ranking, fallbacks, snippets, who sees what."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from knowledge import search
from knowledge.models import Article, ArticleStatus, KnowledgeSearch, SearchSource, Visibility
from knowledge.search import index_all_articles, search_articles
from tests.knowledge.builders import stored
from tickets.models import Category
from tickets.search import _jieba

pytestmark = pytest.mark.django_db


def article(author, title, summary="", body="Text.", **fields) -> Article:
    return stored(author, title, body, summary=summary, **fields)


def titles(result) -> list[str]:
    return [found.title for found in result.articles]


def test_english_words_are_stemmed(carol, alice):
    article(carol, "Printer shows offline", body="Check the connection to the printers on your floor.")

    result = search_articles(alice, "printers connecting")

    assert result.match == "all_words"
    assert titles(result) == ["Printer shows offline"]


def test_chinese_query_is_segmented_and_finds_an_article_without_every_word(carol, alice):
    article(carol, "打印机连接故障排查", body="检查网线，然后重启打印机。", language="zh-hans")
    article(carol, "重置密码", body="在密码门户重置。", language="zh-hans")

    result = search_articles(alice, "打印机无法连接")

    # 无法 is not in the article: the words it does have still find it.
    assert titles(result) == ["打印机连接故障排查"]
    assert result.match == "some_words"


def test_chinese_question_words_are_not_required(carol, alice):
    article(carol, "重置密码", summary="忘记密码时在自助门户重置。", language="zh-hans")

    result = search_articles(alice, "忘记密码了怎么办")

    assert result.match == "all_words"
    assert titles(result) == ["重置密码"]


def test_support_words_do_not_outrank_the_topic_of_the_question(carol, alice, django_assert_max_num_queries):
    # Both mention printers and working: only the word "printer" says what the question is about.
    article(carol, "Connect to the VPN from home", body="Work from home: the VPN reaches printers. Working?")
    article(carol, "Office Wi-Fi", body="The Wi-Fi works everywhere; printers are on the wired network.")
    printer = article(carol, "Printer shows offline", body="Restart the printer.")

    # The filler words are dropped in Python, no query of their own: every word, some words
    # (fewer than the limit had every word), the snippets.
    with django_assert_max_num_queries(3):
        result = search_articles(alice, "Printer not working, please help!")

    assert result.match == "all_words"
    assert result.articles[0].pk == printer.pk


@pytest.mark.parametrize(
    ("query", "searched"),
    [
        ("printer not working", "printer not"),  # "not" is a stop word of PostgreSQL
        ("issue with onedrive, files not syncing", "with onedrive, files not syncing"),
        ("help", "help"),  # nothing else left: the query as typed
        ("printer -working", "printer -working"),  # excluded on purpose
        ('"not working" printer', '"not working" printer'),  # a phrase as typed
        ("打印机 用不了", "打印机"),
        ("WiFi 有问题", "WiFi"),
    ],
)
def test_filler_words_are_dropped_while_other_words_remain(query, searched):
    assert search._query_words(query) == searched


def test_mixed_chinese_and_english_query(carol, alice):
    article(carol, "Outlook 反复提示输入密码", body="删除凭据管理器中的旧密码。", language="zh-hans")
    article(carol, "Outlook calendar sharing", body="Share your calendar.")

    result = search_articles(alice, "outlook密码")

    assert result.match == "all_words"
    # The article with both words first; one with only "outlook" after it.
    assert titles(result) == ["Outlook 反复提示输入密码", "Outlook calendar sharing"]


def test_title_match_outranks_body_match(carol, alice):
    body_only = article(
        carol, "Working from home", body="Connect the VPN first. If it asks for your password, sign in again."
    )
    in_title = article(carol, "Reset your password", body="Go to the portal and follow the steps.")

    result = search_articles(alice, "password")

    assert [found.pk for found in result.articles] == [in_title.pk, body_only.pk]
    assert result.articles[0].rank > result.articles[1].rank


def test_articles_with_some_words_follow_the_few_with_all(carol, alice):
    everything = article(carol, "Get access to a shared drive", body="From home you need the VPN.")
    vpn = article(carol, "Connect to the VPN", body="Install GlobalProtect and sign in at home.")
    article(carol, "Mailbox full", body="Delete large messages.")

    result = search_articles(alice, "can't get on the vpn from home", limit=3)

    assert result.match == "all_words"
    assert [found.pk for found in result.articles] == [everything.pk, vpn.pk]


def test_no_article_with_every_word_falls_back_to_some_words(carol, alice):
    article(carol, "Printer shows offline", body="Restart it.")

    result = search_articles(alice, "printer banana")

    assert result.match == "some_words"
    assert titles(result) == ["Printer shows offline"]


def test_typos_fall_back_to_similar_titles(carol, alice):
    article(carol, "Reset your password", body="Use the portal.")
    article(carol, "Printer shows offline", body="Restart it.")

    result = search_articles(alice, "pasword resett")

    assert result.match == "similar"
    assert titles(result) == ["Reset your password"]
    assert result.articles[0].rank >= 0.3


def test_chinese_typo_finds_the_article_through_its_other_words(carol, alice):
    article(carol, "打印机连接故障排查", body="检查网线。", language="zh-hans")

    # 打印几 for 打印机: jieba still cuts 打印.
    result = search_articles(alice, "打印几连接")

    assert titles(result) == ["打印机连接故障排查"]


def test_nothing_found(carol, alice):
    article(carol, "Printer shows offline", body="Restart it.")

    result = search_articles(alice, "xylophone")

    assert result.match == "none"
    assert result.articles == []


def test_empty_query_finds_nothing_and_records_nothing(carol, alice):
    article(carol, "Printer shows offline")

    result = search_articles(alice, "   ", source=SearchSource.KB)

    assert result.match == "none"
    assert not KnowledgeSearch.objects.exists()


@pytest.mark.parametrize("reader", ["alice", "anonymous", "none"])
def test_internal_articles_are_never_found_by_requesters_or_anonymous(carol, alice, reader):
    article(carol, "VPN gateway restart procedure", visibility=Visibility.INTERNAL)
    article(carol, "Connect to the VPN")
    user = {"alice": alice, "anonymous": AnonymousUser(), "none": None}[reader]

    assert titles(search_articles(user, "vpn")) == ["Connect to the VPN"]
    # Nor by a typo of their title.
    assert titles(search_articles(user, "gatway restrat procedur")) == []


def test_staff_find_internal_articles(carol, dave):
    article(carol, "VPN gateway restart procedure", visibility=Visibility.INTERNAL)

    assert titles(search_articles(dave, "vpn gateway")) == ["VPN gateway restart procedure"]


@pytest.mark.parametrize("status", [ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW, ArticleStatus.ARCHIVED])
def test_unpublished_articles_are_never_found(carol, erin, alice, status):
    article(carol, "Connect to the VPN", status=status)

    for user in (alice, carol, erin):
        assert search_articles(user, "vpn").articles == []
        assert search_articles(user, "conect vpn").articles == []


def test_reader_language_comes_first_without_excluding_others(carol, alice):
    english = article(carol, "Connect to the VPN", body="GlobalProtect.")
    chinese = article(carol, "连接 VPN", body="GlobalProtect。", language="zh-hans")

    in_chinese = search_articles(alice, "vpn", language="zh-hans")
    in_english = search_articles(alice, "vpn", language="en")

    assert [found.pk for found in in_chinese.articles] == [chinese.pk, english.pk]
    assert [found.pk for found in in_english.articles] == [english.pk, chinese.pk]


def test_search_with_a_source_is_recorded(carol, alice):
    article(carol, "Connect to the VPN")
    article(carol, "VPN keeps disconnecting")

    search_articles(alice, "  VPN   Connect ", source=SearchSource.SUBMIT, language="en")
    search_articles(alice, "Xylophone", source=SearchSource.KB)
    search_articles(alice, "vpn")  # no source: not recorded

    rows = list(
        KnowledgeSearch.objects.order_by("id").values("query", "normalised", "source", "language", "result_count")
    )
    assert rows == [
        {"query": "VPN Connect", "normalised": "vpn connect", "source": "submit", "language": "en", "result_count": 2},
        {"query": "Xylophone", "normalised": "xylophone", "source": "kb", "language": "", "result_count": 0},
    ]


def test_snippet_marks_matches_in_summary_and_body(carol, alice):
    article(
        carol,
        "Printer shows offline",
        summary="What to check when a printer is offline.",
        body="## Steps\n\n1. Restart the **printer**.\n2. Remove it and add it again.",
    )

    snippet = search_articles(alice, "printers").articles[0].snippet

    assert "<mark>printer</mark> is offline" in snippet
    assert "Restart the <mark>printer</mark>" in snippet
    # Markdown marks are not shown.
    assert "**" not in snippet
    assert "##" not in snippet


def test_snippet_of_chinese_text_has_no_spaces_from_segmentation(carol, alice):
    article(carol, "打印机连接故障排查", summary="电脑无法连接办公室打印机时的检查步骤。", language="zh-hans")

    snippet = search_articles(alice, "打印机连接").articles[0].snippet

    assert "电脑无法<mark>连接</mark>办公室<mark>打印机</mark>时的检查步骤" in snippet


def test_snippet_escapes_html_from_the_article(carol, alice):
    article(
        carol,
        "Printer shows offline",
        summary="Printer <b>offline</b> & 1 < 2",
        body='Printer <img src=x onerror="alert(1)"> then <script>alert(2)</script> printer',
    )

    snippet = search_articles(alice, "printer").articles[0].snippet

    assert set(re.findall(r"<[^>]*>", snippet)) == {"<mark>", "</mark>"}
    assert "&amp; 1 &lt; 2" in snippet


def test_snippet_of_a_similar_title_is_the_opening_of_the_article_escaped(carol, alice):
    article(carol, "Reset your password", summary="Use <the> portal.")

    found = search_articles(alice, "pasword resett")

    assert found.articles[0].snippet == "Use &lt;the&gt; portal. Text."


def test_jieba_dictionary_is_loaded_once_per_process(carol, alice):
    article(carol, "打印机连接故障排查", language="zh-hans")
    tokenizer = _jieba()

    search_articles(alice, "打印机无法连接")
    search_articles(alice, "打印机")

    assert _jieba() is tokenizer
    assert tokenizer.initialized


def test_a_repeated_search_does_not_cut_the_same_excerpts_again(carol, alice, monkeypatch):
    article(carol, "打印机连接故障排查", summary="电脑无法连接办公室打印机时的检查步骤。", language="zh-hans")
    search._snippet_source.cache_clear()
    cuts = []
    real_cut = search._readable_segments
    monkeypatch.setattr(search, "_readable_segments", lambda text: cuts.append(text) or real_cut(text))

    first = search_articles(alice, "打印机连接").articles[0].snippet
    # As the requester types on, the same article is found again.
    again = search_articles(alice, "打印机连接故障").articles[0].snippet

    assert len(cuts) == 1
    assert "<mark>打印机</mark>" in first
    assert "<mark>连接</mark>" in again


def test_query_count_does_not_grow_with_results(carol, alice, django_assert_max_num_queries):
    printers = Category.objects.create(name="Printers")
    for number in range(8):
        article(carol, f"Printer problem {number}", body="The printer is offline.", category=printers)

    # Articles with every word, then (fewer than the limit) those with some, the snippets,
    # the record of the search.
    with django_assert_max_num_queries(4):
        result = search_articles(alice, "printer offline", source=SearchSource.KB)
        categories = {found.category.name for found in result.articles}

    assert len(result.articles) == 8
    assert categories == {"Printers"}


def test_some_words_are_not_searched_when_enough_articles_have_every_word(carol, alice, django_assert_num_queries):
    article(carol, "Printer shows offline", body="Restart the printer.")
    article(carol, "Printer offline on the third floor", body="Check the cable.")
    article(carol, "Printer driver", body="Install the driver.")

    # Every word, then the snippets: no query for articles with only some of the words.
    with django_assert_num_queries(2):
        result = search_articles(alice, "printer offline", limit=2)

    assert result.match == "all_words"
    assert len(result.articles) == 2


def test_only_the_most_read_matches_are_ranked_when_there_are_many(carol, alice, monkeypatch):
    best_title = article(carol, "Printer offline", body="Restart it.", view_count=1)
    read_more = article(carol, "Meeting rooms", body="The printer in room 3 is offline.", view_count=50)
    read_most = article(carol, "Paper jam", body="A printer that jams can show offline.", view_count=90)
    monkeypatch.setattr(search, "RANKED_MAX", 2)

    # The trade-off of a bounded ranking: the best title is among the least read, so unranked.
    found = search_articles(alice, "printer offline", limit=2).articles
    assert [result.pk for result in found] == [read_most.pk, read_more.pk]

    monkeypatch.setattr(search, "RANKED_MAX", 3)
    assert search_articles(alice, "printer offline", limit=2).articles[0].pk == best_title.pk


def test_bounded_ranking_prefers_the_readers_language_and_never_counts_unreadable_articles(carol, alice, monkeypatch):
    article(carol, "VPN gateway restart procedure", visibility=Visibility.INTERNAL, view_count=1000)
    article(carol, "Connect to the VPN", view_count=500)
    chinese = article(carol, "连接 VPN", body="GlobalProtect。", language="zh-hans", view_count=0)
    monkeypatch.setattr(search, "RANKED_MAX", 1)

    # The internal article, read most, takes no place among those ranked for a requester, and
    # a Chinese reader's one place goes to the Chinese article.
    assert titles(search_articles(alice, "vpn", language="en")) == ["Connect to the VPN"]
    assert [found.pk for found in search_articles(alice, "vpn", language="zh-hans").articles] == [chinese.pk]


def test_result_carries_what_the_result_list_shows(carol, alice):
    printers = Category.objects.create(name="Printers")
    article(carol, "Printer shows offline", summary="What to check.", body="x" * 3000, category=printers)

    found = search_articles(alice, "printer").articles[0]

    assert found.category.name == "Printers"
    assert found.summary == "What to check."
    assert found.rank > 0
    # The snippet is cut from the start of the body only; the rest is not loaded.
    assert len(found.excerpt) == search.EXCERPT_CHARS
    assert "body" in found.get_deferred_fields()


def test_rebuild_fills_vectors_of_articles_loaded_in_bulk(carol, alice):
    Article.objects.bulk_create(
        Article(author=carol, title=f"Wi-Fi tip {n}", body="Forget the network.", status=ArticleStatus.PUBLISHED)
        for n in range(3)
    )
    assert search_articles(alice, "network").articles == []

    assert index_all_articles(batch_size=2) == 3
    assert len(search_articles(alice, "network").articles) == 3

    Article.objects.update(search_vector=None)
    call_command("rebuild_article_index", verbosity=0)
    assert len(search_articles(alice, "forgetting networks").articles) == 3


def test_adjacent_marked_chinese_words_read_as_one_phrase(carol):
    article(carol, "打印机连接故障排查", body="电脑无法连接办公室打印机时的检查步骤。", language="zh-hans")

    [found] = search_articles(None, "打印机无法连接").articles

    assert "<mark>无法连接</mark>" in found.snippet


def test_with_three_words_or_more_two_must_match_before_one_will_do(carol, alice):
    article(carol, "VPN keeps disconnecting", body="The tunnel drops every few minutes.")
    article(carol, "VPN on a hotel network", body="Accept the hotel's terms first, then disconnecting is rare.")
    article(carol, "Install software", body="Keeps running in the background while you work.")

    result = search_articles(alice, "vpn keeps disconnecting")

    # One article has every word, one has two of them; the one sharing only "keeps" stays out.
    assert titles(result) == ["VPN keeps disconnecting", "VPN on a hotel network"]


def test_any_single_word_still_finds_something_when_no_article_has_two(carol, alice):
    article(carol, "Install software", body="Keeps running in the background while you work.")

    result = search_articles(alice, "vpn keeps disconnecting")

    assert (result.match, titles(result)) == ("some_words", ["Install software"])
