"""Every HTML page carries a Content-Security-Policy that allows no inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/kb/", "/submit/", "/no-such-page/"])
def test_pages_carry_a_policy_without_inline_script(client, url):
    response = client.get(url)

    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["default-src"]


def test_signed_in_staff_pages_carry_the_policy(client, carol):
    client.force_login(carol)

    response = client.get("/agent/")

    assert response.status_code == 200
    assert _directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_no_template_holds_inline_script_or_event_handlers(template):
    text = template.read_text()

    assert not INLINE_SCRIPT.search(text), "move the script to static/js/"
    assert not INLINE_HANDLER.search(text), "use a data- attribute and a listener in static/js/"
