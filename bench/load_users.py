"""The people bench/load.py simulates: a locustfile (``locust -f bench/load_users.py``).

Not run on its own: bench/load.py starts the site, writes the accounts to a JSON file and runs
locust on this file with ``LOAD_ACCOUNTS`` (that file), ``LOAD_PASSWORD``, ``LOAD_AGENTS`` and
``LOAD_REQUESTERS`` (how many of each), ``LOAD_WORK_SECONDS`` and ``LOAD_PHASES`` (where to write
the phases' times and the sign-in figures) in the environment.

Two phases. First everyone signs in (the sign-in page, the post, the landing page), as locust
starts them; the last one in starts the work phase: the sign-in figures are written aside, the
statistics start afresh, and after ``LOAD_WORK_SECONDS`` everyone finishes the round they are in
and stops. A sign-in costs a PBKDF2 hash (about a second of CPU): 70 of them at once are a storm
that says little about the pages, so the two are measured apart.

Each simulated person is a browser without JavaScript: a cookie jar (the session and CSRF
cookies), pages fetched one at a time, forms posted with the values the page filled in (its
hidden fields, the CSRF token among them; ``tests/live_site.py``'s form reader) plus what the
person typed, redirects followed as separate requests (each page is measured on its own).
Everyone signs in through the sign-in page first.

- **Agent**: open the team queue (now and then "Mine"), open one of its tickets at random, reply
  to the requester, then assign the ticket to someone of its team through the fields beside the
  thread (the form carries the ticket's version). 1–4 s between steps, 2–6 s between rounds.
- **Requester**: open the web form, submit a request, read it; then the list of their tickets and
  one of them. 2–6 s between steps and rounds.

A page counts as failed (locust's failures; bench/load.py prints each with its message) when its
status is not the one a browser expects or the page lacks what it must show. One answer is
counted apart, not as an error: assigning a ticket a colleague changed since the page was drawn
is refused with 409 and "changed meanwhile" (the form's version check doing its job); that
request is named ``assign (409: changed meanwhile)``.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import gevent
from gevent.event import Event
from locust import HttpUser, between, events, task

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))

from tests.live_site import _Forms  # noqa: E402 (the form reader of the live-site tests)

PASSWORD_ENV = "LOAD_PASSWORD"
ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text()) if os.environ.get("LOAD_ACCOUNTS") else {}

AGENT_TICKET = re.compile(r'href="(/agent/tickets/[^/"]+/)"')
MY_TICKET = re.compile(r'href="(/my/tickets/[^/"]+/)"')
ASSIGNEE_SELECT = re.compile(r'<select name="assignee"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')
MY_TICKETS_PAGE = 'data-testid="my-tickets"'
MY_TICKET_PAGE = '<h1 class="h4">'
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
ERRORS = re.compile(r'class="(?:invalid-feedback[^"]*|alert alert-danger[^"]*)"[^>]*>(.*?)</', re.S)

REPLIES = [
    "Thanks for the details. I have restarted the print spooler on your machine; please try again.",
    "Could you send a screenshot of the error and the time it happened?",
    "我们已经重置了您的 VPN 配置，请重新连接后告诉我们结果。",
    "The vendor confirmed the fix for this; it will reach your laptop with tonight's updates.",
    "已为您更换了显示器的线缆，如果问题仍然存在请回复此邮件。",
]
REQUESTS = [
    ("Printer on the 3rd floor shows 'offline'", "Since this morning nobody on the 3rd floor can print."),
    ("VPN disconnects every few minutes", "Working from home, the VPN drops every 5–10 minutes since Monday."),
    ("无法登录邮箱", "今天早上开始无法登录公司邮箱，提示密码错误，但我没有修改过密码。"),
    ("New starter needs a laptop", "Our new colleague starts on Monday and needs a laptop and an account."),
    ("会议室投影仪无法连接", "二楼大会议室的投影仪无法连接笔记本电脑，显示无信号。"),
]  # fmt: skip


def message_of(response) -> str:
    """What a person would read as the reason: the form's errors, else the page's title."""
    text = response.text or ""
    errors = [" ".join(html.unescape(re.sub("<[^>]+>", "", match)).split()) for match in ERRORS.findall(text)]
    errors = [error for error in errors if error]
    if errors:
        return "; ".join(errors)[:200]
    title = TITLE.search(text)
    return " ".join(html.unescape(title.group(1)).split())[:200] if title else text[:200].strip()


def form_fields(page_text: str, page_url: str, action: str) -> dict[str, str] | None:
    """The values a browser would post with the form of the page whose action is ``action``."""
    wanted = urljoin(page_url, action)
    reader = _Forms()
    reader.feed(page_text)
    for form_action, values in reader.forms:
        if urljoin(page_url, form_action).split("#")[0] == wanted:
            return values
    return None


# --- two phases: everyone signs in, then everyone works for LOAD_WORK_SECONDS ------------------

SIGN_IN_TIMEOUT = 900
PERCENTILES = (0.5, 0.95, 0.99)
everyone_in = Event()
arrived = 0
environment = None


@events.init.add_listener
def _remember(**kwargs) -> None:
    global environment
    environment = kwargs["environment"]


@events.test_stop.add_listener
def _stopped(**_kwargs) -> None:
    """Every person has finished their round: the work phase ends here."""
    path = Path(os.environ["LOAD_PHASES"])
    if path.exists():
        phases = json.loads(path.read_text())
        phases["work_stopped"] = time.time()
        path.write_text(json.dumps(phases))


def arrive() -> None:
    """One more person has signed in (or failed to): the last one starts the work phase."""
    global arrived
    arrived += 1
    if arrived == Agent.fixed_count + Requester.fixed_count and not everyone_in.is_set():
        start_work()


def start_work() -> None:
    """Keep the sign-in phase's figures aside, start the stats afresh, stop after LOAD_WORK_SECONDS."""
    stats = environment.stats
    rows = [
        {
            "name": entry.name,
            "method": entry.method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            **{f"p{round(percent * 100)}": entry.get_response_time_percentile(percent) for percent in PERCENTILES},
            "max": entry.max_response_time,
        }
        for entry in stats.entries.values()
        if entry.num_requests or entry.num_failures
    ]
    errors = [
        {
            "method": error.method,
            "name": error.name,
            "error": error.parse_error(error.error),
            "count": error.occurrences,
        }
        for error in stats.errors.values()
    ]
    phases = {"sign_in": {"seconds": time.time() - stats.start_time, "rows": rows, "errors": errors}}
    stats.clear_all()
    phases["work_started"] = time.time()
    Path(os.environ["LOAD_PHASES"]).write_text(json.dumps(phases))
    everyone_in.set()
    gevent.spawn_later(float(os.environ.get("LOAD_WORK_SECONDS", "180")), environment.runner.quit)


