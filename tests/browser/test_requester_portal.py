"""The requester's portal in both languages: /my/ pages and searches every ticket, a resolved
ticket is rated on its page, and "I still need help" brings back the whole form in the same tab.

Screenshots go to var/screenshots/ (not committed)."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from knowledge.models import Language
from tests.browser.conftest import SCREENSHOTS
from tests.knowledge.builders import stored
from tickets.models import ResolutionCode, SatisfactionAnswer
from tickets.services import ticket_create, ticket_resolve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

TEXTS = {
    "en": {
        "older": "Older requests",
        "search": "Search",
        "rate": "Send rating",
        "rated": "4 out of 5",
        "share": "Share with my organisation",
        "subject": "Printer not working on floor 3",
        "article": "Printer troubleshooting",
        "continue": "I still need help",
    },
    "zh-hans": {
        "older": "更早的请求",
        "search": "搜索",
        "rate": "提交评分",
        "rated": "4 分",
        "share": "与我所在的组织共享",
        "subject": "三楼打印机无法连接",
        "article": "打印机连接故障排查",
        "continue": "我仍需要帮助",
    },
}


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def speaks(alice):
    def _speaks(language: str) -> None:
        alice.language = language
        alice.save(update_fields=["language"])

    return _speaks


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_my_requests_pages_to_the_oldest_and_searches(page, sign_in, password, alice, service_desk, speaks, language):
    speaks(language)
    text = TEXTS[language]
    oldest = ticket_create(
        requester=alice, subject="VPN drops at home", description="Every hour.", acting_user=alice, at=START
    )
    for n in range(55):
        ticket_create(
            requester=alice,
            subject=f"Request {n:02d}",
            description="Routine.",
            acting_user=alice,
            at=START + timedelta(days=1, minutes=n),
        )
    sign_in(alice.email, password)

    page.goto("/my/")
    table = page.get_by_test_id("my-tickets")
    expect(table).to_contain_text("Request 54")
    expect(table).not_to_contain_text(oldest.reference)
    _shot(page, f"my-requests-{language}")
    page.get_by_test_id("my-older").click()
    expect(page.get_by_test_id("my-tickets")).to_contain_text(oldest.reference)
    expect(page.get_by_test_id("my-older")).to_have_count(0)

    search = page.get_by_test_id("my-search")
    search.get_by_role("searchbox").fill("vpn")
    search.get_by_role("button", name=text["search"]).click()
    rows = page.get_by_test_id("my-tickets").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("VPN drops at home")
    _shot(page, f"my-requests-search-{language}")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_requester_rates_a_resolved_ticket_in_the_portal(
    page, sign_in, password, alice, carol, service_desk, speaks, language
):
    speaks(language)
    text = TEXTS[language]
    ticket = ticket_create(requester=alice, subject="Laptop fan is loud", description="Update.", acting_user=alice)
    ticket_resolve(ticket, code=ResolutionCode.FIXED, summary="Cleaned the fan.", acting_user=carol)
    sign_in(alice.email, password)

    page.goto(f"/my/tickets/{ticket.reference}/")
    survey = page.get_by_test_id("portal-survey-form")
    survey.locator("input[name=score][value='4']").check()
    survey.locator("textarea[name=comment]").fill("Quiet again, thanks.")
    _shot(page, f"portal-rating-form-{language}")
    survey.get_by_role("button", name=text["rate"]).click()

    expect(page.get_by_test_id("portal-survey-answered")).to_contain_text(text["rated"])
    _shot(page, f"portal-rating-done-{language}")
    answer = SatisfactionAnswer.objects.get()
    assert (answer.score, answer.comment) == (4, "Quiet again, thanks.")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_still_need_help_brings_back_everything_typed_in_the_same_tab(
    page, live_server, carol, service_desk, acme, language
):
    text = TEXTS[language]
    article_language = Language.EN if language == "en" else Language.ZH_HANS
    stored(carol, text["article"], "1. Check the cable.\n2. Add the printer again.", language=article_language)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    page.goto("/submit/")
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    form = page.get_by_test_id("submit-form")
    form.locator("input[name=name]").fill("Gina Guest")
    form.locator("input[name=email]").fill("gina@acme.example")
    form.locator("textarea[name=description]").fill("It says *offline* since 9:00.")
    form.locator("input[name=urgency][value='1']").check()
    form.locator("input[name=subject]").press_sequentially(text["subject"], delay=20)
    suggestions = page.get_by_test_id("kb-suggestions")
    expect(suggestions).to_contain_text(text["article"])
    _shot(page, f"submit-suggestions-{language}")

    suggestions.get_by_role("link", name=text["article"]).click()  # the same tab
    expect(page.get_by_test_id("kb-body")).to_be_visible()
    page.get_by_test_id("kb-continue").click()

    form = page.get_by_test_id("submit-form")
    expect(form.locator("input[name=name]")).to_have_value("Gina Guest")
    expect(form.locator("input[name=email]")).to_have_value("gina@acme.example")
    expect(form.locator("input[name=subject]")).to_have_value(text["subject"])
    expect(form.locator("textarea[name=description]")).to_have_value("It says *offline* since 9:00.")
    expect(form.locator("input[name=urgency][value='1']")).to_be_checked()
    expect(page.get_by_label(text["share"])).not_to_be_checked()
    _shot(page, f"submit-still-need-help-{language}")
