"""The agent's desk at /agent/kb/: list, filters, review queue, write, edit, decide."""

import pytest
from django.urls import reverse

from knowledge import authoring
from knowledge.models import Article, ArticleStatus
from knowledge.views import agent as agent_views
from tests.knowledge.builders import draft, published
from tickets.models import Category


def _form(**overrides):
    data = {
        "title": "VPN drops every hour",
        "summary": "",
        "body": "Renew the certificate.",
        "tags": "vpn, 网络",
        "visibility": "public",
        "language": "en",
        "version": 1,
    }
    data.update(overrides)
    return data


def _titles(response):
    return [article.title for article in response.context["articles"]]


def test_list_filters_by_status_language_category_mine_and_title(client, carol, dave, erin):
    printers = Category.objects.create(name="Printers")
    published(carol, erin, title="Printer offline", category=printers)
    published(dave, erin, title="打印机无法连接", body="重启打印机", language="zh-hans")
    draft(carol, title="VPN draft")
    client.force_login(carol)
    url = reverse("kb_agent:list")

    assert set(_titles(client.get(url))) == {"Printer offline", "打印机无法连接", "VPN draft"}
    assert _titles(client.get(url, {"status": "draft"})) == ["VPN draft"]
    assert _titles(client.get(url, {"language": "zh-hans"})) == ["打印机无法连接"]
    assert _titles(client.get(url, {"category": printers.pk})) == ["Printer offline"]
    assert set(_titles(client.get(url, {"mine": "on"}))) == {"Printer offline", "VPN draft"}
    # Full-text search for published articles (Chinese segmented), titles for drafts.
    assert _titles(client.get(url, {"q": "打印机连接"})) == ["打印机无法连接"]
    assert _titles(client.get(url, {"q": "vpn"})) == ["VPN draft"]


def test_a_filter_not_understood_is_reported_and_the_others_still_apply(client, carol, erin):
    published(carol, erin, title="Printer offline")
    published(carol, erin, title="打印机无法连接", body="重启打印机", language="zh-hans")
    client.force_login(carol)
    url = reverse("kb_agent:list")

    response = client.get(url, {"language": "zh-hans", "status": "no-such-status", "category": "999999"})

    assert _titles(response) == ["打印机无法连接"]
    assert 'data-testid="filters-ignored"' in response.content.decode()
    assert 'data-testid="filters-ignored"' not in client.get(url, {"language": "zh-hans"}).content.decode()


def test_the_review_queue_lists_what_the_manager_may_decide(client, carol, erin):
    waiting = draft(carol, title="Waiting for review")
    authoring.submit_for_review(carol, waiting)
    own = draft(erin, title="Erin's own")
    authoring.submit_for_review(erin, own)
    draft(carol, title="Still a draft")
    client.force_login(erin)

    response = client.get(reverse("kb_agent:list"), {"tab": "review"})

    assert _titles(response) == ["Waiting for review"]
    assert 'data-testid="review-tab"' in response.content.decode()
    client.force_login(carol)
    assert 'data-testid="review-tab"' not in client.get(reverse("kb_agent:list")).content.decode()


