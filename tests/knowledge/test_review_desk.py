"""The review desk: the "Review" entry of the Manage menu, one comment box for the decision, the
reviewer's return at the top of the author's pages, and the "translation of" picker."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledge import authoring
from knowledge.models import Article, ArticleReview, ArticleStatus, ReviewDecision
from tests.knowledge.builders import draft, published

pytestmark = pytest.mark.django_db


def _in_review(author, **fields) -> Article:
    article = draft(author, **fields)
    return authoring.submit_for_review(author, article)


def _form(**overrides):
    data = {"title": "打印机离线", "summary": "", "body": "重启打印机。", "tags": "", "visibility": "public"}
    data.update({"language": "zh-hans", "version": 1, **overrides})
    return data


# --- the Review entry of the Manage menu ------------------------------------------------------


def _review_entry(page: str) -> str | None:
    found = re.search(r'<a\b[^<]*data-testid="manage-review".*?</a>', page, re.S)
    return found.group() if found else None


def test_the_manage_menu_counts_the_articles_waiting_for_the_managers_review(client, carol, dave, erin):
    _in_review(carol, title="Carol's article")
    _in_review(dave, title="Dave's article")
    _in_review(erin, title="Erin's own")  # a manager does not review their own article
    draft(carol, title="Still a draft")
    client.force_login(erin)

    entry = _review_entry(client.get(reverse("home")).content.decode())

    assert entry is not None
    assert f'href="{reverse("kb_agent:list")}?tab=review"' in entry
    assert re.search(r'data-testid="review-count">2<', entry)


def test_the_review_entry_is_for_managers_only(client, carol, alice):
    _in_review(carol)
    for user in (carol, alice):
        client.force_login(user)
        assert _review_entry(client.get(reverse("home")).content.decode()) is None


def test_the_review_count_costs_one_query_whatever_the_queue(client, carol, erin):
    client.force_login(erin)
    url = reverse("kb_agent:list")
    client.get(url)  # the first request of a session warms what is cached per process
    with CaptureQueriesContext(connection) as empty_queue:
        client.get(url)
    for number in range(5):
        _in_review(carol, title=f"Article {number}")

    with CaptureQueriesContext(connection) as full_queue:
        page = client.get(url).content.decode()

    counts = [q["sql"] for q in full_queue.captured_queries if "COUNT(" in q["sql"] and "in_review" in q["sql"]]
    assert len(counts) == 1
    assert len(full_queue.captured_queries) == len(empty_queue.captured_queries)
    assert re.search(r'data-testid="review-count">5<', page)


# --- one comment box for approve and return ---------------------------------------------------


def test_the_review_page_has_one_comment_box_for_approve_and_return(client, carol, erin):
    article = _in_review(carol)
    client.force_login(erin)

    page = client.get(reverse("kb_agent:detail", args=[article.pk])).content.decode()

    workflow = re.search(r'data-testid="workflow-form".*?</form>', page, re.S).group()
    assert workflow.count("<textarea") == 1
    for decision in ("approved", "returned"):
        assert f'formaction="{reverse("kb_agent:decide", args=[article.pk, decision])}"' in workflow


def test_the_comment_of_the_one_box_goes_with_the_button_pressed(client, carol, erin):
    article = _in_review(carol)
    client.force_login(erin)
    url = reverse("kb_agent:decide", args=[article.pk, "approved"])

    response = client.post(url, {"version": article.version, "comment": "Clear steps, thank you."})

    assert response.status_code == 302
    review = ArticleReview.objects.filter(article=article).first()
    assert (review.decision, review.comment) == (ReviewDecision.APPROVED, "Clear steps, thank you.")


def test_a_return_without_comment_shows_the_error_under_the_one_box(client, carol, erin):
    article = _in_review(carol)
    client.force_login(erin)

    response = client.post(reverse("kb_agent:decide", args=[article.pk, "returned"]), {"version": 1, "comment": ""})

    assert response.status_code == 400
    workflow = re.search(r'data-testid="workflow-form".*?</form>', response.content.decode(), re.S).group()
    assert workflow.count("<textarea") == 1
    assert "a comment is required to return an article" in workflow


# --- the return at the top of the author's pages ----------------------------------------------


def test_the_author_sees_the_returned_comment_at_the_top_of_the_edit_page(client, carol, erin):
    article = _in_review(carol)
    authoring.return_to_author(erin, article, comment="Add a screenshot of the print queue.")
    client.force_login(carol)

    page = client.get(reverse("kb_agent:edit", args=[article.pk])).content.decode()

    banner = page.index('data-testid="returned-comment"')
    assert banner < page.index('data-testid="article-form"')
    assert "Add a screenshot of the print queue." in page[banner:]
    assert str(erin) in page[banner:]
    detail = client.get(reverse("kb_agent:detail", args=[article.pk])).content.decode()
    assert 'data-testid="returned-comment"' in detail


def test_the_returned_comment_goes_once_the_article_is_sent_again(client, carol, erin):
    article = _in_review(carol)
    authoring.return_to_author(erin, article, comment="Add a screenshot.")
    authoring.submit_for_review(carol, article)
    authoring.return_to_author(erin, article, comment="Still missing.")
    client.force_login(carol)
    page = client.get(reverse("kb_agent:edit", args=[article.pk])).content.decode()
    assert "Still missing." in page and "Add a screenshot." not in page

    authoring.submit_for_review(carol, article)
    authoring.approve(erin, article)
    client.force_login(erin)
    page = client.get(reverse("kb_agent:edit", args=[article.pk])).content.decode()
    assert 'data-testid="returned-comment"' not in page


# --- "translation of": a picker of articles in the other language -----------------------------


def test_translation_of_is_a_picker_grouped_by_language(client, carol, erin):
    english = published(carol, erin, title="Printer offline")
    published(carol, erin, title="重置密码", body="在门户重置。", language="zh-hans")
    archived = published(carol, erin, title="Old fax machine")
    authoring.archive(erin, archived)
    client.force_login(carol)

    page = client.get(reverse("kb_agent:new")).content.decode()

    picker = re.search(r'<select name="translation_of".*?</select>', page, re.S).group()
    assert '<optgroup label="English">' in picker and '<optgroup label="Simplified Chinese">' in picker
    assert f'<option value="{english.pk}">Printer offline</option>' in picker
    assert "Old fax machine" not in picker
    assert 'type="number"' not in picker


def test_the_edit_picker_offers_other_languages_only_and_links_the_translation(client, carol, erin):
    english = published(carol, erin, title="Printer offline")
    other_english = published(carol, erin, title="Reset your password")
    chinese = draft(carol, title="打印机离线", body="重启打印机。", language="zh-hans")
    client.force_login(carol)
    url = reverse("kb_agent:edit", args=[chinese.pk])

    picker = re.search(r'<select name="translation_of".*?</select>', client.get(url).content.decode(), re.S).group()
    assert "Printer offline" in picker and "Reset your password" in picker
    assert "打印机离线" not in picker  # itself, and articles in its own language

    response = client.post(url, _form(translation_of=english.pk))

    assert response.status_code == 302
    chinese.refresh_from_db()
    assert chinese.translation_group == english.translation_group
    assert other_english.translation_group != english.translation_group
    form = client.get(url).context["form"]
    assert form.initial["translation_of"] == english.pk


def test_an_article_cannot_be_a_translation_of_itself(client, carol):
    chinese = draft(carol, title="打印机离线", body="重启打印机。", language="zh-hans")
    group = chinese.translation_group
    client.force_login(carol)

    response = client.post(reverse("kb_agent:edit", args=[chinese.pk]), _form(translation_of=chinese.pk))

    assert response.status_code == 400
    assert response.context["form"].errors["translation_of"] == ["An article cannot be a translation of itself."]
    chinese.refresh_from_db()
    assert chinese.translation_group == group


def test_a_translation_must_be_of_an_article_in_another_language(client, carol, erin):
    chinese = published(carol, erin, title="重置密码", body="在门户重置。", language="zh-hans")
    client.force_login(carol)

    response = client.post(reverse("kb_agent:new"), _form(translation_of=chinese.pk))

    assert response.status_code == 400
    assert "choose an article in another language" in response.context["form"].errors["translation_of"][0]
    assert not Article.objects.filter(title="打印机离线").exists()


def test_a_translation_of_an_article_the_agent_cannot_see_is_not_offered_nor_accepted(client, carol, dave):
    private = draft(dave, title="Dave's draft")
    client.force_login(carol)

    page = client.get(reverse("kb_agent:new")).content.decode()
    response = client.post(reverse("kb_agent:new"), _form(translation_of=private.pk))

    assert "Dave&#x27;s draft" not in page and "Dave's draft" not in page
    assert response.status_code == 400
    assert response.context["form"].errors["translation_of"] == ["Choose an article from the list."]
    assert Article.objects.filter(status=ArticleStatus.DRAFT).count() == 1
