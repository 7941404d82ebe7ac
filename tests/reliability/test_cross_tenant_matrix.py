"""The cross-tenant access matrix: every actor against everything that is not theirs, 0 leaks.

Two requester organisations — Acme (A1, A2; sharing on, but A1 keeps one request private) and
Globex (B) — a guest with a tracking link, agents of team X (Service Desk) and team Y (Network),
a manager of team X, an admin, API tokens (valid, expired, revoked), a satisfaction survey link
already answered once. Every seeded subject, body, note, file name and content, name, e-mail,
article, feedback item, inbound e-mail, content gap and API token carries a unique canary
(``CANARY-<what>-7f3a``); who may read each is written below, independently of the app's code.

Each row of the matrix is one request: its expected status (as the app answers today: 404 for
a ticket, file or article that exists but is not the caller's, 403 for a page or action of a
role they do not have or a ticket they read but do not work, 302 to the login page without a
session, 401 in the API without a valid token), and no canary the actor may not read anywhere
in the body — 200 pages, lists, searches, counts, autocompletes, CSV exports and downloads
included. Lists also hold exactly what the actor may see, and sidebar counts equal their lists.

Found and mended: the original e-mail pages and their API answered 403, not 404, for an e-mail
of a ticket the caller may not see (now 404, as for the ticket; the API's role check still
answers a requester 403). Left as the app answers: the requester's ticket page answers 404 for a
ticket that is not the caller's, the agent pages 403 for a ticket the caller sees as a requester.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.tokens import ApiToken, token_create, token_revoke
from canned.models import ReplyTemplate
from feedback.services import feedback_raise
from knowledge import reading
from knowledge.models import ArticleStatus, Visibility
from mail.models import InboundEmail, InboundStatus, Mailbox, Transport
from monitoring.models import Spike
from tests.factories import OrganisationFactory, TeamFactory, UserFactory
from tests.knowledge.builders import stored
from tickets.models import Category, ChecklistItem, EventKind, SatisfactionAnswer, Ticket, TicketEvent
from tickets.notifications import SURVEY_SALT, survey_token
from tickets.services import (
    participants_add,
    satisfaction_answer,
    ticket_add_note,
    ticket_create,
    ticket_create_by_guest,
    ticket_reply,
    ticket_resolve,
)

pytestmark = pytest.mark.xdist_group("cross_tenant_matrix")

SALT = "7f3a"
WORD = "zeppelin"  # in every ticket subject and article title: one search finds them all
# A word of each ticket's subject alone: a search for Globex's word finds Globex's ticket only.
WORDS = {"a1p": "alpha", "a1s": "amber", "a2p": "acorn", "b": "quasar", "g": "gopher"}


def canary(name: str) -> str:
    return f"CANARY-{name}-{SALT}"


# --- who may read what (the expectation, written independently of accounts/permissions.py) ---

TICKETS = ("a1p", "a1s", "a2p", "b", "g")
REQUESTERS = ("a1", "a2", "b")
STAFF = ("x", "y", "m", "ad")
ANONYMOUS = ("anon", "guest")  # "guest": a browser that opened the guest's tracking link
ACTORS = (*ANONYMOUS, *REQUESTERS, *STAFF)
# Behind login_required a guest's browser is anonymous: the guest has rows of their own below.
PAGE_ACTORS = ("anon", *REQUESTERS, *STAFF)

# Who may see each ticket's public side, and who works it (sees its internal notes).
WORKS = {
    "a1p": {"x", "m", "ad"},  # A1's private request, team X
    "a1s": {"x", "m", "ad"},  # A1's request shared with Acme, team X
    "a2p": {"y", "ad"},  # A2's private request, team Y
    "b": {"y", "ad"},  # Globex, team Y; resolved and rated
    "g": {"x", "m", "ad"},  # the guest's request, team X (the default tier-1 team)
}
REQUESTER_SIDE = {"a1p": {"a1"}, "a1s": {"a1", "a2"}, "a2p": {"a2"}, "b": {"b"}, "g": set()}
VIEWS = {t: WORKS[t] | REQUESTER_SIDE[t] for t in TICKETS}
ACTIVE = {"a1p", "a1s", "a2p", "g"}  # "b" is resolved

# Canary groups and their readers. "guest" reads what the tracking link shows.
READERS: dict[str, set[str]] = {}
for _t in TICKETS:
    READERS[f"{_t}-pub"] = VIEWS[_t] | ({"guest"} if _t == "g" else set())
    READERS[f"{_t}-int"] = set(WORKS[_t])
READERS.update(
    {
        # Requesters' names and addresses: themselves, staff (who serve every organisation), and
        # the colleague who reads A1's shared request.
        "a1-name": {"a1", "a2", *STAFF},
        "a2-name": {"a2", *STAFF},
        "b-name": {"b", *STAFF},
        "g-name": {"guest", *STAFF},
        "acme-org": {"a1", "a2", *STAFF},
        "globex-org": {"b", *STAFF},
        "kb-public": set(ACTORS),
        "kb-internal": set(STAFF),
        "kb-draft": {"x", "m", "ad"},  # X's draft: its author and the managers
        "feedback": set(STAFF),  # feedback items belong to the whole desk
        "mail-x": set(WORKS["a1p"]),  # the e-mail that became a1p, team X's mailbox
        "mail-y": set(WORKS["b"]),
        "held-y": {"ad"},  # held in team Y's mailbox: its team's managers (none) and the admin
        "gap": {"m", "ad"},  # a content gap (searched, nothing found): managers' report
        "token-name-b": {"b"},
        "token-name-x": {"x"},
        "token-secret": set(),  # no response ever gives a token back
        "template-y": {"y", "ad"},  # team Y's reply template (an admin sees every team's)
        "template-x-own": {"x"},  # X's personal template: its owner's alone
    }
)
# The canaries of each group (filled by the world: file names and tokens are only known then).
GROUP_CANARIES: dict[str, list[str]] = {group: [] for group in READERS}


def allowed_groups(actor: str) -> set[str]:
    if actor == "b-link":  # the holder of B's survey link reads what B reads
        actor = "b"
    if actor in ("expired", "revoked", "none"):  # the API without a valid token: anyone
        actor = "anon"
    return {group for group, readers in READERS.items() if actor in readers}


# --- the world ----------------------------------------------------------------------------------


@dataclass
class World:
    users: dict = field(default_factory=dict)
    tickets: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)  # (ticket, "pub" | "int") -> attachment id
    articles: dict = field(default_factory=dict)
    templates: dict = field(default_factory=dict)
    mail: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)  # api actor -> raw token
    teams: dict = field(default_factory=dict)
    spike: int = 0
    feedback: int = 0
    survey: str = ""  # B's answered survey link
    resolution: int = 0  # B's resolution event
    answer: int = 0
    guest_token: str = ""
    other_tokens: dict = field(default_factory=dict)  # ticket -> access token

    def ref(self, name: str) -> str:
        return self.tickets[name].reference


def _file(name: str) -> SimpleUploadedFile:
    text = canary(name)
    return SimpleUploadedFile(f"{text}.txt", f"file body {text}".encode(), content_type="text/plain")


def _group(group: str, *names: str) -> list[str]:
    texts = [canary(name) for name in names]
    GROUP_CANARIES[group].extend(text for text in texts if text not in GROUP_CANARIES[group])
    return texts


def _seed() -> World:
    world = World()
    acme = OrganisationFactory(name=f"Acme {_group('acme-org', 'acme-org')[0]}", domain="acme.example")
    acme.shares_tickets = True
    acme.save()
    globex = OrganisationFactory(name=f"Globex {_group('globex-org', 'globex-org')[0]}", domain="globex.example")
    people = {
        "a1": UserFactory(email="a1@acme.example", full_name=f"Alma {canary('a1-name')}", organisation=acme),
        "a2": UserFactory(email="a2@acme.example", full_name=f"Amir {canary('a2-name')}", organisation=acme),
        "b": UserFactory(email="b@globex.example", full_name=f"Boris {canary('b-name')}", organisation=globex),
        "x": UserFactory(email="x@helpdesk.example", full_name="Xena Agent", role=Role.AGENT),
        "y": UserFactory(email="y@helpdesk.example", full_name="Yuri Agent", role=Role.AGENT),
        "m": UserFactory(email="m@helpdesk.example", full_name="Mona Manager", role=Role.MANAGER),
        "ad": UserFactory(email="ad@helpdesk.example", full_name="Ada Admin", role=Role.ADMIN, is_superuser=True),
    }
    for name in ("a1", "a2", "b"):
        _group(f"{name}-name", f"{name}-name")
    world.users = people
    team_x = TeamFactory(name="Service Desk", tier=1, members=[people["x"]], managers=[people["m"]])
    team_y = TeamFactory(name="Network", tier=2, members=[people["y"]])
    world.teams = {"x": team_x, "y": team_y}
    vpn = Category.objects.create(name="VPN")

    def open_ticket(name, requester, team, *, shared=False):
        subject, description = _group(f"{name}-pub", f"{name}-subject", f"{name}-description")
        return ticket_create(
            requester=requester,
            subject=f"{WORD.title()} {WORDS[name]} {subject}",
            description=f"{WORD} {description}",
            acting_user=requester,
            team=team,
            category=vpn,
            shared_with_organisation=shared,
        )

    tickets = {
        "a1p": open_ticket("a1p", people["a1"], team_x),
        "a1s": open_ticket("a1s", people["a1"], team_x, shared=True),
        "a2p": open_ticket("a2p", people["a2"], team_y),
        "b": open_ticket("b", people["b"], team_y),
    }
    guest_subject, guest_description = _group("g-pub", "g-subject", "g-description")
    guest_name = _group("g-name", "g-name")[0]
    tickets["g"] = ticket_create_by_guest(
        name=f"Gus {guest_name}",
        email="gus@example.net",
        language="en",
        subject=f"{WORD.title()} {WORDS['g']} {guest_subject}",
        description=f"{WORD} {guest_description}",
        category=vpn,
    )
    assert tickets["g"].team_id == team_x.pk
    world.guest_token = tickets["g"].access_token
    world.other_tokens = {name: ticket.access_token for name, ticket in tickets.items()}
    worker = {"a1p": people["x"], "a1s": people["x"], "a2p": people["y"], "b": people["y"], "g": people["x"]}
    for name, ticket in tickets.items():
        reply, note = canary(f"{name}-reply"), canary(f"{name}-note")
        _group(f"{name}-pub", f"{name}-reply", f"{name}-pubfile")
        _group(f"{name}-int", f"{name}-note", f"{name}-intfile")
        ticket_reply(ticket, f"Public answer {reply}", acting_user=worker[name], attachments=[_file(f"{name}-pubfile")])
        ticket_add_note(ticket, f"Internal {note}", acting_user=worker[name], attachments=[_file(f"{name}-intfile")])
        for kind, public in (("pub", True), ("int", False)):
            world.files[(name, kind)] = ticket.attachments.get(message__is_public=public).pk
    # B's request: a participant, a checklist step, resolved, and the survey answered once.
    participants_add(tickets["b"], [f"{_group('b-pub', 'b-cc')[0].lower()}@globex.example"], acting_user=people["y"])
    ChecklistItem.objects.create(
        ticket=tickets["b"],
        position=1,
        text=_group("b-int", "b-checklist")[0],
        done_at=timezone.now(),
        done_by=people["y"],
    )
    ticket_resolve(tickets["b"], code="fixed", summary=_group("b-pub", "b-resolution")[0], acting_user=people["y"])
    event = TicketEvent.objects.get(ticket=tickets["b"], kind=EventKind.RESOLVED)
    world.resolution = event.pk
    world.survey = survey_token(event)
    world.answer = satisfaction_answer(world.survey, score=5, comment=_group("b-pub", "b-survey")[0]).pk
    for ticket in tickets.values():
        ticket.refresh_from_db()
    world.tickets = tickets

    # Knowledge base: public, internal, and X's draft.
    world.articles = {
        "public": stored(people["m"], f"{WORD.title()} guide {_group('kb-public', 'kb-public')[0]}"),
        "internal": stored(
            people["m"],
            f"{WORD.title()} runbook {_group('kb-internal', 'kb-internal')[0]}",
            visibility=Visibility.INTERNAL,
        ),
        "draft": stored(
            people["x"], f"{WORD.title()} notes {_group('kb-draft', 'kb-draft')[0]}", status=ArticleStatus.DRAFT
        ),
    }  # fmt: skip
    world.templates = {
        "template-y": ReplyTemplate.objects.create(
            title=canary("template-y"), body=f"Team Y says {canary('template-y')}", team=team_y
        ).pk,
        "template-x-own": ReplyTemplate.objects.create(
            title=canary("template-x-own"), body=f"X says {canary('template-x-own')}", owner=people["x"]
        ).pk,
    }
    _group("template-y", "template-y")
    _group("template-x-own", "template-x-own")
    world.feedback = feedback_raise(
        f"{WORD.title()} export {_group('feedback', 'feedback')[0]}", acting_user=people["x"]
    ).pk
    reading.record_request_search(f"Quokka {_group('gap', 'gap')[0]}", language="en")

    # E-mail: the original of a1p (team X's mailbox), of b (team Y's), and one held in team Y's.
    boxes = {
        team: Mailbox.objects.create(
            name=team, address=f"{team}@helpdesk.example", team=world.teams[team], transport=Transport.RECEIVER
        )
        for team in ("x", "y")
    }

    def inbound(box, group, ticket, status):
        text = _group(group, group)[0]
        raw = (
            f"From: someone@example.org\r\nTo: {box.address}\r\nSubject: Mail {text}\r\n"
            f"Message-ID: <{group}@example.org>\r\n\r\nBody {text}\r\n"
        ).encode()
        return InboundEmail.objects.create(
            mailbox=box, raw=raw, message_id=f"<{group}@example.org>", received_at=timezone.now(), status=status,
            sender="someone@example.org", subject=f"Mail {text}", ticket=ticket,
            processed_at=timezone.now() if ticket else None,
        ).pk  # fmt: skip

    world.mail = {
        "mail-x": inbound(boxes["x"], "mail-x", tickets["a1p"], InboundStatus.PROCESSED),
        "mail-y": inbound(boxes["y"], "mail-y", tickets["b"], InboundStatus.PROCESSED),
        "held-y": inbound(boxes["y"], "held-y", None, InboundStatus.HELD),
    }
    now = timezone.now()
    world.spike = Spike.objects.create(
        category=vpn, started_at=now - timedelta(minutes=5), last_seen_at=now, tickets_in_window=5, baseline=0.5
    ).pk

    # API tokens: one each, an expired one of A1's and a revoked one of X's.
    for actor in ("a1", "a2", "b", "x", "y", "m", "ad"):
        name = canary(f"token-name-{actor}") if actor in ("b", "x") else f"{actor} script"
        _token, raw = token_create(people[actor], name=name)
        world.tokens[actor] = raw
    _group("token-name-b", "token-name-b")
    _group("token-name-x", "token-name-x")
    expired, world.tokens["expired"] = token_create(people["a1"], name="expired", expires_at=now + timedelta(days=1))
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(seconds=1))
    revoked, world.tokens["revoked"] = token_create(people["x"], name="revoked")
    token_revoke(revoked, acting_user=people["x"])
    GROUP_CANARIES["token-secret"].extend(world.tokens.values())
    return world


@pytest.fixture(scope="module")
def _world_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        # Only a session with a test using ``db`` sets the test database up: never seed another.
        assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
        for group in GROUP_CANARIES.values():
            group.clear()
        yield _seed()
        transaction.set_rollback(True)


@pytest.fixture
def world(_world_once, db):
    """The module's world; whatever a row writes is rolled back with the test's transaction."""
    return _world_once


# --- rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    id: str
    actor: str
    path: object  # world -> path
    expected: int
    method: str = "get"
    data: dict | None = None
    api: bool = False
    # Canaries that must not appear even though the actor may read them elsewhere.
    also_forbidden: tuple[str, ...] = ()
    # Canary groups that must appear (the row would prove nothing if the page were empty).
    must_show: tuple[str, ...] = ()
    # A check of the answer beyond status and canaries: (world, response) -> None.
    check: object = None
    # The POST must change nothing on this ticket.
    unchanged: str | None = None


ROWS: list[Row] = []

# The matrix is written as loops over every actor; these keep it to the rows that each say
# something (an anonymous caller, a second colleague or a second outsider adds nothing to a page
# every requester is refused), so that the module stays near a minute.
TICKET_PAGE_ACTORS = {
    "a1p": ("a1", "a2", "b", "x", "y", "m", "ad"),
    "a1s": ("a1", "a2", "b", "x", "y", "m", "ad"),
    "b": ("anon", "a1", "a2", "b", "x", "y", "m", "ad"),
    "a2p": ("a1", "a2", "x", "y"),
    "g": ("a1", "b", "x", "y"),
}
WRITE_ACTORS = {"a1p": ("a2", "b", "x", "y"), "a1s": ACTORS, "b": ACTORS}
ROLE_PAGE_ACTORS = ("anon", "a1", "b", "x", "y", "m", "ad")


def _kept(name: str, actor: str) -> bool:
    ticket = re.search(r"-(a1p|a1s|a2p|b|g)-as-", name)
    ticket = ticket[1] if ticket else None
    if name.startswith(("page-", "file-")) and ticket:
        return actor in TICKET_PAGE_ACTORS[ticket]
    if name.startswith("post-") and ticket:
        return actor in WRITE_ACTORS.get(ticket, ()) and actor in TICKET_PAGE_ACTORS[ticket]
    if name.startswith("mail-"):
        return actor in ("a1", "x", "y", "m", "ad")
    unauthenticated = actor in ("expired", "revoked", "none")
    if name.startswith("api-") and ticket and unauthenticated:  # one ticket's reads and a write
        return ticket == "a1s" and name.startswith(("api-detail-", "api-messages-", "api-attachment-int-", "api-post-"))
    if name.startswith("api-") and ticket:
        if ticket == "a1p":  # A1's private request: the colleague and the outsiders, detail and file
            return name.startswith(("api-detail-", "api-attachment-pub-"))
        return actor != "ad" or name.startswith("api-detail-")  # the admin: a control
    if name.startswith("api-") and unauthenticated:
        return name.startswith(("api-tickets-list-all", "api-article-internal", "api-kpi-export"))
    if name.startswith("api-") and not name.startswith("api-tickets-list"):
        return actor in ("a1", "b", "x", "y", "ad")
    if name.startswith("list-my-"):
        return actor in ("anon", "a1", "a2", "b", "x")
    if name.startswith("manage-"):
        return actor in ("a1", "x")
    if name.startswith(("kb-search-", "kb-suggest-")) and actor == "guest":
        return True
    return actor in ROLE_PAGE_ACTORS


def row(name: str, actor: str, *args, **kwargs) -> None:
    if name.startswith(("survey-", "guest-", "counts-", "reply-template")) or _kept(name, actor):
        ROWS.append(Row(name, actor, *args, **kwargs))


def _anonymous(actor: str) -> bool:
    return actor in ANONYMOUS


LOGIN = 302  # login_required: to the login page


# Pages of one ticket, each actor against each ticket.
def _my_ticket_get(actor, t):
    if _anonymous(actor):
        return LOGIN
    if actor not in VIEWS[t]:
        return 404
    return 302 if actor in WORKS[t] else 200  # staff are sent to the agent page


def _agent_ticket(actor, t):
    if _anonymous(actor):
        return LOGIN
    if actor not in VIEWS[t]:
        return 404
    return 200 if actor in WORKS[t] else 403


def _file_download(actor, t, kind):
    if _anonymous(actor):
        return LOGIN
    readers = WORKS[t] if kind == "int" else VIEWS[t]
    return 200 if actor in readers else 404


for _t in TICKETS:
    for _a in PAGE_ACTORS:
        row(
            f"page-my-ticket-{_t}-as-{_a}",
            _a,
            lambda w, t=_t: reverse("tickets:my_ticket", args=[w.ref(t)]),
            _my_ticket_get(_a, _t),
            must_show=(f"{_t}-pub",) if _my_ticket_get(_a, _t) == 200 else (),
        )
        row(
            f"page-agent-ticket-{_t}-as-{_a}",
            _a,
            lambda w, t=_t: reverse("tickets:agent_ticket", args=[w.ref(t)]),
            _agent_ticket(_a, _t),
            must_show=(f"{_t}-pub", f"{_t}-int") if _agent_ticket(_a, _t) == 200 else (),
        )
        for _kind in ("pub", "int"):
            row(
                f"file-{_kind}-{_t}-as-{_a}",
                _a,
                lambda w, t=_t, kind=_kind: reverse("tickets:attachment", args=[w.files[(t, kind)]]),
                _file_download(_a, _t, _kind),
                must_show=(f"{_t}-{_kind}",) if _file_download(_a, _t, _kind) == 200 else (),
            )
        # Writes: only for those who may not make them; nothing may change.
        if _anonymous(_a) or _a not in VIEWS[_t] or _a in WORKS[_t]:
            row(
                f"post-my-reply-{_t}-as-{_a}",
                _a,
                lambda w, t=_t: reverse("tickets:my_ticket", args=[w.ref(t)]),
                _my_ticket_get(_a, _t),
                method="post",
                data={"body": "Matrix reply"},
                unchanged=_t,
            )
        if _a not in REQUESTER_SIDE[_t] or _a != _t[:2]:
            expected = _my_ticket_get(_a, _t)
            if expected == 302 and not _anonymous(_a):
                expected = 403  # staff: the requester's close button is not theirs
            elif expected == 200:
                expected = 302  # a colleague: refused with a message (only the requester closes)
            row(
                f"post-my-close-{_t}-as-{_a}",
                _a,
                lambda w, t=_t: reverse("tickets:my_ticket_close", args=[w.ref(t)]),
                expected,
                method="post",
                unchanged=_t,
            )
        if _a not in WORKS[_t]:
            for _name, _data in (
                ("agent_reply", {"body": "Matrix note", "internal": "on", "then": "send"}),
                ("agent_take", {}),
            ):
                row(
                    f"post-{_name.replace('_', '-')}-{_t}-as-{_a}",
                    _a,
                    lambda w, t=_t, name=_name: reverse(f"tickets:{name}", args=[w.ref(t)]),
                    _agent_ticket(_a, _t),
                    method="post",
                    data=_data,
                    unchanged=_t,
                )

# The original e-mail and its .eml.
MAIL_TICKET = {"mail-x": "a1p", "mail-y": "b"}
for _mail, _t in MAIL_TICKET.items():
    for _a in PAGE_ACTORS:
        _expected = LOGIN if _anonymous(_a) else (200 if _a in WORKS[_t] else 404)
        for _name in ("original", "original_raw"):
            row(
                f"mail-{_name.replace('_', '-')}-{_mail}-as-{_a}",
                _a,
                lambda w, mail=_mail, name=_name: reverse(f"mail:{name}", args=[w.mail[mail]]),
                _expected,
                must_show=(_mail,) if _expected == 200 else (),
            )


# --- lists, searches and counts ----------------------------------------------------------------

MY_LIST = {"a1": {"a1p", "a1s"}, "a2": {"a1s", "a2p"}, "b": {"b"}}
REFERENCE = re.compile(r"HD-\d+")


def _references(w: World, body: str) -> set[str]:
    by_reference = {ticket.reference: name for name, ticket in w.tickets.items()}
    return {by_reference[found] for found in REFERENCE.findall(body) if found in by_reference}


def _lists(expected: set[str]):
    def check(w, response):
        assert _references(w, response.content.decode()) == expected

    return check


for _a in ACTORS:
    requester = _a in REQUESTERS
    listed = MY_LIST.get(_a, set())
    for _label, _query in (
        ("all", {}),
        ("search", {"q": WORD}),
        ("globex-word", {"q": WORDS["b"]}),
        ("done", {"status": "done"}),
    ):
        wanted = {t for t in listed if _label in ("all", "search") or t == "b"}
        row(
            f"list-my-{_label}-as-{_a}",
            _a,
            lambda w, q=_query: reverse("tickets:my_tickets") + ("?" + urlencode(q) if q else ""),
            LOGIN if _anonymous(_a) else 200,
            check=None if _anonymous(_a) else _lists(wanted),
        )  # fmt: skip
    staff = _a in STAFF
    seen = {t for t in TICKETS if _a in WORKS[t]}
    denied = LOGIN if _anonymous(_a) else (200 if staff else 403)
    row(
        f"queue-all-as-{_a}",
        _a,
        lambda w: reverse("tickets:agent_queue") + "?view=all",
        denied,
        check=_lists(seen) if staff else None,
    )
    row(
        f"search-agent-{WORD}-as-{_a}",
        _a,
        lambda w: reverse("tickets:agent_search") + f"?q={WORD}",
        denied,
        check=_lists(seen) if staff else None,
    )
    row(
        f"search-agent-globex-word-as-{_a}",
        _a,
        lambda w: reverse("tickets:agent_search") + f"?q={WORDS['b']}",
        denied,
        check=_lists(seen & {"b"}) if staff else None,
    )
    row(
        f"autocomplete-people-as-{_a}",
        _a,
        lambda w: reverse("tickets:agent_requester_search") + "?q=CANARY",
        denied,
        must_show=("a1-name", "b-name") if staff else (),
    )
    # Knowledge base: search, suggest (public only, even for staff), article pages.
    row(f"kb-search-as-{_a}", _a, lambda w: reverse("kb:search") + f"?q={WORD}", 200, must_show=("kb-public",))
    row(
        f"kb-suggest-as-{_a}",
        _a,
        lambda w: reverse("kb:suggest") + f"?subject={WORD}",
        200,
        must_show=("kb-public",),
        also_forbidden=("kb-internal", "kb-draft"),
    )
    row(
        f"kb-article-internal-as-{_a}",
        _a,
        lambda w: reverse("kb:article", args=[w.articles["internal"].pk]),
        200 if staff else 404,
    )
    row(f"kb-article-draft-as-{_a}", _a, lambda w: reverse("kb:article", args=[w.articles["draft"].pk]), 404)
    row(
        f"kb-agent-draft-as-{_a}",
        _a,
        lambda w: reverse("kb_agent:detail", args=[w.articles["draft"].pk]),
        LOGIN if _anonymous(_a) else 403 if not staff else 200 if _a in READERS["kb-draft"] else 404,
    )
    row(
        f"kb-agent-list-as-{_a}",
        _a,
        lambda w: reverse("kb_agent:list"),
        denied,
    )
    row(
        f"kb-link-search-on-b-as-{_a}",
        _a,
        lambda w: reverse("kb_agent:link_search") + f"?ticket={w.ref('b')}&q={WORD}",
        LOGIN if _anonymous(_a) else 403 if not staff else 200 if _a in WORKS["b"] else 404,
    )
    # Feedback, its export, and "record as feedback" from a ticket of team Y.
    row(f"feedback-list-as-{_a}", _a, lambda w: reverse("feedback:list"), denied)
    row(f"maintenance-plans-as-{_a}", _a, lambda w: reverse("maintenance:plan_list"), denied)
    row(f"feedback-export-csv-as-{_a}", _a, lambda w: reverse("feedback:export"), denied)
    row(
        f"feedback-record-from-b-as-{_a}",
        _a,
        lambda w: reverse("feedback:record", args=[w.ref("b")]),
        LOGIN if _anonymous(_a) else 403 if not staff else 200 if _a in WORKS["b"] else 404,
    )
    # Exports of managers: content gaps, the team dashboard of team Y as CSV, my KPIs of team Y.
    manager = _a in ("m", "ad")
    row(
        f"export-content-gaps-csv-as-{_a}",
        _a,
        lambda w: reverse("kb_manage:gaps_csv"),
        LOGIN if _anonymous(_a) else 200 if manager else 403,
        must_show=("gap",) if manager else (),
    )
    row(
        f"export-team-y-kpis-csv-as-{_a}",
        _a,
        lambda w: reverse("kpis_dashboards:manager") + f"?team={w.teams['y'].pk}&format=csv&table=agents",
        LOGIN if _anonymous(_a) else 200 if _a == "ad" else 403,
    )
    row(
        f"export-my-kpis-team-y-csv-as-{_a}",
        _a,
        lambda w: reverse("kpis_dashboards:agent") + f"?team={w.teams['y'].pk}&format=csv&table=comments",
        LOGIN if _anonymous(_a) else 200 if _a == "y" else 403,
    )
    row(
        f"mail-review-list-as-{_a}",
        _a,
        lambda w: reverse("mail:review_list"),
        LOGIN if _anonymous(_a) else 200 if manager else 403,
    )
    row(
        f"spike-page-as-{_a}",
        _a,
        lambda w: reverse("incidents:spike_detail", args=[w.spike]),
        denied,
        check=_lists(seen) if staff else None,
    )
    for _page in (
        "kpis_dashboards:manager",
        "kpis_appraisal:period_list",
        "kpis_reviews:queue",
        "kpis_reviews:scorecards",
        "escalation:policy_list",
        "escalation:rule_list",
        "escalation:calendar_list",
        "escalation:breach_list",
        "kb_manage:deflection",
    ):
        if _a not in ("anon", "a1", "b", "x", "y"):
            continue
        row(
            f"manage-{_page.split(':')[1].replace('_', '-')}-as-{_a}",
            _a,
            lambda w, page=_page: reverse(page),
            LOGIN if _anonymous(_a) else 403,
        )

# Reply templates: another team's, another agent's personal one, on a ticket the caller works.
for _a, _t in (("x", "a1p"), ("m", "a1p"), ("y", "b"), ("ad", "b")):
    for _template in ("template-y", "template-x-own"):
        row(
            f"reply-template-{_template}-on-{_t}-by-{_a}",
            _a,
            lambda w, t=_t, template=_template: (
                reverse("tickets:agent_reply_template", args=[w.ref(t)]) + f"?template={w.templates[template]}"
            ),
            200 if _a in READERS[_template] else 404,
            must_show=(_template,) if _a in READERS[_template] else (),
        )
for _a in ("x", "y", "m", "ad"):
    row(f"reply-templates-list-by-{_a}", _a, lambda w: reverse("canned:list"), 200)
    row(f"api-reply-templates-by-{_a}", _a, lambda w: reverse("api:reply-template-list"), 200, api=True)

# The queue's sidebar counts equal the rows of each view, and "my teams" what the table says.
for _a in STAFF:
    row(
        f"counts-sidebar-equal-lists-as-{_a}",
        _a,
        lambda w: reverse("tickets:agent_queue") + "?view=teams",
        200,
        check=lambda w, response, a=_a: _check_counts(w, response, a),
    )


def _check_counts(w: World, response, actor: str) -> None:
    # Sidebar counts are cached per user: drawn afresh here (see test_cross_tenant).
    counts = {str(key): count for key, _label, count in response.context["views"] if count is not None}
    expected_teams = {t for t in ACTIVE if t in WORKS_BY_TEAM[actor]}
    assert counts["teams"] == len(expected_teams)
    client = Client()
    client.force_login(w.users[actor])
    for view, count in counts.items():
        body = client.get(reverse("tickets:agent_queue"), {"view": view}).content.decode()
        assert len(_references(w, body)) == count, view
        _assert_no_leak(actor, body, f"queue {view}")


# Tickets in the teams an actor belongs to or manages (the admin belongs to none).
WORKS_BY_TEAM = {"x": {"a1p", "a1s", "g"}, "m": {"a1p", "a1s", "g"}, "y": {"a2p", "b"}, "ad": set()}


# --- the guest's link, the survey link --------------------------------------------------------

row("guest-track-own", "guest", lambda w: reverse("tickets:track", args=[w.guest_token]), 200, must_show=("g-pub",))
for _t in TICKETS:
    for _kind in ("pub", "int"):
        own = _t == "g" and _kind == "pub"
        row(
            f"guest-token-of-g-file-{_kind}-of-{_t}",
            "guest",
            lambda w, t=_t, kind=_kind: reverse("tickets:track_attachment", args=[w.guest_token, w.files[(t, kind)]]),
            200 if own else 404,
        )
row(
    "guest-token-truncated",
    "anon",
    lambda w: reverse("tickets:track", args=[w.guest_token[:-1]]),
    404,
)
row(
    "guest-token-of-b-guessed-from-g",
    "anon",
    lambda w: reverse("tickets:track", args=[w.guest_token[:-4] + "AAAA"]),
    404,
)
row(
    "guest-link-does-not-sign-in-my-ticket-g",
    "guest",
    lambda w: reverse("tickets:my_ticket", args=[w.ref("g")]),
    LOGIN,
)
row(
    "guest-link-close-of-g-with-b-reference",
    "guest",
    lambda w: reverse("tickets:my_ticket_close", args=[w.ref("b")]),
    LOGIN,
    method="post",
    unchanged="b",
)


def _answer_unchanged(w: World, response) -> None:
    answers = SatisfactionAnswer.objects.filter(resolution_event_id=w.resolution)
    assert [(a.pk, a.score) for a in answers] == [(w.answer, 5)]


row("survey-reuse-get", "b-link", lambda w: reverse("tickets:survey", args=[w.survey]) + "?score=1", 409)
row(
    "survey-reuse-post",
    "b-link",
    lambda w: reverse("tickets:survey", args=[w.survey]),
    409,
    method="post",
    data={"score": "1", "comment": "changed my mind"},
    check=_answer_unchanged,
)


def _survey_of_other_ticket(w: World) -> str:
    # Signed with the site's key, but naming B's resolution with A2's ticket: refused.
    token = signing.dumps({"t": w.tickets["a2p"].pk, "e": w.resolution}, salt=SURVEY_SALT, compress=True)
    return reverse("tickets:survey", args=[token])


row("survey-token-for-another-ticket-get", "anon", _survey_of_other_ticket, 400)
row(
    "survey-token-for-another-ticket-post",
    "anon",
    _survey_of_other_ticket,
    400,
    method="post",
    data={"score": "1"},
    check=_answer_unchanged,
)
row("survey-token-tampered", "anon", lambda w: reverse("tickets:survey", args=[w.survey[:-2] + "xx"]), 400)


# --- the API --------------------------------------------------------------------------------

API_ACTORS = ("a1", "a2", "b", "x", "y", "ad", "expired", "revoked", "none")
UNAUTHENTICATED = ("expired", "revoked", "none")
API_TICKETS = ("a1p", "a1s", "b")
STAFF_ONLY = {"events", "checklist"}


def api_ticket(actor: str, t: str, endpoint: str) -> int:
    if actor in UNAUTHENTICATED:
        return 401
    if actor not in VIEWS[t]:
        return 404
    if actor in WORKS[t]:
        return 200
    if endpoint in STAFF_ONLY:
        return 403
    if endpoint == "attachment-int":
        return 404
    return 200


def _api_path(w: World, t: str, endpoint: str) -> str:
    reference = w.ref(t)
    if endpoint.startswith("attachment"):
        kind = endpoint.split("-")[1]
        return reverse("tickets_api:ticket-attachment", args=[reference, w.files[(t, kind)]])
    if endpoint == "detail":
        return reverse("tickets_api:ticket-detail", args=[reference])
    return reverse(f"tickets_api:ticket-{endpoint}", args=[reference])


for _t in API_TICKETS:
    for _a in API_ACTORS:
        endpoints = ["detail", "messages", "checklist", "attachment-pub", "attachment-int"]
        if _t == "b":
            endpoints += ["participants", "events"]
        for _endpoint in endpoints:
            row(
                f"api-{_endpoint}-{_t}-as-{_a}",
                _a,
                lambda w, t=_t, endpoint=_endpoint: _api_path(w, t, endpoint),
                api_ticket(_a, _t, _endpoint),
                api=True,
            )
        if _a not in WORKS[_t]:
            row(
                f"api-post-note-{_t}-as-{_a}",
                _a,
                lambda w, t=_t: _api_path(w, t, "note"),
                401 if _a in UNAUTHENTICATED else 404 if _a not in VIEWS[_t] else 403,
                method="post",
                data={"body": "Matrix note"},
                api=True,
                unchanged=_t,
            )


def _api_list(expected: set[str]):
    def check(w, response):
        body = response.json()
        assert "count" not in body  # cursor pages: no total that would count hidden tickets
        by_reference = {ticket.reference: name for name, ticket in w.tickets.items()}
        assert {by_reference.get(r["reference"], r["reference"]) for r in body["results"]} == expected

    return check


def _api_ids(expected):
    def check(w, response):
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        assert {r["id"] for r in rows} == expected(w)

    return check


for _a in API_ACTORS:
    anonymous = _a in UNAUTHENTICATED
    staff = _a in STAFF
    seen = {t for t in TICKETS if _a in VIEWS[t]}
    for _label, _query in (
        ("all", ""),
        ("search", f"?q={WORD}"),
        ("globex-word", f"?q={WORDS['b']}"),
        ("requester-b", "?requester=b@globex.example"),
    ):
        wanted = seen
        if _label in ("globex-word", "requester-b"):
            wanted = seen & {"b"}
        row(
            f"api-tickets-list-{_label}-as-{_a}",
            _a,
            lambda w, q=_query: reverse("tickets_api:ticket-list") + q,
            401 if anonymous else 200,
            api=True,
            check=None if anonymous else _api_list(wanted),
        )
    role_denied = 401 if anonymous else (200 if staff else 403)
    row(f"api-feedback-as-{_a}", _a, lambda w: reverse("api:feedback-item-list"), role_denied, api=True)
    row(
        f"api-kpi-figures-of-x-as-{_a}",
        _a,
        lambda w: (
            reverse("api-kpi-figures")
            + f"?period=month&start={timezone.localdate()}&dimension=agent&key={w.users['x'].pk}"
        ),
        401 if anonymous else 200 if _a in ("x", "m", "ad") else 403,
        api=True,
    )
    row(
        f"api-kpi-export-as-{_a}",
        _a,
        lambda w: reverse("api-kpi-export") + f"?from={timezone.localdate()}&to={timezone.localdate()}&by=agent",
        401 if anonymous else 200 if _a in ("m", "ad") else 403,
        api=True,
    )
    row(
        f"api-mail-inbound-list-as-{_a}",
        _a,
        lambda w: reverse("api:inbound-email-list"),
        401 if anonymous else 200 if _a in ("m", "ad") else 403,
        api=True,
    )
    for _mail, _t in MAIL_TICKET.items():
        row(
            f"api-mail-inbound-{_mail}-as-{_a}",
            _a,
            lambda w, mail=_mail: reverse("api:inbound-email-detail", args=[w.mail[mail]]),
            401 if anonymous else 200 if _a in WORKS[_t] else 404 if staff else 403,
            api=True,
        )
        if _mail != "mail-y":
            continue
        row(
            f"api-mail-raw-{_mail}-as-{_a}",
            _a,
            lambda w, mail=_mail: reverse("api-inbound-email-raw", args=[w.mail[mail]]),
            401 if anonymous else 200 if _a in WORKS[_t] else 404 if staff else 403,
            api=True,
        )
    row(
        f"api-spike-as-{_a}",
        _a,
        lambda w: reverse("api:spike-detail", args=[w.spike]),
        role_denied,
        api=True,
    )
    # The public knowledge base is public in the API too: no token reads published public articles.
    bad_token = _a in ("expired", "revoked")
    row(
        f"api-articles-as-{_a}",
        _a,
        lambda w: reverse("knowledge_api:article-list") + f"?q={WORD}",
        401 if bad_token else 200,
        api=True,
        must_show=() if bad_token else ("kb-public",),
    )
    for _kb, readers in (("internal", READERS["kb-internal"]), ("draft", READERS["kb-draft"])):
        row(
            f"api-article-{_kb}-as-{_a}",
            _a,
            lambda w, kb=_kb: reverse("knowledge_api:article-detail", args=[w.articles[kb].pk]),
            401 if bad_token else 200 if _a in readers else 404,
            api=True,
        )
    row(
        f"api-users-as-{_a}",
        _a,
        lambda w: reverse("api:user-list") + "?page_size=200",
        401 if anonymous else 200,
        api=True,
    )
    row(
        f"api-organisations-as-{_a}",
        _a,
        lambda w: reverse("api:organisation-list"),
        401 if anonymous else 200,
        api=True,
    )
    row(f"api-tokens-as-{_a}", _a, lambda w: reverse("api:token-list"), 401 if anonymous else 200, api=True)


# --- the test ---------------------------------------------------------------------------------


def _forbidden(actor: str) -> list[str]:
    allowed = allowed_groups(actor)
    return [text for group, texts in GROUP_CANARIES.items() if group not in allowed for text in texts]


def _assert_no_leak(actor: str, body: str, where: str, also: tuple[str, ...] = ()) -> None:
    lowered = body.lower()
    extra = [text for group in also for text in GROUP_CANARIES[group]]
    leaked = [text for text in [*_forbidden(actor), *extra] if text.lower() in lowered]
    assert not leaked, f"{where}: {actor} got {leaked}"


def _client(w: World, actor: str, api: bool):
    if api:
        client = APIClient()
        if actor != "none":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {w.tokens[actor]}")
        return client
    client = Client()
    if actor == "guest":
        assert client.get(reverse("tickets:track", args=[w.guest_token])).status_code == 200
    elif actor not in ("anon", "b-link"):
        client.force_login(w.users[actor])
    return client


def _state(t: Ticket) -> tuple:
    t = Ticket.objects.get(pk=t.pk)
    return (t.status, t.assignee_id, t.team_id, t.version, t.messages.count(), t.events.count())


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


def test_the_matrix_has_at_least_200_rows():
    assert len(ROWS) >= 200, len(ROWS)
    assert len({r.id for r in ROWS}) == len(ROWS)


@pytest.mark.parametrize("case", ROWS, ids=[r.id for r in ROWS])
def test_cross_tenant(world, case: Row):
    if case.id.startswith("counts-"):
        cache.clear()  # counts are cached per user id: another test's entry must not count here
    client = _client(world, case.actor, case.api)
    path = case.path(world)
    before = _state(world.tickets[case.unchanged]) if case.unchanged else None

    if case.method == "get":
        response = client.get(path)
    elif case.api:
        response = client.post(path, case.data or {}, format="json")
    else:
        response = client.post(path, case.data or {})

    body = _body(response)
    assert response.status_code == case.expected, f"{case.id}: {response.status_code} {body[:300]}"
    if response.status_code == LOGIN and not case.api and _anonymous(case.actor):
        assert response["Location"].startswith(reverse("accounts:login"))
    _assert_no_leak(case.actor, body, case.id, case.also_forbidden)
    for group in case.must_show:
        texts = GROUP_CANARIES[group]
        assert any(text.lower() in body.lower() for text in texts), f"{case.id}: nothing of {group} shown"
    if case.unchanged:
        assert _state(world.tickets[case.unchanged]) == before
    if case.check is not None:
        case.check(world, response)
