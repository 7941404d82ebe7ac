import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_switches_to_chinese_and_sees_chinese_navigation(page, sign_in, carol, service_desk, password):
    sign_in(carol.email, password)
    navigation = page.get_by_test_id("main-nav")
    expect(navigation).to_contain_text("Queues")

    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()

    expect(navigation).to_contain_text("队列")
    expect(navigation).to_contain_text("团队")
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.screenshot(path="var/screenshots/agent-home-zh-hans.png")

    # The choice sticks to the user: a fresh browser session opens in Chinese too.
    page.get_by_role("button", name="退出").click()
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(carol.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("main-nav")).to_contain_text("队列")


def test_wrong_password_shows_a_clear_message_in_the_browser(page, carol):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(carol.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_test_id("login-error")).to_contain_text("do not match an account")


def test_navigation_collapses_on_a_phone(page, sign_in, carol, password):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(carol.email, password)

    expect(page.get_by_test_id("main-nav")).to_be_hidden()
    page.get_by_role("button", name="Toggle navigation").click()
    expect(page.get_by_test_id("main-nav")).to_be_visible()
