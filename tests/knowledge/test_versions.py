"""Version history: versions only on text changes, the diff, restoring as a new version."""

import pytest
from django.urls import reverse

from helpdesk.errors import ApplicationError, ConflictError
from knowledge import authoring
from knowledge.diff import diff_html, diff_versions, tokens
from tests.knowledge.builders import draft


def test_versions_are_made_only_when_title_summary_or_body_change(carol):
    article = draft(carol)
    authoring.update_article(carol, article, expected_version=1, tags=["printer"], visibility="internal")
    authoring.update_article(carol, article, expected_version=1, summary="New summary")
    authoring.update_article(carol, article, expected_version=2, title="Printer is offline")
    authoring.update_article(carol, article, expected_version=3, language="zh-hans")

    article.refresh_from_db()
    assert article.version == 3
    assert list(article.versions.order_by("number").values_list("number", "title", "summary")) == [
        (1, "Printer offline", "When the printer shows offline."),
        (2, "Printer offline", "New summary"),
        (3, "Printer is offline", "New summary"),
    ]


def test_restore_makes_a_new_version_with_the_old_text_and_keeps_history(carol):
    article = draft(carol, body="First text")
    authoring.update_article(carol, article, expected_version=1, body="Second text")

    authoring.restore_version(carol, article, 1, expected_version=2)

    article.refresh_from_db()
    assert (article.version, article.body) == (3, "First text")
    assert "First text" in article.body_html
    assert list(article.versions.order_by("number").values_list("number", "body", "note")) == [
        (1, "First text", ""),
        (2, "Second text", ""),
        (3, "First text", "Restored from version 1"),
    ]


def test_restore_refuses_a_stale_page_an_unknown_version_and_the_current_text(carol):
    article = draft(carol)
    authoring.update_article(carol, article, expected_version=1, body="v2")

    with pytest.raises(ConflictError):
        authoring.restore_version(carol, article, 1, expected_version=1)
    with pytest.raises(ApplicationError):
        authoring.restore_version(carol, article, 9, expected_version=2)
    with pytest.raises(ApplicationError):
        authoring.restore_version(carol, article, 2, expected_version=2)
    assert article.versions.count() == 2


def test_diff_marks_changed_english_words_and_escapes_html():
    html = diff_html(
        "Open <b>Settings</b> then Printers.\nKeep this line.\n",
        "Open <i>Settings</i> then Scanners.\nKeep this line.\n",
    )

    assert html == (
        "Open &lt;<del>b</del><ins>i</ins>&gt;Settings&lt;/<del>b</del><ins>i</ins>&gt; then "
        "<del>Printers</del><ins>Scanners</ins>.\nKeep this line.\n"
    )


def test_diff_cuts_chinese_into_words():
    assert tokens("打印机无法连接") == ["打印机", "无法", "连接"]
    assert diff_html("打印机无法连接", "打印机连接失败") == "打印机<del>无法</del>连接<ins>失败</ins>"


def test_diff_shows_added_and_removed_lines_and_folds_long_unchanged_stretches():
    old = "".join(f"line {n}\n" for n in range(20))
    new = old.replace("line 10\n", "") + "line 20\n"

    html = diff_html(old, new)

    assert "<del>line 10\n</del>" in html and "<ins>line 20\n</ins>" in html
    assert "line 0\n" not in html and "line 7\n" in html and "line 13\n" in html
    assert "diff-fold" in html


def test_diff_versions_reports_each_field(carol):
    article = draft(carol)
    authoring.update_article(carol, article, expected_version=1, body="Restart it twice.")
    old, new = article.versions.get(number=1), article.versions.get(number=2)

    fields = diff_versions(old, new)

    assert [(f.label, f.changed) for f in fields] == [("Title", False), ("Summary", False), ("Text", True)]
    assert fields[2].html == "Restart it<ins> twice</ins>."


def test_the_diff_page_and_restoring_from_it(client, carol):
    article = draft(carol, body="Use the <blue> cable")
    authoring.update_article(carol, article, expected_version=1, body="Use the <red> cable")
    client.force_login(carol)

    page = client.get(reverse("kb_agent:version", args=[article.pk, 2])).content.decode()
    assert "&lt;<del>blue</del><ins>red</ins>&gt;" in page

    against_current = client.get(reverse("kb_agent:version", args=[article.pk, 1]) + "?against=2").content.decode()
    assert "<del>blue</del><ins>red</ins>" in against_current and 'data-testid="restore-version"' in against_current

    response = client.post(reverse("kb_agent:restore_version", args=[article.pk, 1]), {"version": 2})
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.version, article.body) == (3, "Use the <blue> cable")


def test_restoring_from_a_stale_page_is_refused_with_a_message(client, carol):
    article = draft(carol, body="one")
    authoring.update_article(carol, article, expected_version=1, body="two")
    authoring.update_article(carol, article, expected_version=2, body="three")
    client.force_login(carol)

    response = client.post(reverse("kb_agent:restore_version", args=[article.pk, 1]), {"version": 2}, follow=True)

    assert "Someone else changed this article" in response.content.decode()
    article.refresh_from_db()
    assert article.version == 3


def test_a_colleague_without_edit_rights_cannot_restore(client, carol, dave, erin):
    article = draft(carol, body="one")
    authoring.update_article(carol, article, expected_version=1, body="two")
    authoring.submit_for_review(carol, article)
    client.force_login(dave)

    assert client.get(reverse("kb_agent:version", args=[article.pk, 2])).status_code == 200
    assert client.post(reverse("kb_agent:restore_version", args=[article.pk, 1]), {"version": 2}).status_code == 403
