"""An article's life in a real browser: written in Chinese, returned, revised, approved, found, voted."""

import re

import pytest
from playwright.sync_api import expect

from knowledge.models import Article, ArticleStatus, ArticleVote, ReviewDecision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "打印机卡纸处理方法"
FIRST_BODY = "## 步骤\n\n1. 关闭打印机电源。\n2. 打开**后盖**，轻轻取出卡住的纸。"
ADDED_STEP = "3. 检查纸盒里的纸是否放平。"
RETURN_COMMENT = "请补充：取出纸张后要检查纸盒。"


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("current-user")).to_have_count(0)


def _decide(page, decision: str, comment: str = "") -> None:
    """Write the one comment (if any) and press one of the workflow buttons on the article page."""
    form = page.get_by_test_id("workflow-form")
    if comment:
        form.locator("textarea").fill(comment)
    form.get_by_test_id(f"decide-{decision}").click()


def test_an_article_is_written_returned_revised_approved_found_and_voted_on(page, sign_in, password, carol, erin):
    # Carol writes a Chinese article in markdown and sends it to review.
    sign_in(carol.email, password)
    page.goto("/agent/kb/new/")
    form = page.get_by_test_id("article-form")
    form.get_by_label("Title", exact=True).fill(TITLE)
    form.get_by_label("Summary", exact=True).fill("打印机提示卡纸时的处理步骤。")
    form.get_by_label("Text", exact=True).fill(FIRST_BODY)
    form.get_by_label("Tags", exact=True).fill("打印机, 卡纸")
    form.get_by_label("Language", exact=True).select_option(label="Simplified Chinese")
    page.get_by_test_id("save-article").click()

    expect(page.get_by_role("alert")).to_contain_text("Draft saved")
    body = page.get_by_test_id("article-body")
    expect(body.locator("h2")).to_have_text("步骤")
    expect(body.locator("strong")).to_have_text("后盖")
    article = Article.objects.get(title=TITLE)
    article_url = f"/agent/kb/{article.pk}/"
    _decide(page, "submitted")
    expect(page.get_by_role("alert")).to_contain_text("Submitted for review.")
    _sign_out(page)

    # Erin finds it in her review queue and returns it with a comment.
    sign_in(erin.email, password)
    page.goto("/agent/kb/?tab=review")
    page.get_by_test_id("article-list").get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("article-title")).to_have_text(TITLE)
    _decide(page, "returned", RETURN_COMMENT)
    expect(page.get_by_role("alert")).to_contain_text("Returned")
    _sign_out(page)

    # Carol reads the comment, adds the missing step (version 2) and sends it back.
    sign_in(carol.email, password)
    page.goto(article_url)
    expect(page.get_by_test_id("reviews")).to_contain_text(RETURN_COMMENT)
    page.get_by_test_id("edit-article").click()
    form = page.get_by_test_id("article-form")
    form.get_by_label("Text", exact=True).fill(f"{FIRST_BODY}\n{ADDED_STEP}")
    form.get_by_label("What changed", exact=True).fill("补充纸盒检查")
    page.get_by_test_id("save-article").click()

    expect(page.get_by_role("alert")).to_contain_text("Article saved.")
    expect(page.get_by_test_id("version")).to_have_count(2)
    expect(page.get_by_test_id("versions")).to_contain_text("补充纸盒检查")
    # The diff of version 2 marks the added step, word by word.
    page.get_by_test_id("versions").get_by_role("link", name="changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from version 1 to version 2")
    expect(page.locator(".kb-diff ins").first).to_be_visible()
    expect(page.locator(".kb-diff ins")).to_contain_text(["纸盒"])
    page.goto(article_url)
    _decide(page, "submitted")
    expect(page.get_by_role("alert")).to_contain_text("Submitted for review.")
    _sign_out(page)

    # Erin approves; the article is published.
    sign_in(erin.email, password)
    page.goto(article_url)
    _decide(page, "approved")
    expect(page.get_by_role("alert")).to_contain_text("Approved")
    _sign_out(page)

    # A reader who is not signed in finds it with a question worded differently, and votes.
    page.goto("/kb/")
    page.get_by_role("searchbox").fill("打印机卡纸怎么办")
    page.get_by_test_id("kb-search-form").get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/kb/search/"))
    page.get_by_test_id("kb-results").get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("kb-body")).to_contain_text("检查纸盒里的纸是否放平")
    page.get_by_test_id("kb-vote").get_by_role("button", name="Yes").click()
    expect(page.get_by_test_id("kb-vote-counts")).to_contain_text("1 person found this helpful")

    article.refresh_from_db()
    assert (article.status, article.version, article.reviewer, article.helpful_count) == (
        ArticleStatus.PUBLISHED,
        2,
        erin,
        1,
    )
    assert list(article.reviews.order_by("created_at", "id").values_list("decision", flat=True)) == [
        ReviewDecision.SUBMITTED,
        ReviewDecision.RETURNED,
        ReviewDecision.SUBMITTED,
        ReviewDecision.APPROVED,
    ]
    vote = ArticleVote.objects.get(article=article)
    assert vote.helpful is True and vote.user is None
