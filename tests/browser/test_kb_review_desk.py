"""The review desk in a real browser, in English and in Chinese: a translation picked from a
list, the "Review" entry with its count in the Manage menu, one comment box on the review page,
and the reviewer's return at the top of the author's edit page.

Screenshots go to var/screenshots/ (not committed)."""

import pytest
from playwright.sync_api import expect

from knowledge.models import Article, ArticleStatus
from tests.knowledge.builders import published

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "var/screenshots"
TITLE = "打印机显示脱机"
COMMENT = "请补充：先检查是否连着公司网络。"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_translation_is_reviewed_from_the_manage_menu_and_returned_with_one_comment(
    page, sign_in, carol, erin, service_desk, password, language
):
    for person in (carol, erin):
        person.language = language
        person.save()
    english = published(carol, erin, title="Printer shows offline", body="Restart the printer.")

    # Carol writes the Chinese translation and picks the English article from the list.
    sign_in(carol.email, password)
    page.goto("/agent/kb/new/")
    form = page.get_by_test_id("article-form")
    form.locator("[name=title]").fill(TITLE)
    form.locator("[name=body]").fill("1. 重启打印机。\n2. 重新添加打印机。")
    form.locator("[name=language]").select_option("zh-hans")
    picker = page.get_by_test_id("translation-picker").locator("select")
    expect(picker.locator("optgroup")).to_have_count(1)
    picker.select_option(label="Printer shows offline")
    page.get_by_test_id("save-article").click()
    expect(page.get_by_test_id("article-title")).to_have_text(TITLE)
    article = Article.objects.get(title=TITLE)
    assert article.translation_group == english.translation_group
    page.get_by_test_id("workflow-form").get_by_test_id("decide-submitted").click()
    expect(page.get_by_test_id("reviews")).to_contain_text(carol.get_full_name())
    page.context.clear_cookies()

    # Erin sees one article waiting in the Manage menu and opens the review page.
    sign_in(erin.email, password)
    page.get_by_test_id("manage-menu").click()
    entry = page.get_by_test_id("manage-review")
    expect(entry.get_by_test_id("review-count")).to_contain_text("1")
    page.screenshot(path=f"{SHOTS}/kb-review-menu-{language}.png")
    entry.click()
    page.get_by_test_id("article-list").get_by_role("link", name=TITLE).click()
    workflow = page.get_by_test_id("workflow-form")
    expect(workflow.locator("textarea")).to_have_count(1)
    expect(workflow.get_by_test_id("decide-approved")).to_be_visible()
    expect(workflow.get_by_test_id("decide-returned")).to_be_visible()
    workflow.locator("textarea").fill(COMMENT)
    page.screenshot(path=f"{SHOTS}/kb-review-page-{language}.png", full_page=True)
    workflow.get_by_test_id("decide-returned").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    page.get_by_test_id("manage-menu").click()
    expect(page.get_by_test_id("review-count")).to_contain_text("0")
    page.context.clear_cookies()

    # Carol opens the edit page: the reviewer's comment is the first thing on it.
    sign_in(carol.email, password)
    page.goto(f"/agent/kb/{article.pk}/edit/")
    returned = page.get_by_test_id("returned-comment")
    expect(returned).to_contain_text(COMMENT)
    expect(returned).to_contain_text(erin.get_full_name())
    page.screenshot(path=f"{SHOTS}/kb-returned-edit-{language}.png", full_page=True)