def think(low: float, high: float) -> None:
    time.sleep(random.uniform(low, high))  # gevent's sleep under locust: other users run meanwhile


class Person(HttpUser):
    abstract = True
    accounts_key = ""
    taken = 0  # accounts handed out so far, per class

    def on_start(self) -> None:
        accounts = ACCOUNTS[self.accounts_key]
        index = type(self).taken
        type(self).taken += 1
        self.email = accounts[index % len(accounts)]
        try:
            self.sign_in()
        finally:
            arrive()
        everyone_in.wait(timeout=SIGN_IN_TIMEOUT)

    # --- requests as a browser makes them ---------------------------------------------------

    def page(self, path: str, name: str, must_contain: str = "", *, redirect_name: str = "") -> str | None:
        """GET a page that must answer 200 (and hold ``must_contain``); its text, or None.

        With ``redirect_name``, a redirect is expected instead (the landing page sends requesters
        on to their tickets) and followed as a browser does, the next page named so.
        """
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if redirect_name and response.status_code == 302:
                response.success()
                target = urlsplit(urljoin(urljoin(self.host, path), response.headers.get("Location", ""))).path
                return self.page(target, redirect_name, must_contain)
            if response.status_code != 200:
                where = f" → {response.headers.get('Location')}" if response.is_redirect else ""
                response.failure(f"{response.status_code}{where}: {message_of(response)}")
                return None
            if must_contain and must_contain not in response.text:
                response.failure(f"200 without {must_contain!r}: {message_of(response)}")
                return None
            response.success()
            return response.text

    def post_form(
        self,
        page_text: str,
        page_path: str,
        action: str,
        typed: dict,
        name: str,
        *,
        multipart: bool = False,
        accept: tuple[int, ...] = (),
        accept_name: str = "",
    ) -> str | None:
        """Post the page's form to ``action`` with ``typed`` over its values; the redirect's target.

        A 302 is what a browser expects after a good post; a status in ``accept`` is counted
        under ``accept_name``, not as an error.
        """
        page_url = urljoin(self.host, page_path)
        fields = form_fields(page_text, page_url, action)
        if fields is None:  # an error of this post, though nothing could be sent
            self.environment.events.request.fire(
                request_type="POST", name=name, response_time=0, response_length=0, response=None, context={},
                exception=AssertionError(f"no form posting to {action} on {page_path}"),
            )  # fmt: skip
            return None
        data = {**fields, **typed}
        headers = {"Referer": page_url, "Origin": self.host}
        target = urljoin(page_url, action)
        if multipart:
            # As a browser sends a form with a file input: multipart, every field a part.
            parts = {key: (None, value) for key, value in data.items()}
            request = {"files": parts}
        else:
            request = {"data": data}
        with self.client.post(
            target, name=name, headers=headers, allow_redirects=False, catch_response=True, **request
        ) as response:
            if response.status_code in accept:
                response.request_meta["name"] = accept_name
                response.success()
                return None
            if response.status_code != 302:
                response.failure(f"{response.status_code}: {message_of(response)}")
                return None
            location = urlsplit(urljoin(target, response.headers.get("Location", ""))).path
            if location.startswith("/accounts/login/"):
                response.failure("302 to the sign-in page: the session was lost")
                return None
            response.success()
            return location

    def sign_in(self) -> None:
        login = "/accounts/login/"
        text = self.page(login, "sign in: page", must_contain='name="password"')
        if text is None:
            return
        password = os.environ[PASSWORD_ENV]
        home = self.post_form(text, login, login, {"username": self.email, "password": password}, "sign in: post")
        if home is not None:
            self.after_sign_in(home)

    def after_sign_in(self, home: str) -> None:
        raise NotImplementedError


