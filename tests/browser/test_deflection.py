"""A requester typing a Chinese subject on /submit/ is shown an article that solves the problem."""

import re

import pytest
from playwright.sync_api import expect

from knowledge.models import DeflectionEvent, DeflectionOutcome, Language
from tests.knowledge.builders import stored
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = "1. 检查打印机电源和网线。\n2. 在电脑上重新添加打印机。"


def test_requester_is_deflected_by_a_suggested_article(
    page, browser, live_server, sign_in, password, alice, carol, erin, service_desk
):
    article = stored(carol, "打印机连接故障排查", BODY, language=Language.ZH_HANS)
    stored(carol, "Expense report deadlines", "Submit by the 5th.", language=Language.EN)
    sign_in(alice.email, password)

    page.goto("/submit/")
    page.get_by_label("Subject").press_sequentially("打印机无法连接", delay=30)

    suggestions = page.get_by_test_id("kb-suggestions")
    expect(suggestions).to_contain_text("打印机连接故障排查")
    expect(suggestions).not_to_contain_text("Expense report")
    # The article opens in the same tab; what was typed waits for "I still need help"
    # (tests/browser/test_requester_portal.py).
    suggestions.get_by_role("link", name="打印机连接故障排查").click()
    article_page = page
    expect(article_page.get_by_test_id("kb-body")).to_contain_text("重新添加打印机")

    article_page.get_by_role("button", name="This solved my problem").click()

    expect(article_page.get_by_test_id("kb-solved-thanks")).to_contain_text("No request was created")
    event = DeflectionEvent.objects.get()
    assert (event.outcome, event.article_id, event.user_id, event.query) == (
        DeflectionOutcome.SOLVED,
        article.pk,
        alice.pk,
        "打印机无法连接",
    )
    assert not Ticket.objects.exists()

    # The manager's report counts it.
    manager = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        report = manager.new_page()
        report.goto("/accounts/login/")
        report.get_by_label("E-mail address").fill(erin.email)
        report.get_by_label("Password").fill(password)
        report.get_by_role("button", name="Sign in").click()
        report.wait_for_url(re.compile(r"/$"))
        report.goto("/manage/kb/deflection/?period=7")
        expect(report.get_by_test_id("deflection-solved")).to_have_text("1")
        expect(report.get_by_test_id("deflection-rate")).to_have_text("100.0 %")
        expect(report.get_by_test_id("top-articles")).to_contain_text("打印机连接故障排查")
    finally:
        manager.close()
