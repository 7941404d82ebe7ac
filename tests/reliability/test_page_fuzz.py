"""A fuzz pass over every page: hostile path arguments, query parameters and form bodies.

The API has its own fuzzer (tests/api/test_schemathesis*.py); this covers every other URL
pattern of ``django.urls.get_resolver()``. ``PAGES`` lists, per URL name, the query parameters
its view reads (``request.GET``, its filter form or django-filter FilterSet, its cursor) and the
fields its POST form sends; ``test_every_url_pattern_is_in_the_fuzz`` fails when a pattern is
added without an entry, so the list stays complete.

Each page is fetched with real objects of a small seeded desk, then with hostile values: NUL,
10,000+ characters, invalid UTF-8, impossible dates, forged cursors, negative and beyond-bigint
numbers, repeated parameters, unicode tricks; POST forms get the same values plus deeply nested
and malformed JSON and wrong content types. Every persona takes a share (anonymous, requester,
agent, manager, admin). No answer may be a 5xx: a bad value is a 400 or 404 with a message, or
a page that ignored or cleaned it, or a redirect (to sign in, or after a form). The Django
admin's pages get the same for each registered model.

The desk is seeded once for the module in a transaction rolled back at its end (as the
cross-tenant matrix does), with the personas of tests/conftest.py (alice, carol, erin, ada) and
one of each object a path names; each test runs in its own savepoint, so a fuzzed POST that
deletes or closes something changes nothing for the next page. Payloads are sampled so that the
whole module stays around a minute: every parameter gets the core values, the others rotate.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import itertools
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Role
from accounts.tokens import token_create
from canned.models import ReplyTemplate
from escalation.demo import seed_escalation, seed_sla
from escalation.models import EscalationRule
from escalation.services import holiday_add
from feedback.services import feedback_raise
from kpis.appraisals import period_calculate, period_open
from kpis.models.appraisal import QualityReview, ReviewReason, Scorecard
from kpis.models.figures import Period
from kpis.reviews import reviewer_appoint
from mail.models import InboundEmail, InboundStatus, Mailbox, Transport
from maintenance.services import PlanValues, plan_create
from monitoring.models import Spike
from tests.factories import OrganisationFactory, TeamFactory, UserFactory
from tests.knowledge.builders import published
from tickets.models import BusinessCalendar, Category, ChecklistItem, EventKind, SlaPolicy, TicketEvent
from tickets.notifications import survey_token
from tickets.services import (
    participants_add,
    ticket_add_note,
    ticket_create,
    ticket_create_by_guest,
    ticket_reply,
    ticket_resolve,
)
from tickets.services.escalation import escalate

pytestmark = pytest.mark.xdist_group("page_fuzz")

# --- what each page reads ------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    query: tuple[str, ...] = ()  # query parameters the view reads
    post: tuple[str, ...] | None = None  # the fields its form posts (None: the page takes no POST)
    get: bool = True  # False: POST only (a GET answers 405)
    heavy: bool = False  # a request costs ~0.3 s (a PDF, a 600-zone select): fewer variants


QUEUE_FILTERS = ("status", "priority", "category", "team", "assignee", "tag", "channel", "created_after",
                 "created_before", "updated_after", "updated_before", "requester", "organisation")  # fmt: skip
TICKET_FIELDS = ("assignee", "category", "complexity", "impact", "priority", "reason", "status", "tags", "team",
                 "type", "urgency", "version")  # fmt: skip
ARTICLE_FIELDS = ("body", "category", "language", "note", "summary", "tags", "title", "translation_of", "version",
                  "visibility")  # fmt: skip
PLAN_FIELDS = ("active", "assignee", "at_time", "category", "checklist", "cron", "description", "every_weeks",
               "hours_allowed", "priority", "schedule_kind", "starts_on", "team", "title", "weekday")  # fmt: skip
CALENDAR_FIELDS = ("is_24x7", "name", "name_zh_hans", "time_zone", "hours-TOTAL_FORMS", "hours-INITIAL_FORMS",
                   "hours-0-weekday", "hours-0-start", "hours-0-end", "hours-0-DELETE")  # fmt: skip
POLICY_FIELDS = ("calendar", "categories", "first_response_minutes", "name", "name_zh_hans", "organisations",
                 "pause_on_hold", "pause_on_pending", "priorities", "resolution_minutes", "teams", "types",
                 "warning_percent")  # fmt: skip
RULE_FIELDS = ("add_tag", "move_to_team", "move_to_tier", "name", "notify_manager", "raise_priority", "sla_target",
               "threshold", "trigger")  # fmt: skip
NEW_TICKET_FIELDS = ("assignee", "category", "channel", "description", "impact", "requester_email", "requester_name",
                     "resolution_code", "resolution_summary", "status", "subject", "tags", "team", "type",
                     "urgency")  # fmt: skip
KPI_QUERY = ("team", "period", "start", "format", "table")

PAGES: dict[str, Page] = {
    "home": Page(),
    "healthz": Page(heavy=True),  # waits 2 s for a worker that does not run here
    "accounts:login": Page(query=("next",), post=("username", "password", "next")),
    "accounts:logout": Page(post=(), get=False),
    "accounts:set_language": Page(post=("language", "next"), get=False),
    "accounts:preferences": Page(post=("full_name", "language", "time_zone")),
    "accounts:teams": Page(),
    "accounts:api_tokens": Page(post=("name", "expires_on")),
    "accounts:api_token_revoke": Page(post=(), get=False),
    "accounts:password_reset": Page(post=("email",)),
    "accounts:password_reset_sent": Page(),
    "accounts:password_reset_confirm": Page(post=("new_password1", "new_password2")),
    "accounts:password_reset_complete": Page(),
    "accounts:audit_log": Page(query=("person", "action", "after")),
    "kb_manage:deflection": Page(query=("period",)),
    "kb_manage:gaps_csv": Page(query=("period",)),
    "kpis_dashboards:manager": Page(query=KPI_QUERY),
    "kpis_dashboards:agent": Page(query=KPI_QUERY),
    "kpis_appraisal:period_list": Page(post=("team", "period", "start")),
    "kpis_appraisal:period_detail": Page(),
    "kpis_appraisal:period_step": Page(post=(), get=False),
    "kpis_appraisal:appraisal_manage": Page(post=("strengths", "improvements", "comment", "growth-TOTAL_FORMS")),
    "kpis_appraisal:appraisal_manage_pdf": Page(heavy=True),
    "kpis_appraisal:my_appraisals": Page(),
    "kpis_appraisal:my_appraisal": Page(post=("comment", "acknowledge")),
    "kpis_appraisal:my_appraisal_pdf": Page(heavy=True),
    "kpis_reviews:queue": Page(query=("state", "team", "agent", "reason")),
    "kpis_reviews:draw": Page(post=("first_day", "last_day"), get=False),
    "kpis_reviews:reviewers": Page(query=("team",), post=("team", "user")),
    "kpis_reviews:reviewer_remove": Page(post=(), get=False),
    "kpis_reviews:review": Page(post=("accuracy", "professionalism", "empathy", "completeness", "comment")),
    "kpis_reviews:my_reviews": Page(),
    "kpis_reviews:my_review": Page(),
    "kpis_reviews:scorecards": Page(),
    "kpis_reviews:scorecard_new": Page(post=("team",)),
    "kpis_reviews:scorecard": Page(),
    "kpis_reviews:scorecard_settings": Page(post=("band_exceeds", "band_meets", "band_below")),
    "kpis_reviews:scorecard_item": Page(post=("weight", "target", "floor", "minimum_sample", "enabled")),
    "maintenance:plan_list": Page(),
    "maintenance:run_list": Page(),
    "maintenance:plan_new": Page(post=PLAN_FIELDS),
    "maintenance:plan_detail": Page(),
    "maintenance:plan_edit": Page(post=PLAN_FIELDS),
    "incidents:spike_list": Page(query=("page",)),
    "incidents:spike_detail": Page(),
    "incidents:spike_link": Page(
        post=("description", "parent_kind", "priority", "reference", "subject", "team"), get=False
    ),
    "incidents:spike_reply_all": Page(post=("body",), get=False),
    "feedback:list": Page(query=("page", "status", "area", "q", "sort")),
    "feedback:export": Page(query=("status", "area", "q", "sort")),
    "feedback:new": Page(post=("area", "description", "title")),
    "feedback:detail": Page(query=("q",)),
    "feedback:edit": Page(post=("area", "description", "title"), get=False),
    "feedback:status": Page(post=("status",), get=False),
    "feedback:link": Page(post=("reference",), get=False),
    "feedback:unlink": Page(post=(), get=False),
    "feedback:record": Page(post=("area", "description", "item", "title")),
    "mail:review_list": Page(),
    "mail:original": Page(),
    "mail:original_raw": Page(),
    "mail:release": Page(post=(), get=False),
    "mail:reprocess": Page(post=(), get=False),
    "escalation:calendar_list": Page(),
    "escalation:calendar_new": Page(post=CALENDAR_FIELDS, heavy=True),
    "escalation:calendar_edit": Page(post=CALENDAR_FIELDS, heavy=True),
    "escalation:holiday_new": Page(post=("holiday-date", "holiday-name", "holiday-name_zh_hans"), get=False),
    "escalation:holiday_import": Page(post=("import-file",), get=False),
    "escalation:holiday_delete": Page(post=(), get=False),
    "escalation:policy_list": Page(),
    "escalation:policy_new": Page(post=POLICY_FIELDS),
    "escalation:policy_edit": Page(post=POLICY_FIELDS),
    "escalation:policy_move": Page(post=(), get=False),
    "escalation:policy_deactivate": Page(post=(), get=False),
    "escalation:policy_activate": Page(post=(), get=False),
    "escalation:rule_list": Page(),
    "escalation:rule_new": Page(post=RULE_FIELDS),
    "escalation:rule_edit": Page(post=RULE_FIELDS),
    "escalation:rule_deactivate": Page(post=(), get=False),
    "escalation:rule_activate": Page(post=(), get=False),
    "escalation:breach_list": Page(),
    "kb:home": Page(query=("category", "page")),
    "kb:search": Page(query=("q",)),
    "kb:article": Page(query=("from", "q")),
    "kb:vote": Page(post=("helpful",), get=False),
    "kb:suggest": Page(query=("subject", "q")),
    "kb:deflect_solved": Page(post=("q",), get=False),
    "kb:deflect_thanks": Page(),
    "kb_agent:list": Page(query=("tab", "q", "status", "language", "category", "mine", "after")),
    "kb_agent:new": Page(query=("ticket", "translation_of", "language"), post=(*ARTICLE_FIELDS, "ticket")),
    "kb_agent:link_search": Page(query=("ticket", "q")),
    "kb_agent:detail": Page(),
    "kb_agent:edit": Page(post=ARTICLE_FIELDS),
    "kb_agent:decide": Page(post=("comment", "version"), get=False),
    "kb_agent:version": Page(query=("against",)),
    "kb_agent:restore_version": Page(post=("version",), get=False),
    "kb_agent:link": Page(post=("ticket",), get=False),
    "kb_agent:unlink": Page(post=("ticket",), get=False),
    "tickets:submit": Page(
        query=("subject",),
        post=("category", "description", "impact", "subject", "urgency", "name", "email", "shared_with_organisation"),
    ),
    "tickets:my_tickets": Page(query=("status", "q", "before")),
    "tickets:my_ticket": Page(post=("body",)),
    "tickets:my_ticket_close": Page(post=(), get=False),
    "tickets:my_ticket_rate": Page(post=("score", "comment"), get=False),
    "tickets:track": Page(post=("body",)),
    "tickets:track_close": Page(post=(), get=False),
    "tickets:track_rate": Page(post=("score", "comment"), get=False),
    "tickets:track_attachment": Page(),
    "tickets:attachment": Page(),
    "tickets:survey": Page(query=("score",), post=("score", "comment")),
    "tickets:agent_queue": Page(query=("view", "sort", "after", "filters", *QUEUE_FILTERS)),
    "tickets:agent_search": Page(query=("q",)),
    "tickets:agent_bulk": Page(
        post=("tickets", "action", "assignee", "into", "next", "status", "tag", "team"), get=False
    ),
    "tickets:agent_new_ticket": Page(post=NEW_TICKET_FIELDS),
    "tickets:agent_requester_search": Page(query=("q",)),
    "tickets:agent_ticket": Page(query=("template", "internal")),
    "tickets:agent_reply": Page(post=("body", "code", "internal", "summary", "then", "version"), get=False),
    "tickets:agent_fields": Page(post=TICKET_FIELDS, get=False),
    "tickets:agent_take": Page(post=(), get=False),
    "tickets:agent_reopen": Page(post=("reason",), get=False),
    "tickets:agent_reply_template": Page(query=("template", "internal")),
    "tickets:agent_reply_preview": Page(post=("body",), get=False),
    "tickets:agent_link": Page(post=("kind", "reference"), get=False),
    "tickets:agent_merge": Page(post=("into",), get=False),
    "tickets:participant_add": Page(post=("email",), get=False),
    "tickets:participant_remove": Page(post=(), get=False),
    "tickets:agent_checklist_tick": Page(post=("done",), get=False),
    "tickets:escalation_new": Page(
        post=("diagnostics", "symptoms", "to_team", "tried", "vendor", "vendor_reference", "version")
    ),
    "tickets:escalation_send_back": Page(post=("reason",), get=False),
    "canned:list": Page(),
    "canned:create": Page(post=("body", "team", "title")),
    "canned:edit": Page(post=("body", "team", "title")),
    "canned:delete": Page(post=()),
}


def url_patterns(patterns=None, prefix="", namespace=""):
    """(route, name) of every URL pattern, namespaces included."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or "")


