"""Writing articles: create, update, translations, stale edits (knowledge/authoring.py)."""

import pytest
from django.core.exceptions import PermissionDenied

from helpdesk.errors import ApplicationError, ConflictError
from knowledge import authoring
from knowledge.models import Article, ArticleStatus, ArticleVersion
from knowledge.search import search_articles
from tests.knowledge.builders import draft, published
from tickets.models import Category


def test_create_makes_a_draft_with_version_one_and_rendered_sanitised_html(carol):
    article = draft(carol, body="**Restart** it.\n\n<script>alert(1)</script>", tags=["Printer", "打印机", "printer"])

    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT and article.author == carol and article.version == 1
    assert "<strong>Restart</strong>" in article.body_html and "<script>" not in article.body_html
    assert sorted(article.tags.values_list("name", flat=True)) == ["printer", "打印机"]
    assert list(article.versions.values_list("number", "title", "editor")) == [(1, "Printer offline", carol.pk)]
    assert article.search_vector is not None


def test_requesters_cannot_write_articles(alice):
    with pytest.raises(PermissionDenied):
        draft(alice)


def test_title_and_body_are_required(carol):
    with pytest.raises(ApplicationError) as refused:
        draft(carol, title="  ")
    assert refused.value.extra == {"field": "title"}
    with pytest.raises(ApplicationError) as refused:
        draft(carol, body="")
    assert refused.value.extra == {"field": "body"}
    assert not Article.objects.exists()


def test_an_inactive_category_is_refused(carol):
    old = Category.objects.create(name="Fax", is_active=False)
    with pytest.raises(ApplicationError) as refused:
        draft(carol, category=old)
    assert refused.value.extra == {"field": "category"}


def test_a_text_change_makes_a_new_version_and_refreshes_html_and_search(carol, erin):
    article = draft(carol)

    authoring.update_article(carol, article, expected_version=1, body="Turn it **off** and on.", note="clearer")

    article.refresh_from_db()
    assert article.version == 2 and "<strong>off</strong>" in article.body_html
    latest = article.versions.get(number=2)
    assert (latest.body, latest.editor, latest.note) == ("Turn it **off** and on.", carol, "clearer")
    authoring.submit_for_review(carol, article)
    authoring.approve(erin, article)
    assert [a.pk for a in search_articles(carol, "turn off").articles] == [article.pk]


def test_a_metadata_change_saves_without_a_new_version(carol):
    article = draft(carol)
    category = Category.objects.create(name="Printers")

    authoring.update_article(
        carol, article, expected_version=1, category=category, tags=["paper"], visibility="internal"
    )

    article.refresh_from_db()
    assert (article.version, article.category, article.visibility) == (1, category, "internal")
    assert list(article.tags.values_list("name", flat=True)) == ["paper"]
    assert ArticleVersion.objects.filter(article=article).count() == 1


def test_saving_the_same_text_changes_nothing(carol):
    article = draft(carol)
    before = Article.objects.get(pk=article.pk).updated_at

    authoring.update_article(carol, article, expected_version=1, title="Printer offline", body="Restart it.")

    article.refresh_from_db()
    assert article.version == 1 and article.updated_at == before and article.versions.count() == 1


def test_a_stale_edit_is_refused_with_a_clear_message(carol, erin):
    article = draft(carol)
    authoring.update_article(erin, article, expected_version=1, body="Erin's text")

    with pytest.raises(ConflictError) as refused:
        authoring.update_article(carol, article, expected_version=1, body="Carol's text")

    assert refused.value.status_code == 409 and refused.value.extra == {"current_version": 2}
    assert "Someone else changed this article" in str(refused.value.message)
    article.refresh_from_db()
    assert article.body == "Erin's text" and article.versions.count() == 2


def test_a_translation_joins_the_group_once_per_language(carol, dave, erin):
    english = published(carol, erin)
    chinese = draft(dave, title="打印机离线", body="重启打印机。", language="zh-hans", translation_of=english)

    assert chinese.translation_group == english.translation_group

    with pytest.raises(ApplicationError) as refused:
        draft(dave, title="又一个", body="重复", language="zh-hans", translation_of=english)
    assert refused.value.extra == {"field": "language"} and "打印机离线" in str(refused.value.message)
    with pytest.raises(ApplicationError):
        authoring.update_article(erin, english, expected_version=1, language="zh-hans")


def test_a_translation_of_an_article_the_agent_cannot_see_is_refused(carol, dave):
    private_draft = draft(carol)
    with pytest.raises(PermissionDenied):
        draft(dave, language="zh-hans", title="x", body="y", translation_of=private_draft)


def test_update_rejects_unknown_fields(carol):
    article = draft(carol)
    with pytest.raises(TypeError):
        authoring.update_article(carol, article, expected_version=1, status="published")
