"""The site as real processes: gunicorn serving it over HTTP, people visiting it, a mail relay.

For tests that must see what a deployment sees (tests/test_redis_outage.py): the web process
reads this test's database and whatever Redis the test gives it, a ``Visitor`` keeps cookies and
fills in forms the way a browser does (the page's hidden fields, CSRF token included, then the
fields typed), and ``MailRelay`` is a real SMTP server (aiosmtpd in a thread) that records every
message it accepts.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the web process ------------------------------------------------------------------------


class WebServer:
    """``gunicorn helpdesk.wsgi`` on a loopback port of its own, as the Procfile runs it.

    Started at once; ``wait_until_up()`` waits for its first answer, so that other processes can
    start meanwhile.
    """

    def __init__(self, env: dict, log_path: Path, workers: int = 2, options: tuple[str, ...] = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "helpdesk.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                 "--workers", str(workers), "--timeout", "60", "--graceful-timeout", "2",
                 "--access-logfile", "-", "--error-logfile", "-", *options],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def wait_until_up(self, timeout: float = 60) -> WebServer:
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start:\n{self.log[-3000:]}")
            time.sleep(0.2)
        return self

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _answers(self) -> bool:
        try:
            urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=5).close()
        except urllib.error.HTTPError:
            return True  # an answer, whatever it says
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- a visitor with a cookie jar ------------------------------------------------------------


@dataclass
class Response:
    status: int
    url: str
    headers: dict
    text: str
    seconds: float

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def json(self):
        return json.loads(self.text)


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Hand a 3xx back to the test, which checks it: a redirect to the sign-in page is a failure."""

    def redirect_request(self, *args, **kwargs):
        return None


class _Forms(HTMLParser):
    """Each ``<form method="post">`` on a page: its action and the values a browser would send
    unless the user changed them (hidden and text inputs, checked boxes, selected options)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._fields: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        name = attrs.get("name", "")
        if tag == "form":
            self._fields = {} if attrs.get("method", "get").lower() == "post" else None
            if self._fields is not None:
                self.forms.append((attrs.get("action", ""), self._fields))
        elif tag == "option":
            # Options carry no name: they belong to the select they are in. Without a selected
            # option a browser sends the first one.
            if self._fields is not None and self._select and ("selected" in attrs or self._select not in self._fields):
                self._fields[self._select] = attrs.get("value", "")
        elif self._fields is None or not name:
            return
        elif tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self._fields[name] = attrs.get("value", "on")
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                self._fields[name] = attrs.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self._fields[name] = ""

    def handle_data(self, data):
        if self._fields is not None and self._textarea:
            self._fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


class Visitor:
    """One person's browser, as far as the server can tell: cookies, forms, no JavaScript."""

    def __init__(self, base_url: str, *, timeout: float = 30):
        self.base_url = base_url
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _KeepRedirects()
        )

    def request(self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None) -> Response:
        url = urllib.parse.urljoin(self.base_url, path)
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        started = time.monotonic()
        try:
            answer = self.opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:  # 3xx (kept), 4xx and 5xx: the test judges them
            answer = error
        with answer:
            text = answer.read().decode("utf-8", errors="replace")
        return Response(answer.status, url, dict(answer.headers), text, time.monotonic() - started)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, fields: dict, *, referer: str | None = None) -> Response:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if referer:
            headers["Referer"] = referer
        return self.request("POST", path, body=urllib.parse.urlencode(fields).encode(), headers=headers)

    def post_json(self, path: str, payload: dict, *, headers: dict | None = None) -> Response:
        headers = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
        return self.request("POST", path, body=json.dumps(payload).encode(), headers=headers)

    def fill_in(self, page: Response, action: str, fields: dict) -> Response:
        """Post the form of ``page`` whose action is ``action`` (a path; a form without an action
        posts to the page itself), with ``fields`` typed over what the page filled in."""
        wanted = urllib.parse.urljoin(page.url, action)
        parser = _Forms()
        parser.feed(page.text)
        for form_action, values in parser.forms:
            if urllib.parse.urljoin(page.url, form_action).split("#")[0] == wanted:
                return self.post(wanted, {**values, **fields}, referer=page.url)
        raise AssertionError(f"no form posting to {action} on {page.url} (status {page.status})")


# --- the mail relay -------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    recipients: tuple[str, ...]
    subject: str
    message_id: str


class MailRelay:
    """A real SMTP server in a thread (aiosmtpd), recording each message it accepts; ``delay``
    seconds per message, as a relay far away takes."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.received: list[Delivery] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    @property
    def port(self) -> int:
        return self.controller.port

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Delivery(tuple(envelope.rcpt_tos), str(message["Subject"]), str(message["Message-ID"])))
        return "250 Message accepted for delivery"

    def __enter__(self) -> MailRelay:
        self.controller.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.controller.stop()