@functools.cache
def page_routes() -> dict[str, str]:
    """The pages this module fuzzes: everything but the API (schemathesis) and the admin (below)."""
    return {name: route for route, name in url_patterns() if not route.startswith(("api/", "admin/"))}


def test_every_url_pattern_is_in_the_fuzz():
    routes = page_routes()
    unnamed = [route for name, route in routes.items() if not name]
    assert not unnamed, f"name these URL patterns so the fuzz can list them: {unnamed}"
    missing = sorted(set(routes) - set(PAGES))
    assert not missing, f"add these pages to PAGES (query parameters, POST fields, path arguments): {missing}"
    stale = sorted(set(PAGES) - set(routes))
    assert not stale, f"these pages are gone, take them out of PAGES: {stale}"
    for name, route in routes.items():
        for argument in re.findall(r"<(?:\w+:)?(\w+)>", route):
            assert argument in PATH_ARGUMENTS, f"teach real_kwargs to fill <{argument}> of {name}"


# --- hostile values ------------------------------------------------------------------------------


def _b64(value) -> str:
    return quote(base64.urlsafe_b64encode(json.dumps(value).encode()).decode())


# Query-string values, already percent-encoded as a browser or a script would send them.
HOSTILE_VALUES = {
    "nul": "a%00b",
    "overlong": "x" * 10_050,
    "invalid-utf8": "%FF%FE",
    "overlong-utf8-slash": "%C0%AF",
    "month-13": "2026-13-45",
    "zero-date": "0000-00-00",
    "date-9999": "9999-99-99T99%3A99",
    "cursor-junk": "%21%21not-base64%3D%3D~",
    "cursor-month-13": _b64(["2026-13-45T00:00:00+00:00", 1]),
    "cursor-huge-id": _b64(["2026-01-01T00:00:00+00:00", 10**30]),
    "cursor-tilde-month-13": quote("2026-13-45T00:00:00+00:00~225"),
    "cursor-negative-id": quote("2026-01-01T00:00:00+00:00~-5"),
    "negative": "-1",
    "beyond-bigint": "9" * 30,
    "unicode-digits": quote("١٢"),
    "rtl-override": quote("\u202egpj.exe"),
    "zero-width": quote("a\u200b\ufeffb"),
    "sql": quote("' OR 1=1 --"),
}
# Values for path arguments of each converter (``<int:…>`` only matches digits).
HOSTILE_PATH = {
    "int": ["9" * 30],
    "str": ["x" * 10_050, "%FF%FE", "HD-" + "9" * 30],
    "slug": ["x" * 300],
}
# Every parameter gets these; the other values rotate over a page's parameters (each page still
# sends every value, all parameters at once), and cursors get every value.
CORE = ("overlong", "invalid-utf8", "month-13")
ROTATING = [label for label in HOSTILE_VALUES if label not in CORE]
CURSORS = {"after", "before"}


