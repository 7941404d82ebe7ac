"""The public knowledge base at /kb/: browsing, reading, translations, searching, view counts."""

import pytest
from django.urls import reverse

from knowledge.models import ArticleStatus, KnowledgeSearch, SearchSource, Visibility
from tests.knowledge.builders import stored
from tickets.models import Category, Tag

HOME = reverse("kb:home")


@pytest.fixture
def printers(db):
    hardware = Category.objects.create(name="Hardware")
    return Category.objects.create(name="Printers", parent=hardware)


@pytest.fixture
def articles(carol, printers):
    return {
        "public": stored(
            carol, "Printer shows offline", "When the printer is offline, turn it **off** and on.", category=printers
        ),
        "internal": stored(carol, "Printer admin password", visibility=Visibility.INTERNAL, category=printers),
        "draft": stored(carol, "Unfinished printer notes", status=ArticleStatus.DRAFT),
        "in_review": stored(carol, "Printer toner in review", status=ArticleStatus.IN_REVIEW),
        "archived": stored(carol, "Old fax machine guide", status=ArticleStatus.ARCHIVED),
    }


def test_anonymous_reader_browses_public_articles_only(client, articles):
    response = client.get(HOME)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Printer shows offline" in page
    for hidden in ("Printer admin password", "Unfinished printer notes", "Printer toner in review", "Old fax"):
        assert hidden not in page
    assert "Printers" in page  # the category list


def test_agent_browses_internal_articles_too(client, carol, articles):
    client.force_login(carol)

    page = client.get(HOME).content.decode()

    assert "Printer shows offline" in page and "Printer admin password" in page
    assert "Unfinished printer notes" not in page and "Old fax" not in page


def test_browsing_a_parent_category_lists_its_childrens_articles(client, alice, articles, printers, carol):
    stored(carol, "VPN drops every hour")
    client.force_login(alice)

    page = client.get(HOME, {"category": printers.parent_id}).content.decode()

    assert "Printer shows offline" in page
    assert "VPN drops every hour" not in page


def test_reader_language_comes_first(client, carol):
    english = stored(carol, "Reset your password")
    chinese = stored(carol, "重置密码", language="zh-hans")
    client.cookies["django_language"] = "zh-hans"

    response = client.get(HOME)

    items = [article.pk for article in response.context["page"].object_list]
    assert items.index(chinese.pk) < items.index(english.pk)


@pytest.mark.parametrize("kind", ["internal", "draft", "in_review", "archived"])
def test_requester_gets_404_for_articles_they_may_not_read(client, alice, articles, kind):
    client.force_login(alice)

    response = client.get(reverse("kb:article", args=[articles[kind].pk]))

    assert response.status_code == 404
    # Not leaked in the 404 page either.
    assert articles[kind].title not in response.content.decode()


def test_anonymous_reader_gets_404_for_internal_and_missing_articles(client, articles):
    assert client.get(reverse("kb:article", args=[articles["internal"].pk])).status_code == 404
    assert client.get(reverse("kb:article", args=[999_999])).status_code == 404


def test_agent_reads_internal_article_but_not_drafts_on_the_public_page(client, carol, articles):
    client.force_login(carol)

    assert client.get(reverse("kb:article", args=[articles["internal"].pk])).status_code == 200
    assert client.get(reverse("kb:article", args=[articles["draft"].pk])).status_code == 404


def test_article_page_shows_rendered_body_breadcrumb_tags_and_translations(
    client, carol, printers, django_assert_max_num_queries
):
    article = stored(carol, "Printer shows offline", "Turn it **off**.\n\n<script>alert(1)</script>", category=printers)
    article.tags.add(Tag.objects.create(name="printing"))
    chinese = stored(carol, "打印机显示离线", language="zh-hans", translation_group=article.translation_group)
    stored(carol, "Brouillon", language="fr", status=ArticleStatus.DRAFT, translation_group=article.translation_group)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("kb:article", args=[article.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>off</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert "Hardware" in page and "Printers" in page
    assert "#printing" in page
    assert reverse("kb:article", args=[chinese.pk]) in page and "打印机显示离线" in page
    assert "Brouillon" not in page


def test_a_view_is_counted_once_per_session(client, articles):
    url = reverse("kb:article", args=[articles["public"].pk])

    client.get(url)
    client.get(url)
    other_browser = client.__class__()
    other_browser.get(url)

    articles["public"].refresh_from_db()
    assert articles["public"].view_count == 2


def test_search_highlights_matches_and_logs_the_query(client, articles):
    response = client.get(reverse("kb:search"), {"q": "printer offline"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Printer shows offline" in page
    assert "<mark>" in page
    assert "Printer admin password" not in page  # internal, reader is anonymous
    search = KnowledgeSearch.objects.get()
    assert (search.source, search.result_count) == (SearchSource.KB, 1)


def test_search_with_no_result_is_a_content_gap(client, articles):
    response = client.get(reverse("kb:search"), {"q": "quantum teleporter"})

    assert "No article matches your search" in response.content.decode()
    assert KnowledgeSearch.objects.get().result_count == 0


def test_search_page_puts_the_topic_before_articles_that_only_share_support_words(client, carol):
    stored(carol, "Connect to the VPN from home", "Work from home: printers and shares work over the VPN.")
    stored(carol, "Printer shows offline", "Restart the printer.")

    response = client.get(reverse("kb:search"), {"q": "printer not working"})

    assert response.context["search"].articles[0].title == "Printer shows offline"


def test_chinese_search_finds_the_segmented_title(client, carol):
    stored(carol, "打印机连接故障排查", "检查网线和驱动。", language="zh-hans")

    response = client.get(reverse("kb:search"), {"q": "打印机无法连接"})

    assert "打印机连接故障排查" in response.content.decode()


def test_home_takes_a_bounded_number_of_queries(client, carol, printers, django_assert_max_num_queries):
    for number in range(25):
        stored(carol, f"Article {number}", category=printers)

    with django_assert_max_num_queries(5):
        response = client.get(HOME)

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 20
