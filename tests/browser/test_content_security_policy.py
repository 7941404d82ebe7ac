"""The pages work under their Content-Security-Policy: nothing the browser refuses, scripts still run."""

import re

import pytest

from tickets.services import ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_queue_sort_still_submits_and_no_policy_is_violated(page, sign_in, alice, carol, service_desk, password):
    ticket_create(requester=alice, subject="Mouse is jumpy", description="…", acting_user=alice)
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    sign_in(carol.email, password)

    page.goto("/agent/?view=all")
    page.locator("#queue-sort").select_option("created")
    page.wait_for_url(re.compile(r"sort=created"))
    page.goto("/submit/")
    page.goto("/kb/")

    assert refused == []