def values_for(page: Page, parameter: str) -> list[str]:
    if parameter in CURSORS or len(page.query) <= 2:
        return list(HOSTILE_VALUES)
    index = page.query.index(parameter)
    return [*CORE, ROTATING[index % len(ROTATING)]]


# Raw values for form fields (the client encodes them).
HOSTILE_FIELDS = {
    "overlong": "x" * 10_050,
    "month-13": "2026-13-45",
    "beyond-bigint": "9" * 30,
    "unicode": "\u202egpj.exe\u200b١٢",
    "nul": "a\x00b",
}
PERSONAS = ("anonymous", "requester", "agent", "manager", "admin")


# --- the seeded desk -----------------------------------------------------------------------------


@dataclass
class World:
    users: dict
    sessions: dict  # persona -> session key, signed in once for the module
    kwargs: dict  # url name, app namespace or argument name -> real value(s)


def _seed() -> World:
    acme = OrganisationFactory(name="Acme", domain="acme.example", shares_tickets=True)
    users = {
        "requester": UserFactory(email="alice@acme.example", full_name="Alice Smith", organisation=acme),
        "agent": UserFactory(email="carol@helpdesk.example", full_name="Carol Nguyen", role=Role.AGENT),
        "dave": UserFactory(email="dave@helpdesk.example", full_name="Dave Fischer", role=Role.AGENT),
        "manager": UserFactory(email="erin@helpdesk.example", full_name="Erin Walsh", role=Role.MANAGER),
        "admin": UserFactory(email="ada@helpdesk.example", full_name="Ada Admin", role=Role.ADMIN, is_superuser=True),
    }
    alice, carol, erin = users["requester"], users["agent"], users["manager"]
    desk = TeamFactory(name="Service Desk", tier=1, members=[carol], managers=[erin])
    network = TeamFactory(name="Network", tier=2, members=[users["dave"]])
    seed_sla()
    seed_escalation()
    category = Category.objects.create(name="Hardware")
    now = timezone.now()

    def upload(name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, b"log line\n", content_type="text/plain")

    ticket = ticket_create(
        requester=alice, subject="Printer jammed", description="Paper everywhere", acting_user=alice, category=category
    )
    ticket_reply(ticket, "Try the back tray.", acting_user=carol, attachments=[upload("steps.txt")])
    ticket_add_note(ticket, "Known model issue.", acting_user=carol)
    participant = participants_add(ticket, ["cc@acme.example"], acting_user=carol)[0]
    item = ChecklistItem.objects.create(ticket=ticket, position=1, text="Check the tray")
    resolved = ticket_create(requester=alice, subject="VPN drops", description="Every hour", acting_user=alice)
    ticket_resolve(resolved, code="fixed", summary="New profile", acting_user=carol)
    resolution = TicketEvent.objects.get(ticket=resolved, kind=EventKind.RESOLVED)
    other = ticket_create(requester=alice, subject="Monitor flickers", description="Since Monday", acting_user=alice)
    escalation = escalate(
        other, to_team=network, handover={"symptoms": "Flicker", "tried": "Cable", "diagnostics": ""},
        coordinator=carol, at=now,
    )  # fmt: skip
    guest = ticket_create_by_guest(
        name="Gus", email="gus@example.net", language="en", subject="Wi-Fi", description="Slow"
    )
    article = published(carol, erin, title="Printer jammed: the back tray")
    template = ReplyTemplate.objects.create(title="Restart", body="Please restart.", owner=carol)
    feedback = feedback_raise("Export to CSV", acting_user=carol)
    mailbox = Mailbox.objects.create(
        name="desk", address="desk@helpdesk.example", team=desk, transport=Transport.RECEIVER
    )
    inbound = InboundEmail.objects.create(
        mailbox=mailbox, raw=b"From: a@example.org\r\nSubject: Hi\r\n\r\nBody\r\n", message_id="<1@example.org>",
        received_at=now, status=InboundStatus.HELD, sender="a@example.org", subject="Hi",
    )  # fmt: skip
    spike = Spike.objects.create(
        category=category, started_at=now - timedelta(minutes=5), last_seen_at=now, tickets_in_window=5, baseline=0.5
    )
    plan = plan_create(PlanValues(title="Backup test", team=desk, starts_on=dt.date(2026, 1, 1)), acting_user=erin)
    period = period_calculate(period_open(desk, Period.MONTH, now.date(), acting_user=erin), acting_user=erin)
    appointment = reviewer_appoint(desk, carol, acting_user=erin)
    review = QualityReview.objects.create(
        resolution_event=resolution, ticket=resolved, agent=carol, team=desk, day=resolution.created_at.date(),
        reason=ReviewReason.RANDOM, created_at=now,
    )  # fmt: skip
    scorecard = Scorecard.objects.order_by("pk").first()
    token, _raw = token_create(alice, name="script")
    calendar = BusinessCalendar.objects.order_by("pk").first()
    holiday = holiday_add(calendar, dt.date(2031, 12, 25), "Christmas", acting_user=None)

    kwargs = {
        "reference": ticket.reference,
        "token": guest.access_token,
        "tickets:survey": {"token": survey_token(resolution)},
        "tickets:track_attachment": {"token": ticket.access_token, "attachment_id": ticket.attachments.first().pk},
        "attachment_id": ticket.attachments.first().pk,
        "item_id": item.pk,
        "tickets:participant_remove": {"reference": ticket.reference, "pk": participant.pk},
        "tickets:escalation_send_back": {"reference": other.reference, "pk": escalation.pk},
        "accounts": token.pk,
        "accounts:password_reset_confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(alice.pk)),
            "token": default_token_generator.make_token(alice),
        },
        "kpis_appraisal": period.pk,
        "kpis_appraisal:my_appraisal": {"pk": period.appraisals.get(agent=carol).pk},
        "kpis_appraisal:my_appraisal_pdf": {"pk": period.appraisals.get(agent=carol).pk},
        "agent_id": carol.pk,
        "kpis_reviews:reviewer_remove": {"pk": appointment.pk},
        "kpis_reviews:review": {"pk": review.pk},
        "kpis_reviews:my_review": {"pk": review.pk},
        "kpis_reviews:scorecard_item": {"pk": scorecard.pk, "item_id": scorecard.items.order_by("pk").first().pk},
        "kpis_reviews": scorecard.pk,
        "step": "calculate",
        "maintenance": plan.pk,
        "incidents": spike.pk,
        "feedback": feedback.pk,
        "feedback:unlink": {"pk": feedback.pk, "reference": ticket.reference},
        "feedback:record": {"reference": ticket.reference},
        "mail": inbound.pk,
        "escalation": calendar.pk,
        "holiday_pk": holiday.pk,
        "escalation:policy": SlaPolicy.objects.order_by("pk").first().pk,
        "escalation:rule": EscalationRule.objects.order_by("pk").first().pk,
        "direction": "up",
        "kb": article.pk,
        "kb_agent": article.pk,
        "number": 1,
        "decision": "approved",
        "canned": template.pk,
        "tickets:my_ticket": {"reference": resolved.reference},
    }
    sessions = {}
    for persona in PERSONAS[1:]:
        client = Client()
        client.force_login(users[persona])
        sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(users=users, sessions=sessions, kwargs=kwargs)


