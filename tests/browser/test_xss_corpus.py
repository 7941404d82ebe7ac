"""The XSS corpus (tests/reliability/xss_payloads.py) through every text field shown again, in Chromium.

The module seeds once, through the services the forms call: tickets (subject, description,
public replies, internal notes, tags), people's names, teams, organisations, categories, KB
articles (title, summary, Markdown body), feedback items, monitoring alerts, reply templates,
maintenance plans and a major incident's reply to all. Each field holds many payloads and each
payload sits in several fields. gunicorn serves the site (tests/live_site.py) and every page that
shows them is opened twice: once under the site's Content-Security-Policy, once with the policy
bypassed (``bypass_csp=True``), because the markup itself must be inert — the policy is the
second wall, not the only one. On every page: no dialog opens, no frame or popup appears, the
console reports no script the policy had to refuse, no element carries an ``on…`` attribute, a
``javascript:``/``vbscript:``/``data:text/html`` URL, or is a script, frame, object, embed or
base the page did not write itself; and the seeded text is really on the page (a page that
showed nothing would pass the rest).

The e-mails the outbox wrote are checked too: plain text only (no HTML part to sanitise), each
payload arriving as typed (not HTML-escaped, not escaped twice), and inert in a browser that
shows them as a mail client does.

Seeded rows are committed (gunicorn must see them) and flushed when the module ends; the rows
migrations wrote are put back, as tests/api/test_schemathesis_live.py does.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import os
import re
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formataddr

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from canned.services import reply_template_create
from feedback.services import feedback_raise
from knowledge.authoring import approve, create_article, submit_for_review, update_article
from knowledge.models import Visibility
from mail.models import Mailbox, Transport
from mail.services import receive
from maintenance.services import PlanValues, open_run, plan_create
from monitoring.major_incidents import major_incident_link, major_incident_open, major_incident_reply_all
from monitoring.services import IncomingAlert, alert_receive, alert_source_create
from notifications.outbox import deliver_due
from tests.conftest import _database_url
from tests.factories import PASSWORD, OrganisationFactory, TeamFactory, UserFactory
from tests.live_site import WebServer
from tests.reliability.xss_payloads import PAYLOADS
from tickets.models import Category
from tickets.services import (
    ticket_add_note,
    ticket_assign,
    ticket_create,
    ticket_create_by_guest,
    ticket_reply,
    ticket_set_tags,
)

# ``django_db`` (not transactional) only makes pytest-django create the test database: the rows are
# committed by the module fixture, and the tests themselves write nothing.
pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("xss_corpus")]

# Names and titles hold what fits; the payloads are separated so that one cannot finish another.
SEPARATOR = " ¦ "
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _normal(text: str) -> str:
    """Text as compared: control characters dropped, runs of white space as one space."""
    return " ".join(CONTROL.sub("", text).split())


class Dealer:
    """Hands out payloads: one-per-object fields take the next ones round the corpus, grouped
    fields (a description, a reply) take every third, so each payload lands in several fields."""

    def __init__(self):
        self._cycle = itertools.cycle(PAYLOADS)
        self.uses: dict[int, set[str]] = {payload.number: set() for payload in PAYLOADS}

    def name(self, field_name: str, label: str, max_chars: int, most: int = 2) -> str:
        """``label`` and the next payloads that fit in ``max_chars`` (at least one)."""
        text = label
        taken = 0
        # Half the corpus at most: a whole turn would bring the next field the same payloads.
        for _tried in range(len(PAYLOADS) // 2):
            payload = next(self._cycle)
            candidate = f"{text}{SEPARATOR}{payload.text}"
            if len(candidate) <= max_chars:
                text = candidate
                taken += 1
                self.uses[payload.number].add(field_name)
                if taken == most:
                    break
        assert taken, f"no payload fits {field_name} ({max_chars} characters)"
        return text

    def block(self, field_name: str, label: str, share: int) -> str:
        """``label`` on a line of its own, then every third payload (from ``share``), each on its own
        line after a label of its own: Markdown keeps the labels whatever it does with the rest."""
        lines = [label]
        for payload in PAYLOADS[share % 3 :: 3]:
            self.uses[payload.number].add(field_name)
            lines += ["", f"{label}.{payload.number} {payload.text}"]
        return "\n".join(lines)


@dataclass
class Corpus:
    url: str
    requester: object
    agent: object
    manager: object
    admin: object
    tickets: list = field(default_factory=list)  # (ticket, subject text)
    rich: list = field(default_factory=list)  # tickets with description, replies, notes, tags
    articles: list = field(default_factory=list)
    edited: object = None  # the first article, edited: version 2
    guest_token: str = ""
    inbound: object = None  # an e-mail in hostile HTML, imported
    feedback: list = field(default_factory=list)
    templates: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    incident: object = None
    alert_tickets: list = field(default_factory=list)
    texts: dict = field(default_factory=dict)  # label -> the whole text as typed
    uses: dict = field(default_factory=dict)
    emails: list = field(default_factory=list)  # (subject, body, [content types]) as the outbox sent them


def _seed(dealer: Dealer) -> dict:
    texts: dict[str, str] = {}

    def name(label, max_chars, field_name, most=2):
        texts[label] = dealer.name(field_name, label, max_chars, most)
        return texts[label]

    def block(label, field_name, share):
        texts[label] = dealer.block(field_name, label, share)
        return texts[label]

    organisations = [
        OrganisationFactory(name=name(f"zqo{i}", 200, "organisation name"), shares_tickets=True) for i in range(3)
    ]
    teams = [TeamFactory(name=name(f"zqt{i}", 120, "team name"), tier=1) for i in range(4)]
    categories = [Category.objects.create(name=name(f"zqc{i}", 120, "category name")) for i in range(3)]
    categories.append(Category.objects.create(name=name("zqc3", 120, "category name"), parent=categories[0]))
    requesters = [
        UserFactory(
            email=f"requester{i}@corpus.example",
            full_name=name(f"zqr{i}", 200, "display name"),
            organisation=organisations[0] if i < 4 else organisations[i % 3],
        )
        for i in range(6)
    ]
    agents = [
        UserFactory(email=f"agent{i}@helpdesk.example", full_name=name(f"zqa{i}", 200, "display name"), role=Role.AGENT)
        for i in range(3)
    ]
    manager = UserFactory(
        email="manager@helpdesk.example", full_name=name("zqm", 200, "display name"), role=Role.MANAGER
    )
    admin = UserFactory(
        email="admin@helpdesk.example",
        full_name=name("zqx", 200, "display name"),
        role=Role.ADMIN,
        is_superuser=True,
    )
    for team in teams:
        team.members.add(*agents, manager)
        team.managers.add(manager)

    tickets, rich = [], []
    for i in range(14):
        requester = requesters[i % 4] if i % 5 else requesters[0]
        ticket = ticket_create(
            requester=requester,
            subject=name(f"zqs{i}", 200, "ticket subject"),
            description=block(f"zqd{i}", "ticket description", i) if i < 5 else f"zqd{i}",
            acting_user=requester,
            category=categories[i % len(categories)],
            team=teams[i % len(teams)],
            shared_with_organisation=True,
        )
        tickets.append(ticket)
        if i < 5:
            rich.append(ticket)
            ticket_assign(ticket, agents[i % len(agents)], acting_user=agents[0])
            ticket_reply(ticket, block(f"zqp{i}", "public reply", i + 1), acting_user=agents[i % len(agents)])
            ticket_add_note(ticket, block(f"zqn{i}", "internal note", i + 2), acting_user=agents[0])
            ticket_reply(ticket, block(f"zqy{i}", "requester reply", i), acting_user=requester)
            tags = [dealer.name("tag", f"zqg{i}-{k}", 50, most=1) for k in range(6)]
            ticket_set_tags(ticket, tags, acting_user=agents[0])

    articles = []
    for i in range(5):
        article = create_article(
            agents[i % len(agents)],
            title=name(f"zqk{i}", 200, "KB title"),
            summary=name(f"zqu{i}", 500, "KB summary", most=3),
            body=block(f"zqb{i}", "KB body", i),
            category=categories[i % len(categories)],
            tags=[f"zqkt{i}", *[payload.text for payload in PAYLOADS[i::20]]],
            visibility=Visibility.PUBLIC,
        )
        submit_for_review(agents[i % len(agents)], article)
        articles.append(approve(manager, article))

    edited = update_article(
        manager,
        articles[0],
        expected_version=articles[0].version,
        title=name("zqk9", 200, "KB title"),
        body=block("zqb9", "KB body", 1) + "\n\n" + articles[0].body,
    )
    guest_ticket = ticket_create_by_guest(
        name=name("zqgn", 200, "guest name", most=3),
        email="guest@corpus.example",
        language="en",
        subject=name("zqgs", 200, "ticket subject"),
        description=block("zqgd", "ticket description", 2),
        team=teams[0],
    )
    ticket_reply(guest_ticket, block("zqgp", "public reply", 0), acting_user=agents[0])

    # An e-mail whose only body is hostile HTML: the import turns it into the ticket's text.
    mailbox = Mailbox.objects.create(
        name="Support", address="support@helpdesk.example", team=teams[0], transport=Transport.RECEIVER
    )
    message = EmailMessage()
    message["From"] = formataddr((name("zqen", 200, "e-mail sender name", most=3), "mailer@corpus.example"))
    message["To"] = "support@helpdesk.example"
    message["Subject"] = name("zqes", 200, "e-mail subject", most=3)
    message["Message-ID"] = "<corpus-1@corpus.example>"
    lines = ["<html><head><title>zqet</title></head><body><p>zqeh</p>"]
    for payload in PAYLOADS[1::3]:
        dealer.uses[payload.number].add("e-mail HTML body")
        lines.append(f"<p>zqeh.{payload.number} {payload.text}</p>")
    message.set_content("\n".join([*lines, "</body></html>"]), subtype="html")
    inbound = receive(mailbox, message.as_bytes())
    assert inbound.ticket is not None, inbound.reason

    feedback = [
        feedback_raise(
            name(f"zqf{i}", 200, "feedback title"),
            block(f"zqe{i}", "feedback description", i),
            ticket=rich[i % len(rich)],
            acting_user=agents[0],
        )
        for i in range(4)
    ]
    templates = [
        reply_template_create(
            title=name(f"zqw{i}", 200, "canned title"),
            body=block(f"zqv{i}", "canned body", i) + "\n{ticket_subject} / {requester_name}",
            team=teams[0] if i % 2 else None,
            acting_user=manager if i % 2 else agents[0],
        )
        for i in range(4)
    ]

    plans = []
    for i in range(3):
        plan = plan_create(
            PlanValues(
                title=name(f"zql{i}", 180, "maintenance plan name"),
                team=teams[i % len(teams)],
                description=block(f"zqi{i}", "maintenance description", i),
                checklist="\n".join(f"zqh{i}.{p.number} {p.text}" for p in PAYLOADS[i::9] if len(p.text) < 280),
                category=categories[i],
            ),
            acting_user=manager,
        )
        for p in PAYLOADS[i::9]:
            dealer.uses[p.number].add("maintenance checklist")
        plans.append(plan)
    now = timezone.now()
    run = open_run(plans[0], now - dt.timedelta(hours=1), now=now)
    assert run is not None and run.ticket is not None, run and run.failure

    sources = [alert_source_create(name(f"zqj{i}", 100, "alert source name"), teams[1])[0] for i in range(2)]
    alert_tickets = []
    for i in range(4):
        outcome = alert_receive(
            sources[i % 2],
            IncomingAlert(
                fingerprint=f"corpus-{i}",
                status="firing",
                severity=["critical", "high", "warning", "info"][i],
                summary=name(f"zqz{i}", 200, "alert summary"),
                labels={"service": dealer.name("alert label", f"zqq{i}", 120, most=1)},
                details={"description": block(f"zqdd{i}", "alert details", i)},
            ),
        )
        alert_tickets.append(outcome.ticket)

    incident = major_incident_open(
        subject=name("zqmi", 200, "major incident subject", most=3),
        description=block("zqmd", "major incident description", 0),
        team=teams[0],
        priority=1,
        category=None,
        acting_user=manager,
    )
    major_incident_link(incident, rich[:2], acting_user=manager)
    major_incident_reply_all(incident, block("zqma", "major incident reply to all", 1), acting_user=manager)

    return {
        "requester": requesters[0],
        "agent": agents[0],
        "manager": manager,
        "admin": admin,
        "tickets": tickets,
        "rich": rich,
        "articles": articles,
        "edited": edited,
        "guest_token": guest_ticket.access_token,
        "inbound": inbound,
        "feedback": feedback,
        "templates": templates,
        "plans": plans,
        "incident": incident,
        "alert_tickets": [*(ticket for ticket in alert_tickets if ticket), run.ticket.reference],
        "texts": texts,
    }


def _deliver_outbox() -> list[tuple[str, list[tuple[str, str]]]]:
    """Send what the outbox holds (to Django's in-memory mailbox); each e-mail's subject and its
    parts (content type, text) as a mail client reads them."""
    mail.outbox = []
    while deliver_due():
        pass
    emails = []
    for message in mail.outbox:
        parsed = message_from_bytes(message.message().as_bytes(), policy=policy.default)
        parts = [(part.get_content_type(), part.get_content()) for part in parsed.walk() if not part.is_multipart()]
        emails.append((str(parsed["Subject"]), parts))
    return emails


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker, tmp_path_factory):
    started = time.monotonic()
    dealer = Dealer()
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_"), "not a test database"
        before = connection.creation.serialize_db_to_string()
    server = None
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "PYTHONUNBUFFERED": "1",
        }
        # Started first: it comes up while the corpus is seeded.
        server = WebServer(env, tmp_path_factory.mktemp("xss") / "gunicorn.log")
        with django_db_blocker.unblock():
            seeded = _seed(dealer)
            emails = _deliver_outbox()
        server.wait_until_up()
        yield Corpus(url=server.url, uses=dealer.uses, emails=emails, **seeded)
    finally:
        if server is not None:
            server.stop()
        with django_db_blocker.unblock():
            assert connection.settings_dict["NAME"].startswith("test_"), "not a test database"
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True, reset_sequences=False)
            connection.creation.deserialize_db_from_string(before)
        print(f"\nXSS corpus run: {time.monotonic() - started:.1f} s")


# --- the browser side --------------------------------------------------------------------------

# Run in the page: every element the payloads could have smuggled in, as "what: detail" lines.
DOM_CHECK = r"""
() => {
  const found = [];
  const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background',
                                 'poster', 'srcdoc', 'to', 'from', 'values', 'by', 'dynsrc', 'lowsrc']);
  const forbidden = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'base', 'isindex', 'applet',
                             'animate', 'set', 'animatetransform', 'animatemotion', 'handler', 'listener']);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    const where = `${tag}${el.id ? '#' + el.id : ''}`;
    if (forbidden.has(tag)) found.push(`element: <${where}>`);
    if (tag === 'script') {
      const src = el.getAttribute('src') || '';
      const type = (el.getAttribute('type') || '').toLowerCase();
      const own = src.startsWith('/static/') || src === '/admin/jsi18n/' || type === 'application/json';
      if (!own) found.push(`script: ${el.outerHTML.slice(0, 120)}`);
    }
    if (['meta', 'link'].includes(tag) && el.closest('body')) found.push(`element in body: <${where}>`);
    // The KPI charts carry a <style> and <title>s of their own: only a hostile one counts.
    // (An SVG <title> is a tooltip's text.)
    const hostileText = /xss-|javascript:|@import|expression\(/i.test(el.textContent);
    if (el.closest('body') && hostileText && (tag === 'style' || (tag === 'title' && !el.closest('svg')))) {
      found.push(`element in body: <${where}>${el.textContent.slice(0, 80)}`);
    }
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) found.push(`handler: <${where} ${name}="${attr.value.slice(0, 80)}">`);
      if (urlAttributes.has(name)) {
        // As a browser reads a URL: tabs and newlines anywhere dropped, then controls and spaces
        // around it trimmed ("java   script:" with spaces inside is a harmless relative link).
        const value = attr.value.replace(/[\t\n\r]/g, '')
          .replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').toLowerCase();
        if (/^(javascript|vbscript|livescript):/.test(value)
            || /^data:(text\/html|image\/svg|text\/javascript|application)/.test(value) || name === 'srcdoc') {
          found.push(`url: <${where} ${name}="${attr.value.slice(0, 80)}">`);
        }
      }
      if (name === 'style' && /javascript:|expression\(|@import/i.test(attr.value)) {
        found.push(`style: <${where} style="${attr.value.slice(0, 80)}">`);
      }
    }
  }
  return found;
}
"""
SETTLE = "() => new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 30)))"


class Visit:
    """One signed-in person in two browser contexts: under the site's policy and with it bypassed."""

    def __init__(self, browser, corpus: Corpus, email: str | None):
        self.corpus = corpus
        self.problems: list[str] = []
        self.pages = []
        self.contexts = []
        for bypass in (False, True):
            context = browser.new_context(
                base_url=corpus.url, bypass_csp=bypass, locale="en-GB", viewport={"width": 1280, "height": 900}
            )
            context.set_default_timeout(20_000)
            page = context.new_page()
            mode = "policy bypassed" if bypass else "under the policy"
            page.on("dialog", lambda dialog, mode=mode: self._dialog(dialog, mode))
            page.on("popup", lambda popup, mode=mode: self.problems.append(f"{mode}: a popup opened {popup.url}"))
            page.on(
                "console",
                lambda message, mode=mode: (
                    self.problems.append(f"{mode}: console: {message.text}")
                    if "Content Security Policy" in message.text or "Refused to" in message.text
                    else None
                ),
            )
            page.on("pageerror", lambda error, mode=mode: self.problems.append(f"{mode}: page error: {error}"))
            if email is not None:
                page.goto("/accounts/login/")
                page.get_by_label("E-mail address").fill(email)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(re.compile(r"/$"))
            self.contexts.append(context)
            self.pages.append((mode, page))

    def _dialog(self, dialog, mode: str) -> None:
        self.problems.append(f"{mode}: a {dialog.type} dialog fired: {dialog.message!r} on {dialog.page.url}")
        dialog.dismiss()

    def check(self, path: str, *, shows: list[str] = (), labels: list[str] = (), action=None) -> None:
        """Open ``path`` in both contexts; ``shows``: texts that must be on it exactly as typed,
        ``labels``: labels that must be on it (the rest of a Markdown field may be sanitised away)."""
        # Both contexts load the page at once (gunicorn has two workers): the run stays short.
        (_mode, first), (_other, second) = self.pages
        with first.expect_navigation() as first_load, second.expect_navigation() as second_load:
            for page in (first, second):
                page.evaluate("url => { window.location.href = url }", self.corpus.url + path)
        for (mode, page), response in zip(self.pages, (first_load.value, second_load.value), strict=True):
            where = f"{mode}: {path}"
            if response is None or response.status != 200:
                self.problems.append(f"{where}: answered {response and response.status}")
                continue
            if action is not None:
                self.problems += [f"{where}: {problem}" for problem in action(page) or ()]
            page.evaluate(SETTLE)
            self.problems += [f"{where}: {problem}" for problem in page.evaluate(DOM_CHECK)]
            frames = [frame.url for frame in page.frames if frame != page.main_frame]
            if frames:
                self.problems.append(f"{where}: frames {frames}")
            text = _normal(page.evaluate("() => document.body.innerText + ' ' + document.body.textContent"))
            for expected in shows:
                if _normal(expected) not in text:
                    self.problems.append(f"{where}: does not show {expected[:60]!r} as typed")
            for label in labels:
                if not re.search(rf"(?<![\w.]){re.escape(label)}(?![\w])", text):
                    self.problems.append(f"{where}: does not show {label!r}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def visit(browser, corpus):
    visits = []

    def _visit(user) -> Visit:
        visits.append(Visit(browser, corpus, user and user.email))
        return visits[-1]

    yield _visit
    for one in visits:
        one.close()


def _texts(corpus: Corpus, *labels: str) -> list[str]:
    return [corpus.texts[label] for label in labels]


def test_every_payload_goes_through_several_fields_and_every_field_takes_many(corpus):
    fields_per_payload = {number: len(fields) for number, fields in corpus.uses.items()}
    assert min(fields_per_payload.values()) >= 3, fields_per_payload
    payloads_per_field: dict[str, int] = {}
    for fields in corpus.uses.values():
        for name in fields:
            payloads_per_field[name] = payloads_per_field.get(name, 0) + 1
    assert len(payloads_per_field) >= 20, payloads_per_field
    assert min(payloads_per_field.values()) >= 3, sorted(payloads_per_field.items(), key=lambda item: item[1])


def test_the_requester_pages_show_the_corpus_inert(corpus, visit):
    requester = visit(corpus.requester)
    subjects = [corpus.texts[f"zqs{i}"] for i in range(14) if i % 5 == 0 or i % 4 == 0]
    requester.check("/my/", shows=subjects[:6])
    for i, ticket in enumerate(corpus.rich):
        labels = [f"zqd{i}", f"zqp{i}", f"zqy{i}"]
        requester.check(f"/my/tickets/{ticket.reference}/", shows=[corpus.texts[f"zqs{i}"]], labels=labels)
    requester.check("/submit/", shows=_texts(corpus, "zqc0", "zqc1", "zqc2"))
    requester.check("/kb/", shows=_texts(corpus, "zqk9", "zqk1"))
    for i, article in enumerate(corpus.articles):
        requester.check(f"/kb/{article.pk}/", shows=[corpus.texts[f"zqk{i or 9}"]], labels=[f"zqb{i}"])
    for share in range(2):  # what people type is shown back to them: the search box, "no results for …"
        query = " ".join(payload.text for payload in PAYLOADS[share::6])
        requester.check(f"/kb/search/?q={_quote(query)}")
        requester.check(f"/kb/suggest/?subject={_quote(query)}")
    requester.check("/kb/search/?q=zqb0", labels=["zqb0"])
    assert requester.problems == [], "\n".join(requester.problems)

    guest = visit(None)  # a guest follows the request by the private link
    guest.check(f"/t/{corpus.guest_token}/", shows=_texts(corpus, "zqgs"), labels=["zqgd", "zqgp"])
    guest.check("/submit/", shows=_texts(corpus, "zqc0"))
    assert guest.problems == [], "\n".join(guest.problems)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _rich_labels(i: int) -> list[str]:
    return [f"zqd{i}", f"zqp{i}", f"zqn{i}", f"zqy{i}", *(f"zqg{i}-{k}" for k in range(6))]


def _pick_templates(corpus: Corpus):
    """Pick each reply template in turn: htmx swaps the filled-in template into the reply box."""

    def pick(page) -> list[str]:
        problems = []
        for i, template in enumerate(corpus.templates):
            page.locator("#template-select").select_option(str(template.pk))
            page.wait_for_function(
                "label => document.querySelector('#reply-body').value.includes(label)", arg=f"zqv{i}", timeout=20_000
            )
            value = _normal(page.locator("#reply-body").input_value())
            # The text as typed, and {ticket_subject} filled in with the subject as typed.
            typed = [line for line in corpus.texts[f"zqv{i}"].split("\n") if line and "{" not in line]
            for expected in [*typed, corpus.texts["zqs0"]]:
                if _normal(expected) not in value:
                    problems.append(f"template zqv{i}: {expected[:60]!r} not in the reply box as typed")
            problems += page.evaluate(DOM_CHECK)
        return problems

    return pick


def _find_requesters(page) -> None:
    page.locator("[data-requester-email]").fill("requester")
    page.locator("#requester-results").get_by_text("zqr1").first.wait_for()


def test_the_agent_pages_show_the_corpus_inert(corpus, visit):
    agent = visit(corpus.agent)
    texts = corpus.texts
    agent.check("/agent/?view=all", shows=[texts[f"zqs{i}"] for i in range(14)] + _texts(corpus, "zqr1", "zqt1"))
    agent.check("/agent/?view=mine")
    for i, ticket in enumerate(corpus.rich):
        requester = f"zqr{0 if i == 0 else i % 4}"
        agent.check(
            f"/agent/tickets/{ticket.reference}/",
            shows=_texts(corpus, f"zqs{i}", requester, f"zqt{i % 4}", f"zqa{i % 3}"),
            labels=_rich_labels(i),
        )
    agent.check(f"/agent/tickets/{corpus.alert_tickets[0]}/", shows=_texts(corpus, "zqz0"), labels=["zqq0"])
    agent.check(
        f"/agent/tickets/{corpus.alert_tickets[-1]}/", labels=["zqi0", *(f"zqh0.{p.number}" for p in PAYLOADS[::9])]
    )
    inbound = corpus.inbound
    agent.check(f"/agent/tickets/{inbound.ticket.reference}/", shows=_texts(corpus, "zqes"), labels=["zqeh"])
    agent.check(f"/agent/mail/{inbound.pk}/", shows=_texts(corpus, "zqes"), labels=["zqeh"])
    agent.check(f"/agent/tickets/{corpus.incident.reference}/", shows=_texts(corpus, "zqmi"), labels=["zqmd", "zqma"])
    agent.check(f"/agent/tickets/{corpus.rich[0].reference}/", action=_pick_templates(corpus))
    agent.check("/agent/templates/", shows=_texts(corpus, "zqw0", "zqw1", "zqw2", "zqw3"), labels=["zqv0"])
    agent.check("/agent/search/?q=zqd1", shows=_texts(corpus, "zqs1"))
    agent.check(f"/agent/search/?q={_quote(' '.join(p.text for p in PAYLOADS[2::7]))}")
    # What the agent types comes back in the page: the queue's filters and sort, the requester search.
    hostile = _quote(" ".join(p.text for p in PAYLOADS[4::11]))
    agent.check(f"/agent/?view=all&filters=1&tag={hostile}&q={hostile}&sort={hostile}&after={hostile}")
    agent.check(f"/agent/requesters/?q={hostile}")
    # The requester picker builds its list from JSON in the browser (static/js/new_ticket.js).
    agent.check("/agent/new/", action=_find_requesters, shows=_texts(corpus, "zqr1", "zqr2", "zqo0"))
    agent.check("/agent/new/", shows=_texts(corpus, "zqc1"))
    agent.check("/agent/kb/", shows=_texts(corpus, "zqk9", "zqk1", "zqk2"))
    agent.check(f"/agent/kb/{corpus.articles[0].pk}/", shows=_texts(corpus, "zqk9"), labels=["zqb9", "zqb0"])
    # The diff between versions is HTML built by hand (knowledge/diff.py).
    agent.check(f"/agent/kb/{corpus.articles[0].pk}/versions/2/", labels=["zqb9", "zqk9"])
    agent.check("/agent/feedback/", shows=_texts(corpus, "zqf0", "zqf1", "zqf2", "zqf3"))
    for i, item in enumerate(corpus.feedback):
        agent.check(f"/agent/feedback/{item.pk}/", shows=_texts(corpus, f"zqf{i}"), labels=[f"zqe{i}"])
    agent.check("/accounts/teams/", shows=_texts(corpus, "zqt0", "zqt1", "zqt2", "zqt3"))
    assert agent.problems == [], "\n".join(agent.problems)


def test_the_manager_pages_show_the_corpus_inert(corpus, visit):
    manager = visit(corpus.manager)
    manager.check("/manage/maintenance/", shows=_texts(corpus, "zql0", "zql1", "zql2"))
    for i, plan in enumerate(corpus.plans):
        manager.check(f"/manage/maintenance/{plan.pk}/", shows=_texts(corpus, f"zql{i}"), labels=[f"zqi{i}"])
    manager.check("/manage/maintenance/runs/", shows=_texts(corpus, "zql0"))
    manager.check(f"/manage/maintenance/{corpus.plans[0].pk}/edit/")
    for path in ("/manage/incidents/", "/manage/kpis/", "/manage/breaches/", "/manage/kb/deflection/", "/agent/kb/"):
        manager.check(path)
    assert manager.problems == [], "\n".join(manager.problems)


ADMIN_MODELS = [
    ("accounts", "user", "zqr0"),
    ("accounts", "organisation", "zqo0"),
    ("accounts", "team", "zqt0"),
    ("tickets", "category", "zqc0"),
    ("canned", "replytemplate", "zqw0"),
    ("feedback", "feedbackitem", "zqf0"),
    ("knowledge", "article", "zqk9"),
    ("maintenance", "maintenanceplan", "zql0"),
    ("monitoring", "alert", "zqz0"),
    ("monitoring", "alertsource", "zqj0"),
]


def test_the_admin_change_lists_and_forms_show_the_corpus_inert(corpus, visit, django_db_blocker):
    from django.apps import apps

    admin = visit(corpus.admin)
    for app, model, label in ADMIN_MODELS:
        admin.check(f"/admin/{app}/{model}/", shows=[corpus.texts[label]])
        with django_db_blocker.unblock():
            pk = apps.get_model(app, model).objects.order_by("pk").values_list("pk", flat=True)[0]
        admin.check(f"/admin/{app}/{model}/{pk}/change/")
    admin.check("/admin/knowledge/knowledgesearch/")
    assert admin.problems == [], "\n".join(admin.problems)


ESCAPED = ("&lt;", "&gt;", "&quot;", "&#x27;", "&amp;")


def test_the_emails_arrive_as_typed_in_plain_text_and_are_inert_in_a_mail_client(corpus, browser):
    assert corpus.emails, "the seeding wrote e-mails"
    bodies = []
    for subject, parts in corpus.emails:
        # Plain text only: there is no HTML part whose markup would need sanitising.
        assert [content_type for content_type, _text in parts] == ["text/plain"], subject
        body = parts[0][1]
        for text in (subject, body):
            escaped = [entity for entity in ESCAPED if entity in text]
            assert escaped == [], f"HTML-escaped text in an e-mail: {escaped} in {text[:300]!r}"
        bodies.append(body)
    everything = _normal("\n".join(subject for subject, _parts in corpus.emails) + "\n" + "\n".join(bodies))
    # The payloads arrive as typed: the subjects of the requests, the lines of the public replies.
    for i in range(14):
        assert _normal(corpus.texts[f"zqs{i}"]) in everything, f"subject zqs{i} not as typed in any e-mail"
    for i in range(len(corpus.rich)):
        for line in corpus.texts[f"zqp{i}"].split("\n\n")[1:]:
            assert _normal(line) in everything, f"reply line not as typed in any e-mail: {line!r}"

    # Shown the way a mail client shows text/plain: as text, never as markup.
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        fired = []
        page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
        page.set_content(
            "".join(
                f"<h2>{html.escape(subject)}</h2><pre>{html.escape(body)}</pre>"
                for subject, body in zip((subject for subject, _parts in corpus.emails), bodies, strict=True)
            )
        )
        page.evaluate(SETTLE)
        assert fired == []
        assert page.evaluate(DOM_CHECK) == []
        assert "zqp0" in page.inner_text("body")
    finally:
        context.close()


def test_kpi_charts_drawn_with_hostile_names_are_inert(browser):
    """The KPI charts are SVG inlined with mark_safe (kpis/charts.py): agent and team names drawn
    as labels, series and titles must come out as text."""
    from kpis.charts import RATE, bar_chart, line_chart

    names = [payload.text for payload in PAYLOADS]
    charts = [
        bar_chart("corpus-bar", names[0], names, list(range(len(names))), names[1]),
        line_chart("corpus-line", names[2], names[:12], [(name, list(range(12))) for name in names[12:20]], RATE),
        line_chart("corpus-bars", names[3], names[20:40], [(names[40], list(range(20)))], RATE, bars=True),
    ]
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        fired = []
        page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
        page.set_content("<!doctype html><html><body>" + "".join(str(chart.svg) for chart in charts) + "</body></html>")
        page.evaluate(SETTLE)
        assert fired == []
        found = page.evaluate(DOM_CHECK)
        assert found == [], "\n".join(found)
        assert page.locator("svg").count() == len(charts)
        assert "xss-01" in page.evaluate("() => document.body.textContent")
    finally:
        context.close()


def test_the_checks_catch_the_corpus_when_it_is_pasted_raw(browser):
    """The control: pasted into a page unescaped, many payloads fire and the DOM check finds them,
    so the tests above pass because the site renders them inert, not because nothing could fire."""
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        fired = []
        page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
        page.set_content("<!doctype html><html><body>" + "\n".join(p.text for p in PAYLOADS) + "</body></html>")
        page.evaluate(SETTLE)
        found = page.evaluate(DOM_CHECK)
        assert len(set(fired)) >= 15, fired
        assert len(found) >= 40, found
    finally:
        context.close()