def test_the_list_pages_by_keyset_in_a_fixed_number_of_queries(
    client, carol, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(agent_views, "PAGE_SIZE", 5)
    category = Category.objects.create(name="Network")
    for n in range(12):
        draft(carol, title=f"Article {n:02}", category=category, tags=["vpn"])
    client.force_login(carol)
    url = reverse("kb_agent:list")

    with django_assert_max_num_queries(6):
        first = client.get(url)
    seen = _titles(first)
    next_query = first.context["next_query"]
    while next_query:
        with django_assert_max_num_queries(6):
            page = client.get(f"{url}?{next_query}")
        seen += _titles(page)
        next_query = page.context["next_query"]

    assert seen == [f"Article {n:02}" for n in reversed(range(12))]


def test_the_detail_page_costs_the_same_with_more_history(client, carol, erin, django_assert_max_num_queries):
    article = published(carol, erin)
    client.force_login(erin)
    url = reverse("kb_agent:detail", args=[article.pk])
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    for n in range(5):
        authoring.update_article(erin, article, expected_version=article.version, body=f"text {n}")
        article.refresh_from_db()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="version"') == 6


def test_an_agent_writes_a_draft_and_submits_it(client, carol, erin):
    client.force_login(carol)

    response = client.post(reverse("kb_agent:new"), _form())

    article = Article.objects.get()
    assert response.status_code == 302
    assert sorted(article.tags.values_list("name", flat=True)) == ["vpn", "网络"]
    response = client.post(reverse("kb_agent:decide", args=[article.pk, "submitted"]), {"version": 1})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == ArticleStatus.IN_REVIEW
    page = client.get(reverse("kb_agent:detail", args=[article.pk])).content.decode()
    assert 'data-testid="review"' in page and 'data-testid="decide-' not in page


def test_bad_tags_and_missing_text_are_clear_form_errors(client, carol):
    client.force_login(carol)

    response = client.post(reverse("kb_agent:new"), _form(title="", tags="ok, !!!"))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["title"] == ["Give the article a title."]
    assert "!!!" in errors["tags"][0]
    assert not Article.objects.exists()


def test_a_translation_is_offered_and_prefilled(client, carol, erin):
    english = published(carol, erin, visibility="internal")
    client.force_login(carol)

    page = client.get(reverse("kb_agent:detail", args=[english.pk])).content.decode()
    assert f"?translation_of={english.pk}&amp;language=zh-hans" in page
    form = client.get(reverse("kb_agent:new"), {"translation_of": english.pk, "language": "zh-hans"}).context["form"]
    assert form.initial["language"] == "zh-hans" and form.initial["visibility"] == "internal"

    client.post(reverse("kb_agent:new"), _form(title="打印机离线", language="zh-hans", translation_of=english.pk))
    chinese = Article.objects.get(language="zh-hans")
    assert chinese.translation_group == english.translation_group
    response = client.post(reverse("kb_agent:new"), _form(title="重复", language="zh-hans", translation_of=english.pk))
    assert response.status_code == 400 and "already a Simplified Chinese translation" in response.content.decode()


def test_a_stale_edit_gets_409_and_keeps_the_agents_text(client, carol, erin):
    article = draft(carol)
    authoring.update_article(erin, article, expected_version=1, body="Erin was here")
    client.force_login(carol)

    response = client.post(reverse("kb_agent:edit", args=[article.pk]), _form(body="Carol's words", version=1))

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this article" in page and "Carol&#x27;s words" in page
    assert response.context["form"]["version"].value() == "2"
    article.refresh_from_db()
    assert article.body == "Erin was here"


def test_an_edit_saves_a_new_version(client, carol):
    article = draft(carol)
    client.force_login(carol)

    response = client.post(
        reverse("kb_agent:edit", args=[article.pk]), _form(body="New words", note="rewrote", version=1)
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.version == 2 and article.versions.get(number=2).note == "rewrote"


def test_returning_without_a_comment_shows_the_error_on_the_page(client, carol, erin):
    article = draft(carol)
    authoring.submit_for_review(carol, article)
    client.force_login(erin)

    response = client.post(reverse("kb_agent:decide", args=[article.pk, "returned"]), {"version": 1, "comment": ""})

    assert response.status_code == 400
    assert "a comment is required to return an article" in response.content.decode()
    response = client.post(
        reverse("kb_agent:decide", args=[article.pk, "returned"]), {"version": 1, "comment": "Add steps"}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT


def test_a_decision_that_no_longer_fits_is_a_409(client, carol, erin):
    article = published(carol, erin)
    client.force_login(erin)

    response = client.post(reverse("kb_agent:decide", args=[article.pk, "approved"]), {"version": 1})

    assert response.status_code == 409


@pytest.mark.parametrize("decision", ["bogus", "draft"])
def test_an_unknown_decision_is_404(client, carol, decision):
    article = draft(carol)
    client.force_login(carol)
    assert client.post(reverse("kb_agent:decide", args=[article.pk, decision]), {"version": 1}).status_code == 404