# The path arguments ``real_kwargs`` knows how to fill: the completeness test checks every page's.
PATH_ARGUMENTS = {
    "reference", "token", "attachment_id", "item_id", "agent_id", "step", "holiday_pk", "direction", "number",
    "decision", "uidb64", "pk",
}  # fmt: skip


def real_kwargs(world: World, name: str, route: str) -> dict:
    """The page's path arguments, filled with the seeded desk's objects."""
    arguments = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if not arguments:
        return {}
    if name in world.kwargs:
        return dict(world.kwargs[name])
    filled = {}
    app = name.split(":")[0]
    for argument in arguments:
        if argument == "pk":
            key = next((k for k in (name.rsplit("_", 1)[0], app) if k in world.kwargs), app)
            filled["pk"] = world.kwargs[key]
        else:
            filled[argument] = world.kwargs[argument]
    return filled


@pytest.fixture(scope="module")
def _world_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _seed()
        transaction.set_rollback(True)


@pytest.fixture
def world(_world_once, db):
    return _world_once


# --- the fuzz ------------------------------------------------------------------------------------


class Fuzz:
    """Sends the requests, one client per persona, and collects every answer that is not allowed."""

    def __init__(self, world: World, *, unavailable_is_fine: bool = False):
        # /healthz answers 503 by design when no worker answers (none runs here).
        self.unavailable_is_fine = unavailable_is_fine
        self.clients = {}
        for persona in PERSONAS:
            client = Client()
            if persona != "anonymous":
                client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
            self.clients[persona] = client
        self.problems: list[str] = []
        self.count = 0

    def send(self, persona: str, method: str, url: str, label: str, **kwargs):
        self.count += 1
        client = self.clients[persona]
        try:
            response = getattr(client, method)(url, **kwargs)
        except Exception as error:  # the test client re-raises what a view raised
            self.problems.append(f"{persona} {method.upper()} {url[:160]} [{label}]: {type(error).__name__}: {error}")
            return None
        problem = None if self.unavailable_is_fine and response.status_code == 503 else self.judge(response)
        if problem:
            self.problems.append(f"{persona} {method.upper()} {url[:160]} [{label}]: {problem}")
        return response

    @staticmethod
    def judge(response) -> str | None:
        status = response.status_code
        if status >= 500:
            return f"status {status}"
        if status in (301, 302, 303, 307):
            return None  # to sign in, or where a form goes next
        if status not in (200, 204, 400, 403, 404, 405, 409, 413):
            return f"unexpected status {status}"
        body = b"" if response.streaming else response.content
        if b"Traceback" in body or b"Exception Value" in body:
            return f"status {status} shows a traceback"
        if status in (400, 404) and len(body.strip()) < 20:
            return f"status {status} without a message: {body[:80]!r}"
        return None


