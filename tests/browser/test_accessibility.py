"""An axe-core audit (WCAG 2.1 A and AA) of every main page, in English and in Chinese.

axe-playwright-python carries its own axe.min.js: nothing is fetched from a CDN. One browser
context per person, the pages visited in a loop, so that the audit stays a few seconds a language.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps

from kpis.rollups import refresh_full
from tests.browser.conftest import SCREENSHOTS
from tests.knowledge.builders import stored
from tickets.services import ticket_create, ticket_reply, ticket_resolve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _open(browser, live_server, language: str):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    # Anonymous pages read the language cookie; signed-in ones the user's saved language.
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context, context.new_page()


def _sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def _audit(page, axe: Axe, path: str, language: str, who: str, failures: list[str]) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == language, path
    results = axe.run(page, options=WCAG_21_AA)
    name = re.sub(r"[^\w-]+", "_", path.strip("/")) or "home"
    page.screenshot(path=str(SCREENSHOTS / f"axe-{language}-{who}-{name}.png"))
    for violation in results.response["violations"]:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        failures.append(f"{path} ({language}): {violation['id']} – {violation['help']}: {targets}")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_main_pages_pass_an_axe_audit(browser, live_server, alice, carol, erin, service_desk, password, language):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for person in (alice, carol, erin):
        person.language = language
        person.save(update_fields=["language"])
    ticket = ticket_create(requester=alice, subject="Printer offline", description="It blinks.", acting_user=alice)
    # A resolved ticket gives the dashboards figures and the requester's page its rating form.
    importlib.import_module("kpis.migrations.0003_default_scorecard").create(apps, None)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    resolved = ticket_create(
        requester=alice, subject="Mouse", description="Jumpy.", acting_user=alice, team=service_desk, at=start
    )
    ticket_reply(resolved, "Looking", acting_user=carol, at=start + dt.timedelta(minutes=10))
    ticket_resolve(resolved, code="fixed", summary="New mouse", acting_user=carol, at=start + dt.timedelta(minutes=30))
    refresh_full()
    article = stored(carol, "Printer troubleshooting", "1. Check the cable.\n2. Add it again.", language=language)
    axe = Axe()
    failures: list[str] = []
    visits = [
        (None, ["/accounts/login/", "/", "/kb/", f"/kb/{article.pk}/"]),
        (alice, ["/", "/submit/", "/my/", f"/my/tickets/{ticket.reference}/", f"/my/tickets/{resolved.reference}/"]),
        (
            carol,
            ["/agent/", f"/agent/tickets/{ticket.reference}/", "/agent/search/?q=printer", "/agent/kb/", "/agent/me/"],
        ),
        (erin, ["/manage/kpis/"]),
    ]
    for person, paths in visits:
        context, page = _open(browser, live_server, language)
        try:
            if person is not None:
                _sign_in(page, person.email, password)
            for path in paths:
                _audit(page, axe, path, language, person.email.split("@")[0] if person else "guest", failures)
        finally:
            context.close()

    assert not failures, "\n".join(failures)
