"""An agent's day, in English and Chinese: logging a phone call for a caller found by name, the
"breaching soon" queue with overdue and due soon apart, the bulk bar showing only the chosen
action's fields, and the sidebar counts following the agent's own changes at once.

Screenshots go to var/screenshots/ (not committed)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tickets.models import Channel, Status, Ticket
from tickets.services import ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "var/screenshots"
TEXTS = {
    "en": {
        "new": "New ticket",
        "email": "Requester's e-mail address",
        "walk_in": "Walk-in",
        "subject": "Subject",
        "description": "Description",
        "tags": "Tags",
        "create": "Create ticket",
        "overdue": "Overdue",
        "soon": "Due soon",
    },
    "zh-hans": {
        "new": "新建工单",
        "email": "请求人的电子邮件地址",
        "walk_in": "现场来访",
        "subject": "主题",
        "description": "描述",
        "tags": "标签",
        "create": "创建工单",
        "overdue": "已逾期",
        "soon": "即将到期",
    },
}


def _speak(person, language):
    person.language = language
    person.save(update_fields=["language"])


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_agent_logs_a_walk_in_for_a_caller_found_by_name(page, sign_in, alice, carol, service_desk, password, language):
    text = TEXTS[language]
    _speak(carol, language)
    sign_in(carol.email, password)
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto("/agent/")
    page.get_by_test_id("new-ticket").click()
    page.wait_for_url(re.compile(r"/agent/new/$"))
    page.get_by_label(text["email"]).fill("smi")
    option = page.get_by_test_id("requester-option").filter(has_text="Alice Smith")
    expect(option).to_be_visible()
    page.screenshot(path=f"{SHOTS}/agent-new-ticket-picker-{language}.png", full_page=True)
    option.click()
    expect(page.get_by_label(text["email"])).to_have_value(alice.email)

    page.get_by_label(text["walk_in"]).check()
    page.get_by_label(text["subject"], exact=True).fill("Badge reader at the door refuses my card")
    page.get_by_label(text["description"], exact=True).fill(r"Came to the desk at 10:05. Share: \\files01\badges")
    page.get_by_label(text["tags"], exact=True).fill("badge, door")
    page.locator("select[name=assignee]").select_option(str(carol.pk))
    page.locator("select[name=status]").select_option("resolved")
    expect(page.locator("select[name=resolution_code]")).to_be_visible()
    page.locator("select[name=resolution_code]").select_option("fixed")
    page.locator("textarea[name=resolution_summary]").fill("Re-encoded the badge at the desk.")
    page.screenshot(path=f"{SHOTS}/agent-new-ticket-filled-{language}.png", full_page=True)
    page.get_by_test_id("create-ticket").click()

    ticket = Ticket.objects.get()
    page.wait_for_url(re.compile(rf"/agent/tickets/{ticket.reference}/$"))
    expect(page.get_by_role("alert").first).to_contain_text(ticket.reference)
    assert (ticket.requester, ticket.channel, ticket.status) == (alice, Channel.WALK_IN, Status.RESOLVED)
    assert r"\\files01\badges" in ticket.description_html
    page.screenshot(path=f"{SHOTS}/agent-new-ticket-created-{language}.png", full_page=True)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_breaching_soon_bulk_bar_and_fresh_counts(page, sign_in, alice, carol, service_desk, password, language):
    text = TEXTS[language]
    now = timezone.now()
    tickets = {}
    for subject, delta in [("Due in two hours", timedelta(hours=2)), ("Fifteen days late", -timedelta(days=15))]:
        ticket = ticket_create(requester=alice, subject=subject, description="…", acting_user=alice)
        Ticket.objects.filter(pk=ticket.pk).update(sla_next_due_at=now + delta)
        tickets[subject] = ticket
    _speak(carol, language)
    sign_in(carol.email, password)
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto("/agent/?view=breaching")
    rows = page.get_by_test_id("queue").locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_have_text(text["overdue"])
    expect(rows.nth(1)).to_contain_text("Fifteen days late")
    expect(rows.nth(2)).to_have_text(text["soon"])
    expect(rows.nth(3)).to_contain_text("Due in two hours")
    expect(page.get_by_test_id("count-mine")).to_have_text("0")

    # The bulk bar: only the chosen action's fields.
    bar = page.get_by_test_id("bulk-bar")
    fields = {action: bar.locator(f"[data-bulk-field={action}]") for action in ("assign", "status", "merge")}
    action = bar.locator("select[name=action]")
    action.select_option("status")
    expect(fields["status"]).to_be_visible()
    expect(fields["assign"]).to_be_hidden()
    expect(fields["merge"]).to_be_hidden()
    action.select_option("assign")
    expect(fields["assign"]).to_be_visible()
    expect(fields["status"]).to_be_hidden()
    page.screenshot(path=f"{SHOTS}/agent-breaching-soon-{language}.png", full_page=True)

    # Take both: "Mine" says 2 on the page that follows, not 30 seconds later.
    for ticket in tickets.values():
        page.locator(f"input[name=tickets][value='{ticket.pk}']").check()
    bar.locator("select[name=assignee]").select_option("me")
    page.get_by_test_id("bulk-apply").click()
    expect(page.get_by_test_id("count-mine")).to_have_text("2")
    expect(page.get_by_test_id("count-unassigned")).to_have_text("0")
    page.screenshot(path=f"{SHOTS}/agent-counts-after-bulk-{language}.png", full_page=True)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_managers_navbar_with_new_ticket_fits_one_line_at_1366(
    page, sign_in, erin, service_desk, password, language
):
    _speak(erin, language)
    sign_in(erin.email, password)
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto("/agent/")

    expect(page.get_by_test_id("main-nav").get_by_role("link", name=TEXTS[language]["new"])).to_be_visible()
    height = page.locator("nav.navbar").evaluate("element => element.getBoundingClientRect().height")
    assert height < 70, f"the navbar wraps ({height}px)"