def fill(route: str, values: dict) -> str:
    """The route with its arguments replaced by ``values`` as they are (already URL-encoded)."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), route)


def _rotation(personas):
    return itertools.cycle(personas)


PAGE_NAMES = sorted(PAGES)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_answers_hostile_input_without_a_server_error(world, name):
    route = page_routes()[name]
    page = PAGES[name]
    kwargs = real_kwargs(world, name, route)
    url = reverse(name, kwargs=kwargs)
    fuzz = Fuzz(world, unavailable_is_fine=name == "healthz")
    method = "get" if page.get else "post"

    # 1. As everyone, with real arguments: who may open the page at all?
    reached = []
    for persona in PERSONAS:
        if name == "healthz" and persona != "anonymous":
            continue  # it waits for a worker's answer (2 s): once is enough
        response = fuzz.send(persona, method, url, "real arguments")
        if response is not None and response.status_code not in (302, 403, 405):
            reached.append(persona)
    fuzzers = _rotation(reached or ["admin"])
    everyone = _rotation([p for p in PERSONAS if p != "anonymous"] if name != "healthz" else ["anonymous"])

    # 2. Hostile path arguments, as those who reach the page.
    for converter, argument in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        for value in HOSTILE_PATH.get(converter or "str", HOSTILE_PATH["str"]):
            hostile = fill(route, {**kwargs, argument: value})
            fuzz.send(next(fuzzers), method, hostile, f"{argument}={value[:20]}")

    # 3. Each query parameter the view reads with hostile values; all at once; repeated; as lists.
    for parameter in page.query:
        for label in values_for(page, parameter):
            fuzz.send(next(fuzzers), "get", f"{url}?{parameter}={HOSTILE_VALUES[label]}", f"{parameter} {label}")
    if len(page.query) > 2:
        for label in ROTATING:
            value = HOSTILE_VALUES[label]
            everything = "&".join(f"{parameter}={value}" for parameter in page.query)
            fuzz.send(next(fuzzers), "get", f"{url}?{everything}", f"every parameter {label}")
    if page.query:
        repeated = "&".join(f"{parameter}=1&{parameter}=2&{parameter}=" for parameter in page.query)
        fuzz.send(next(everyone), "get", f"{url}?{repeated}", "every parameter repeated")
        listed = "&".join(f"{parameter}[]=1&{parameter}[x]=2" for parameter in page.query)
        fuzz.send(next(everyone), "get", f"{url}?{listed}", "every parameter as a list")
    elif not page.heavy:
        fuzz.send(next(fuzzers), "get", f"{url}?q={HOSTILE_VALUES['invalid-utf8']}&page=-1", "unread parameters")

    # 4. POST bodies: each hostile value in every field, repeated fields, JSON and wrong types.
    if page.post is not None:
        posters = _rotation(reached or ["admin", "agent", "requester", "manager"])
        for label, value in HOSTILE_FIELDS.items():
            if page.heavy and label not in ("overlong", "month-13"):
                continue
            data = dict.fromkeys(page.post, value)
            fuzz.send(next(posters), "post", url, f"POST every field {label}", data=data)
        bodies = {
            "repeated fields": ({field: ["1", "2", HOSTILE_FIELDS["overlong"]] for field in page.post}, None),
            "deep JSON": ("[" * 50_000 + "]" * 50_000, "application/json"),
            "malformed JSON": ('{"a": [1, 2', "application/json"),
            "multipart without boundary": (b"--x\r\n", "multipart/form-data"),
            "invalid UTF-8 form": (b"a=%FF%FE&b=%C0%AF", "application/x-www-form-urlencoded"),
        }
        for label, (body, content_type) in bodies.items():
            if page.heavy and label not in ("malformed JSON", "multipart without boundary"):
                continue
            extra = {"content_type": content_type} if content_type else {}
            fuzz.send(next(posters), "post", url, f"POST {label}", data=body, **extra)

    assert not fuzz.problems, f"{len(fuzz.problems)} of {fuzz.count} answers failed:\n" + "\n".join(fuzz.problems)


# --- the admin -----------------------------------------------------------------------------------

ADMIN_MODELS = sorted(f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry)


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_pages_answer_hostile_input_without_a_server_error(world, model):
    """The admin's list (search, ordering, page, filters) and change page, as the admin."""
    app_label, model_name = model.split(".")
    fuzz = Fuzz(world)
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    for label in ("overlong", "invalid-utf8", "sql"):
        value = HOSTILE_VALUES[label]
        fuzz.send("admin", "get", f"{changelist}?q={value}&o={value}&p={value}", f"changelist {label}")
    fuzz.send("admin", "get", f"{changelist}?created_at__gte=2026-13-45&id__exact=x&e=1", "changelist filters")
    for value in ("9" * 30, "x" * 10_050, "%FF%FE"):
        fuzz.send("admin", "get", f"{changelist}{value}/change/", f"change page {value[:20]}")
    assert not fuzz.problems, f"{len(fuzz.problems)} of {fuzz.count} answers failed:\n" + "\n".join(fuzz.problems)


# --- what the fuzz found (each was a 500) ---------------------------------------------------------


def test_an_impossible_dashboard_start_shows_the_current_period(world):
    fuzz = Fuzz(world)
    for value in ("2026-13-45", "0000-00-00"):
        response = fuzz.send("manager", "get", f"/manage/kpis/?start={value}", "start")
        assert response is not None and response.status_code == 200, fuzz.problems


@pytest.mark.parametrize("url", ["/accounts/language/", "/agent/bulk/"])
def test_a_next_that_is_not_a_path_goes_back_home(world, url):
    """``redirect()`` took a bare word for a view's name (NoReverseMatch); it is no address either."""
    fuzz = Fuzz(world)
    for value in ("2026-13-45", "tickets:agent_queue", "//evil.example/"):
        response = fuzz.send("agent", "post", url, "next", data={"language": "en", "next": value})
        assert response is not None and response.status_code == 302, fuzz.problems
        assert response["Location"] == "/"