class Agent(Person):
    """An agent working their team's queue."""

    accounts_key = "agents"
    fixed_count = int(os.environ.get("LOAD_AGENTS", "1"))
    wait_time = between(2, 6)

    def after_sign_in(self, home: str) -> None:
        self.page(home, "sign in: home (agent)", must_contain="</html>")

    @task
    def work_a_ticket(self) -> None:
        view = "mine" if random.random() < 0.2 else "teams"
        queue = self.page(f"/agent/?view={view}", f"queue ({view})", must_contain='data-testid="queue-views"')
        if queue is None:
            return
        tickets = sorted(set(AGENT_TICKET.findall(queue)))
        if not tickets:
            return  # an empty "Mine": nothing to open this round
        think(1, 4)
        path = random.choice(tickets)
        text = self.page(path, "ticket", must_contain='data-testid="agent-reply-form"')
        if text is None:
            return
        think(1, 4)
        reply = {"body": random.choice(REPLIES), "then": ""}
        back = self.post_form(text, path, f"{path}reply/", reply, "reply", multipart=True)
        if back is None:
            return
        text = self.page(back, "ticket", must_contain='data-testid="fields-form"')
        if text is None:
            return
        select = ASSIGNEE_SELECT.search(text)
        if select is None:
            return  # no assignee field (a closed ticket): nothing to assign
        fields = form_fields(text, urljoin(self.host, back), f"{back}fields/") or {}
        others = [value for value in OPTION.findall(select.group(1)) if value != fields.get("assignee")]
        if not others:
            return
        think(1, 4)
        back = self.post_form(
            text,
            back,
            f"{back}fields/",
            {"assignee": random.choice(others)},
            "assign",
            accept=(409,),
            accept_name="assign (409: changed meanwhile)",
        )
        if back is not None:
            self.page(back, "ticket", must_contain='data-testid="fields-form"')


class Requester(Person):
    """Someone asking for help: the web form, then their tickets."""

    accounts_key = "requesters"
    fixed_count = int(os.environ.get("LOAD_REQUESTERS", "1"))
    wait_time = between(2, 6)

    def after_sign_in(self, home: str) -> None:
        self.page(
            home,
            "sign in: home (requester, redirect)",
            must_contain=MY_TICKETS_PAGE,
            redirect_name="sign in: my tickets",
        )

    @task
    def ask_and_read(self) -> None:
        form = self.page("/submit/", "submit form", must_contain='data-testid="submit-form"')
        if form is None:
            return
        think(2, 6)
        subject, description = random.choice(REQUESTS)
        typed = {"subject": subject, "description": description}
        created = self.post_form(form, "/submit/", "/submit/", typed, "submit", multipart=True)
        if created is None:
            return
        self.page(created, "my ticket", must_contain=MY_TICKET_PAGE)
        think(2, 6)
        mine = self.page("/my/", "my tickets", must_contain=MY_TICKETS_PAGE)
        if mine is None:
            return
        tickets = MY_TICKET.findall(mine)
        if tickets:
            think(2, 6)
            self.page(random.choice(tickets), "my ticket", must_contain=MY_TICKET_PAGE)


if __name__ == "__main__":
    # `make bench` runs every bench/*.py: this one is locust's file, run by bench/load.py.
    print("bench/load_users.py is the locustfile of bench/load.py: nothing to run on its own")
