import re

import pytest
from playwright.sync_api import expect

from notifications.models import OutboxEmail
from tickets.models import Ticket
from tickets.services import ticket_add_note, ticket_create, ticket_reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "en": {
        "subject": "Printer on floor 3 is offline",
        "submit": "Submit request",
        "received": "we have your request",
        "send": "Send reply",
        "sent": "Your reply was sent.",
    },
    "zh-hans": {
        "subject": "三楼打印机无法连接",
        "submit": "提交请求",
        "received": "我们已收到您的请求",
        "send": "发送回复",
        "sent": "您的回复已发送。",
    },
}


def _tracking_link(email_body: str) -> str:
    return re.search(r"http\S+/t/[\w-]+/", email_body).group(0)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_guest_submits_follows_the_emailed_link_and_replies(page, live_server, settings, service_desk, carol, language):
    settings.SITE_URL = live_server.url
    text = TEXTS[language]
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    page.goto("/submit/")
    form = page.get_by_test_id("submit-form")
    form.locator("input[name=name]").fill("Gina Guest")
    form.locator("input[name=email]").fill("gina@example.org")
    form.locator("input[name=subject]").fill(text["subject"])
    form.locator("textarea[name=description]").fill("It shows *offline* since 9:00.")
    form.locator("input[name=impact][value='2']").check()
    page.get_by_role("button", name=text["submit"]).click()
    expect(page.get_by_test_id("submitted")).to_contain_text(text["received"])

    ticket = Ticket.objects.get()
    ticket_reply(ticket, "Is the power light on?", acting_user=carol)
    ticket_add_note(ticket, "INTERNAL: toner order pending", acting_user=carol)
    link = _tracking_link(OutboxEmail.objects.get(kind="ticket_created").body)

    page.goto(link)
    thread = page.get_by_test_id("thread")
    expect(thread).to_contain_text("It shows offline since 9:00.")
    expect(thread).to_contain_text("Is the power light on?")
    expect(thread).not_to_contain_text("INTERNAL")
    page.get_by_test_id("reply-form").locator("textarea[name=body]").fill("Yes, it is green.")
    page.get_by_role("button", name=text["send"]).click()

    expect(page.get_by_role("alert")).to_contain_text(text["sent"])
    expect(page.get_by_test_id("thread")).to_contain_text("Yes, it is green.")
    assert ticket.messages.filter(author=ticket.requester, body="Yes, it is green.").exists()


def test_signed_in_requester_sees_only_their_own_tickets(page, alice, oscar, service_desk, password):
    ticket_create(requester=alice, subject="Alice: laptop battery", description="Dies fast", acting_user=alice)
    ticket_create(requester=oscar, subject="Oscar: phone broken", description="Screen", acting_user=oscar)

    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(alice.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    table = page.get_by_test_id("my-tickets")
    expect(table).to_contain_text("Alice: laptop battery")
    expect(table).not_to_contain_text("Oscar")
    page.get_by_role("link", name=re.compile("HD-")).first.click()
    expect(page.get_by_test_id("thread")).to_contain_text("Dies fast")
