"""Who gets what from /api/v1/tickets/: every endpoint against every kind of caller, as on the pages.

The ticket is alice's (Acme, shared with her organisation) in the Service Desk. Callers:
alice herself, bob (her colleague: the ticket is shared), alice looking at bob's private
ticket, oscar (Globex), carol (Service Desk agent), dave (Network agent), erin (manages the
Service Desk), nina (manages Network), ada (admin), nobody, and alice's revoked and expired tokens.

- a ticket the caller may not see: 404, whatever the endpoint (its existence is not disclosed);
- a ticket they see but an action that is not theirs: 403;
- no (valid) credentials: 401.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.tokens import ApiToken, token_create, token_revoke
from tests.factories import UserFactory
from tickets.models import Attachment
from tickets.services import ticket_add_note, ticket_create, ticket_reply

LIST = reverse("tickets_api:ticket-list")

UNAUTHENTICATED = ("nobody", "revoked_token", "expired_token")
# (caller, whose ticket they ask for)
REQUESTER_SIDE = (("alice", "alice"), ("bob", "alice"))
HIDDEN = (("alice", "bob_private"), ("oscar", "alice"), ("dave", "alice"), ("nina", "alice"))
STAFF = (("carol", "alice"), ("erin", "alice"), ("ada", "alice"))
CASES = [(caller, "alice") for caller in UNAUTHENTICATED] + list(REQUESTER_SIDE) + list(HIDDEN) + list(STAFF)


@pytest.fixture
def world(alice, bob, oscar, carol, dave, erin, ada, acme, service_desk, network_team):
    """The tickets and the callers' clients."""
    nina = UserFactory(email="nina@helpdesk.example", full_name="Nina Berg", role=Role.MANAGER)
    network_team.managers.add(nina)
    shared = ticket_create(
        requester=alice,
        subject="Shared printer jam",
        description="Third floor",
        acting_user=alice,
        shared_with_organisation=True,
    )
    ticket_reply(
        shared,
        "Photo attached",
        attachments=[SimpleUploadedFile("jam.txt", b"public file", content_type="text/plain")],
        acting_user=alice,
    )
    ticket_add_note(
        shared,
        "Vendor log",
        attachments=[SimpleUploadedFile("vendor.log", b"internal file", content_type="text/plain")],
        acting_user=carol,
    )
    private = ticket_create(requester=bob, subject="My payslip is wrong", description="Private", acting_user=bob)
    # Another Service Desk ticket, for merge and link.
    other = ticket_create(requester=alice, subject="Second printer", description="x", acting_user=alice)
    people = {"alice": alice, "bob": bob, "oscar": oscar, "carol": carol, "dave": dave, "erin": erin, "ada": ada}
    people["nina"] = nina
    return {"tickets": {"alice": shared, "bob_private": private, "other": other}, "people": people}


def client_of(world, caller: str) -> APIClient:
    client = APIClient()
    alice = world["people"]["alice"]
    if caller == "revoked_token":
        token, raw = token_create(alice, name="revoked")
        token_revoke(token, acting_user=alice)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    elif caller == "expired_token":
        token, raw = token_create(alice, name="expired", expires_at=timezone.now() + timedelta(days=1))
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    elif caller != "nobody":
        # A token, as an integrator would use: the same rules as a session.
        _token, raw = token_create(world["people"][caller], name="matrix")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def expected(caller: str, owner: str, *, staff_only: bool) -> set[int] | str:
    """The status a caller gets, or "allowed": past the permission checks (any other status)."""
    if caller in UNAUTHENTICATED:
        return {401}
    if (caller, owner) in HIDDEN:
        return {404}
    if (caller, owner) in REQUESTER_SIDE and staff_only:
        return {403}
    return "allowed"


def check(response, wanted) -> None:
    if wanted == "allowed":
        assert response.status_code not in (401, 403, 404), response.content
        assert response.status_code < 500
    else:
        assert response.status_code in wanted, response.content
        assert response.json()["code"] in (
            "not_authenticated",
            "authentication_failed",
            "permission_denied",
            "not_found",
        )


def path(ticket, action: str = "") -> str:
    name = f"tickets_api:ticket-{action}" if action else "tickets_api:ticket-detail"
    return reverse(name, args=[ticket.reference])


# --- reads ----------------------------------------------------------------------------------

READS = {
    "detail": (lambda ticket: path(ticket), False),
    "messages": (lambda ticket: path(ticket, "messages"), False),
    "events": (lambda ticket: path(ticket, "events"), True),
    "participants": (lambda ticket: path(ticket, "participants"), False),
    "checklist": (lambda ticket: path(ticket, "checklist"), True),
}


@pytest.mark.parametrize(("caller", "owner"), CASES)
@pytest.mark.parametrize("read", list(READS))
def test_reads(world, caller, owner, read):
    make_path, staff_only = READS[read]
    ticket = world["tickets"][owner]

    response = client_of(world, caller).get(make_path(ticket))

    check(response, expected(caller, owner, staff_only=staff_only))


@pytest.mark.parametrize(("caller", "owner"), CASES)
@pytest.mark.parametrize("internal", [False, True])
def test_attachment_downloads(world, caller, owner, internal):
    ticket = world["tickets"]["alice"]
    attachment = Attachment.objects.get(ticket=ticket, message__is_public=not internal)
    url = reverse("tickets_api:ticket-attachment", args=[ticket.reference, attachment.pk])
    if owner == "bob_private":
        # Bob's private ticket has no file: ask for alice's file through bob's ticket, which is as hidden.
        url = reverse("tickets_api:ticket-attachment", args=[world["tickets"]["bob_private"].reference, attachment.pk])

    response = client_of(world, caller).get(url)

    wanted = expected(caller, owner, staff_only=False)
    if internal and wanted == "allowed" and (caller, owner) in REQUESTER_SIDE:
        # An internal note's file does not exist for the requester side, as on the page.
        wanted = {404}
    check(response, wanted)
    if wanted == "allowed":
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == (b"internal file" if internal else b"public file")


# --- actions --------------------------------------------------------------------------------


def action_request(world, action: str):
    """(method, path, body, staff only) of each action on alice's ticket."""
    ticket, other = world["tickets"]["alice"], world["tickets"]["other"]
    carol, network = world["people"]["carol"], world["people"]["dave"].teams.get()
    return {
        "reply": ("post", path(ticket, "reply"), {"body": "Any news?"}, False),
        "note": ("post", path(ticket, "note"), {"body": "Internal"}, True),
        "assign": ("post", path(ticket, "assign"), {"assignee": carol.pk}, True),
        "take": ("post", path(ticket, "take"), {}, True),
        "status": ("post", path(ticket, "change-status"), {"status": "pending"}, False),
        "priority": ("post", path(ticket, "change-priority"), {"impact": "1", "reason": "Whole floor"}, True),
        "resolve": ("post", path(ticket, "resolve"), {"code": "fixed", "summary": "Done"}, True),
        "reopen": ("post", path(ticket, "reopen"), {}, False),
        "close": ("post", path(ticket, "close"), {}, False),
        "escalate": (
            "post",
            path(ticket, "escalate"),
            {"to_team": network.pk, "symptoms": "a", "tried": "b", "diagnostics": "c"},
            True,
        ),
        "send-back": ("post", path(ticket, "send-back"), {"reason": "Not ours"}, True),
        "merge": ("post", path(ticket, "merge"), {"into": other.reference}, True),
        "link": ("post", path(ticket, "link"), {"target": other.reference, "kind": "related_to"}, True),
        "tags": ("post", path(ticket, "tags"), {"tags": ["printer"]}, True),
        "update": ("patch", path(ticket), {"type": "incident"}, True),
        "participants": ("post", path(ticket, "participants"), {"email": "zoe@example.com"}, True),
    }[action]


ACTIONS = [
    "reply",
    "note",
    "assign",
    "take",
    "status",
    "priority",
    "resolve",
    "reopen",
    "close",
    "escalate",
    "send-back",
    "merge",
    "link",
    "tags",
    "update",
    "participants",
]


@pytest.mark.parametrize(("caller", "owner"), CASES)
@pytest.mark.parametrize("action", ACTIONS)
def test_actions(world, caller, owner, action):
    method, url, body, staff_only = action_request(world, action)
    if owner == "bob_private":
        url = url.replace(world["tickets"]["alice"].reference, world["tickets"]["bob_private"].reference)

    response = getattr(client_of(world, caller), method)(url, body, format="json")

    check(response, expected(caller, owner, staff_only=staff_only))


# --- leaks through the list, its filters and nested objects -----------------------------------

LISTED = {
    "alice": {"alice", "other"},
    "bob": {"alice", "bob_private"},
    "oscar": set(),
    "carol": {"alice", "other", "bob_private"},
    "dave": set(),
    "erin": {"alice", "other", "bob_private"},
    "nina": set(),
    "ada": {"alice", "other", "bob_private"},
}
FILTERS = [
    {},
    {"view": "all"},
    {"q": "payslip"},
    {"requester": "bob@acme.example"},
    {"requester": "Bob"},
    {"status": "new"},
    {"page_size": 200},
]


@pytest.mark.parametrize("caller", list(LISTED))
def test_the_list_shows_only_what_the_caller_may_see_whatever_the_filter(world, caller):
    client = client_of(world, caller)
    by_reference = {ticket.reference: name for name, ticket in world["tickets"].items()}

    for params in FILTERS:
        if "view" in params and caller not in ("carol", "erin", "ada", "dave", "nina"):
            continue  # the workspace views are for staff
        response = client.get(LIST, params)
        assert response.status_code == 200, (params, response.content)
        body = response.json()
        assert "count" not in body  # cursor pages: no total that would count hidden tickets
        listed = {by_reference.get(row["reference"], row["reference"]) for row in body["results"]}
        assert listed <= LISTED[caller], params
        if not params or params == {"page_size": 200}:
            assert listed == LISTED[caller]


def test_a_linked_ticket_the_caller_may_not_see_is_named_never_expanded(world):
    from tickets.services import ticket_link

    shared = world["tickets"]["alice"]
    outage = ticket_create(
        requester=world["people"]["oscar"],
        subject="Globex core switch down",
        description="secret topology",
        acting_user=world["people"]["oscar"],
        team=world["people"]["dave"].teams.get(),
    )
    ticket_link(shared, outage, "related_to", acting_user=world["people"]["ada"])

    staff = client_of(world, "carol").get(path(shared))
    requester = client_of(world, "alice").get(path(shared))

    assert staff.json()["links"] == [{"kind": "related_to", "direction": "outgoing", "ticket": outage.reference}]
    assert b"Globex core switch down" not in staff.content and b"secret topology" not in staff.content
    assert client_of(world, "carol").get(path(outage)).status_code == 404
    assert "links" not in requester.json() and outage.reference.encode() not in requester.content


def test_a_merge_target_the_caller_may_not_see_is_named_never_expanded(world):
    from tickets.services import ticket_merge

    alice = world["people"]["alice"]
    other = world["tickets"]["other"]
    target = ticket_create(
        requester=alice,
        subject="Printers down on every floor",
        description="Network side",
        acting_user=alice,
        team=world["people"]["dave"].teams.get(),
    )
    ticket_merge([other], target, acting_user=world["people"]["ada"])

    seen = client_of(world, "carol").get(path(other))

    assert seen.status_code == 200
    assert {"kind": "duplicate_of", "direction": "outgoing", "ticket": target.reference} in seen.json()["links"]
    # Named, not expanded: neither its description nor its thread comes along. (The merge's
    # resolution summary quotes the target's subject, on the page too: tickets/services.)
    assert b"Network side" not in seen.content and "Printers down" not in str(seen.json()["messages"])
    assert client_of(world, "carol").get(path(target)).status_code == 404


def test_merging_with_someone_else_s_private_ticket_is_refused(world):
    response = client_of(world, "carol").post(
        path(world["tickets"]["alice"], "merge"), {"into": world["tickets"]["bob_private"].reference}, format="json"
    )

    assert response.status_code == 400 and response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    ("caller", "query", "found"),
    [
        ("alice", "payslip", set()),  # bob's private ticket
        ("bob", "payslip", {"bob_private"}),
        ("oscar", "printer", set()),
        ("dave", "printer", set()),
        ("carol", "payslip", {"bob_private"}),
        ("alice", "printer", {"alice", "other"}),
        ("bob", "printer", {"alice"}),  # shared with him; alice's other one is not
        ("alice", "vendor", set()),  # a word of carol's internal note only
        ("carol", "vendor", {"alice"}),
    ],
)
def test_search_finds_only_what_the_caller_may_see(world, caller, query, found):
    by_reference = {ticket.reference: name for name, ticket in world["tickets"].items()}

    response = client_of(world, caller).get(LIST, {"q": query})

    assert response.status_code == 200, response.content
    assert {by_reference[row["reference"]] for row in response.json()["results"]} == found


def test_search_by_reference_of_a_hidden_ticket_finds_nothing(world):
    private = world["tickets"]["bob_private"]

    response = client_of(world, "alice").get(LIST, {"q": private.reference})

    assert response.json()["results"] == []


@pytest.mark.parametrize(("caller", "owner"), [*REQUESTER_SIDE, *STAFF])
def test_internal_notes_and_their_files_reach_staff_only(world, caller, owner):
    ticket = world["tickets"][owner]
    client = client_of(world, caller)

    reads = [client.get(path(ticket)), client.get(path(ticket, "messages")), client.get(LIST, {"q": "vendor"})]

    assert all(response.status_code == 200 for response in reads)
    leaked = [b"Vendor log" in response.content or b"vendor.log" in response.content for response in reads]
    if (caller, owner) in REQUESTER_SIDE:
        assert leaked == [False, False, False]
    else:
        assert leaked[:2] == [True, True]


# === reference data and KPI reads ==============================================================
# The same callers against every read that is not a ticket: reference data (people, teams,
# organisations, categories, templates, SLA policies, calendars, escalation rules, vendors) and
# the KPI reads (figures, scorecards, appraisals, the export). Expected rows are named; ALL is
# every row of the model; an int is the status the caller gets instead of a list.

ALL = "all"
READERS = ("alice", "oscar", "carol", "dave", "erin", "nina", "ada")
YESTERDAY = timezone.localdate() - timedelta(days=1)


@pytest.fixture
def reads_world(world, acme, globex, service_desk, network_team):
    from canned.models import ReplyTemplate
    from escalation.models import EscalationRule
    from kpis.appraisals import period_calculate, period_finalize, period_open, period_start_review
    from kpis.models import Dimension, Period, PeriodFigure, Scorecard
    from tickets.models import Category, Vendor
    from tickets.services import ticket_assign
    from tickets.sla.models import BusinessCalendar, SlaPolicy

    people = world["people"]
    carol, dave, erin, nina, oscar = (people[name] for name in ("carol", "dave", "erin", "nina", "oscar"))
    # Activity for the export: carol answers alice's ticket, dave a Network ticket of oscar's.
    shared = world["tickets"]["alice"]
    ticket_assign(shared, carol, acting_user=carol)
    ticket_reply(shared, "On my way", acting_user=carol)
    outage = ticket_create(
        requester=oscar, subject="Switch down", description="x", acting_user=oscar, team=network_team
    )
    ticket_assign(outage, dave, acting_user=dave)
    ticket_reply(outage, "Rebooting it", acting_user=dave)

    calendar = BusinessCalendar.objects.create(name="Office hours")
    now = timezone.now()
    month = timezone.localdate().replace(day=1)

    def figure(dimension, key):
        PeriodFigure.objects.create(
            period=Period.MONTH, start=month, dimension=dimension, key=key, values={"tickets_resolved": 1},
            computed_at=timezone.now(),
        )  # fmt: skip

    for dimension, key in [
        (Dimension.AGENT, carol.pk),
        (Dimension.AGENT, dave.pk),
        (Dimension.TEAM, service_desk.pk),
        (Dimension.TEAM, network_team.pk),
        (Dimension.DESK, 0),
    ]:
        figure(dimension, key)
    # Carol's appraisal is final; dave's (Network, managed by nina) is still a draft.
    desk_period = period_open(service_desk, Period.MONTH, month, acting_user=erin)
    period_calculate(desk_period, acting_user=erin)
    period_start_review(desk_period, acting_user=erin)
    period_finalize(desk_period, acting_user=erin)
    network_period = period_open(network_team, Period.MONTH, month, acting_user=nina)
    period_calculate(network_period, acting_user=nina)
    period_start_review(network_period, acting_user=nina)

    objects = {
        "acme": acme,
        "globex": globex,
        "service_desk": service_desk,
        "network": network_team,
        "printers": Category.objects.create(name="Printers"),
        "carols_template": ReplyTemplate.objects.create(title="Mine", body="x", owner=carol),
        "desk_template": ReplyTemplate.objects.create(title="Desk", body="x", team=service_desk),
        "daves_template": ReplyTemplate.objects.create(title="Dave's", body="x", owner=dave),
        "network_template": ReplyTemplate.objects.create(title="Net", body="x", team=network_team),
        "policy": SlaPolicy.objects.create(
            name="Standard", calendar=calendar, first_response_minutes=60, resolution_minutes=480
        ),
        "calendar": calendar,
        "rule": EscalationRule.objects.create(
            name="Breach", trigger="breached", sla_target="resolution", created_at=now, updated_at=now
        ),
        "vendor": Vendor.objects.create(name="Acme Printers Ltd"),
        "desk_scorecard": Scorecard.objects.create(team=service_desk, name="Desk card"),
        "network_scorecard": Scorecard.objects.create(team=network_team, name="Network card"),
        "carols_appraisal": desk_period.appraisals.get(agent=carol),
        "daves_appraisal": network_period.appraisals.get(agent=dave),
        **people,
    }
    return {**world, "objects": objects}


def _staff(rows, *, requesters=403):
    """Rows for every staff caller, ``requesters`` for alice and oscar."""
    return {"alice": requesters, "oscar": requesters, **dict.fromkeys(("carol", "dave", "erin", "nina", "ada"), rows)}


def _managers(rows):
    return {**_staff(403), **dict.fromkeys(("erin", "nina", "ada"), rows)}


REFERENCE_READS = {
    # endpoint name: {caller: the rows they list, or the status they get}
    "api:category-list": dict.fromkeys(READERS, ALL),
    "api:team-list": _staff(ALL, requesters=set()),
    "api:user-list": {**_staff(ALL), "alice": {"alice"}, "oscar": {"oscar"}},
    "api:organisation-list": {**_staff(ALL), "alice": {"acme"}, "oscar": {"globex"}},
    "api:reply-template-list": {
        "alice": set(),
        "oscar": set(),
        "carol": {"carols_template", "desk_template"},
        "dave": {"daves_template", "network_template"},
        "erin": {"desk_template"},
        "nina": {"network_template"},
        "ada": {"desk_template", "network_template"},  # team templates; nobody's personal ones
    },
    "api:sla-policy-list": _managers(ALL),
    "api:calendar-list": _managers(ALL),
    "api:escalation-rule-list": _managers(ALL),
    "api:vendor-list": _staff(ALL),
    "api:scorecard-list": {
        **_staff(None),
        "carol": {"default", "desk_scorecard"},
        "dave": {"default", "network_scorecard"},
        "erin": {"default", "desk_scorecard"},
        "nina": {"default", "network_scorecard"},
        "ada": ALL,
    },
    "api:appraisal-list": {
        **_staff(None),
        "carol": {"carols_appraisal"},
        "dave": set(),  # his own is still a draft
        "erin": {"carols_appraisal"},  # every appraisal of her team (carol is its only agent)
        "nina": {"daves_appraisal"},  # drafts of her team included
        "ada": {"carols_appraisal", "daves_appraisal"},
    },
}


def _listed(response) -> list[dict]:
    body = response.json()
    if isinstance(body, dict):
        assert "count" not in body  # cursor pages: no total that would count hidden rows
        return body["results"]
    return body


def _expected_ids(reads_world, endpoint: str, rows) -> set[int]:
    from kpis.models import Scorecard

    objects = reads_world["objects"]
    if rows == ALL:
        from accounts.models import Organisation, Team, User
        from escalation.models import EscalationRule
        from tickets.models import Category, Vendor
        from tickets.sla.models import BusinessCalendar, SlaPolicy

        rows_of = {
            "api:category-list": Category.objects.all(),
            "api:team-list": Team.objects.all(),
            "api:user-list": User.objects.filter(is_active=True),
            "api:organisation-list": Organisation.objects.all(),
            "api:sla-policy-list": SlaPolicy.objects.all(),
            "api:calendar-list": BusinessCalendar.objects.all(),
            "api:escalation-rule-list": EscalationRule.objects.all(),
            "api:vendor-list": Vendor.objects.all(),
            "api:scorecard-list": Scorecard.objects.all(),
        }
        return set(rows_of[endpoint].values_list("pk", flat=True))
    ids = {objects[name].pk for name in rows if name != "default"}
    if "default" in rows:
        ids |= set(Scorecard.objects.filter(team=None).values_list("pk", flat=True))
    return ids


@pytest.mark.parametrize("caller", [*READERS, *UNAUTHENTICATED])
@pytest.mark.parametrize("endpoint", list(REFERENCE_READS))
def test_reference_and_kpi_lists_show_only_what_the_caller_may_see(reads_world, caller, endpoint):
    client = client_of(reads_world, caller)

    # Parameters a list does not know are ignored, never a way round the scope.
    response = client.get(reverse(endpoint), {"search": "bob", "email": "bob@acme.example", "page_size": 200})

    if caller in UNAUTHENTICATED:
        check(response, {401})
        return
    wanted = REFERENCE_READS[endpoint][caller]
    if isinstance(wanted, int) or wanted is None:
        check(response, {403})
        return
    assert response.status_code == 200, response.content
    assert {row["id"] for row in _listed(response)} == _expected_ids(reads_world, endpoint, wanted)


# One object each caller must not see, through the detail endpoint: a 404 (or the list's 403).
HIDDEN_DETAILS = [
    ("alice", "api:user-detail", "bob", 404),
    ("alice", "api:organisation-detail", "globex", 404),
    ("alice", "api:team-detail", "service_desk", 404),
    ("alice", "api:reply-template-detail", "desk_template", 404),
    ("alice", "api:vendor-detail", "vendor", 403),
    ("alice", "api:scorecard-detail", "desk_scorecard", 403),
    ("alice", "api:appraisal-detail", "carols_appraisal", 403),
    ("oscar", "api:organisation-detail", "acme", 404),
    ("oscar", "api:user-detail", "alice", 404),
    ("carol", "api:reply-template-detail", "daves_template", 404),
    ("carol", "api:reply-template-detail", "network_template", 404),
    ("carol", "api:scorecard-detail", "network_scorecard", 404),
    ("carol", "api:appraisal-detail", "daves_appraisal", 404),
    ("carol", "api:sla-policy-detail", "policy", 403),
    ("carol", "api:calendar-detail", "calendar", 403),
    ("carol", "api:escalation-rule-detail", "rule", 403),
    ("dave", "api:scorecard-detail", "desk_scorecard", 404),
    ("dave", "api:appraisal-detail", "carols_appraisal", 404),
    ("dave", "api:appraisal-detail", "daves_appraisal", 404),  # a draft is not his yet
    ("erin", "api:appraisal-detail", "daves_appraisal", 404),
    ("erin", "api:reply-template-detail", "carols_template", 404),
    ("nina", "api:appraisal-detail", "carols_appraisal", 404),
    ("nina", "api:scorecard-detail", "desk_scorecard", 404),
    ("ada", "api:reply-template-detail", "carols_template", 404),  # personal: its owner's alone
]


@pytest.mark.parametrize(("caller", "endpoint", "name", "status"), HIDDEN_DETAILS)
def test_an_object_the_caller_may_not_see_is_not_found(reads_world, caller, endpoint, name, status):
    response = client_of(reads_world, caller).get(reverse(endpoint, args=[reads_world["objects"][name].pk]))

    check(response, {status})


@pytest.mark.parametrize("caller", UNAUTHENTICATED)
@pytest.mark.parametrize("endpoint", ["api:user-detail", "api:appraisal-detail", "api:scorecard-detail"])
def test_details_without_a_valid_token_are_a_401(reads_world, caller, endpoint):
    name = {"api:user-detail": "alice", "api:appraisal-detail": "carols_appraisal"}.get(endpoint, "desk_scorecard")

    response = client_of(reads_world, caller).get(reverse(endpoint, args=[reads_world["objects"][name].pk]))

    check(response, {401})


# --- KPI figures and the export ---------------------------------------------------------------

FIGURES_SEEN = {
    # dimension: {caller: the keys listed (names; "desk" is key 0), or a status}
    "agent": {
        "alice": 403,
        "oscar": 403,
        "carol": {"carol"},
        "dave": {"dave"},
        "erin": {"carol"},
        "nina": {"dave"},
        "ada": {"carol", "dave"},
    },
    "team": {
        "alice": 403,
        "oscar": 403,
        "carol": {"service_desk"},
        "dave": {"network"},
        "erin": {"service_desk"},
        "nina": {"network"},
        "ada": {"service_desk", "network"},
    },
    "desk": {
        "alice": 403,
        "oscar": 403,
        "carol": 403,
        "dave": 403,
        "erin": {"desk"},
        "nina": {"desk"},
        "ada": {"desk"},
    },
}


@pytest.mark.parametrize("caller", [*READERS, *UNAUTHENTICATED])
@pytest.mark.parametrize("dimension", list(FIGURES_SEEN))
def test_kpi_figures_show_only_the_keys_the_caller_may_read(reads_world, caller, dimension):
    objects = reads_world["objects"]
    params = {"period": "month", "start": timezone.localdate().isoformat(), "dimension": dimension}

    response = client_of(reads_world, caller).get(reverse("api-kpi-figures"), params)

    if caller in UNAUTHENTICATED:
        check(response, {401})
        return
    wanted = FIGURES_SEEN[dimension][caller]
    if isinstance(wanted, int):
        check(response, {wanted})
        return
    assert response.status_code == 200, response.content
    assert {row["key"] for row in response.json()} == {0 if name == "desk" else objects[name].pk for name in wanted}


@pytest.mark.parametrize(
    ("caller", "dimension", "name"),
    [
        ("carol", "agent", "dave"),
        ("carol", "team", "network"),
        ("dave", "agent", "carol"),
        ("erin", "agent", "dave"),
        ("erin", "team", "network"),
        ("nina", "agent", "carol"),
    ],
)
def test_asking_for_a_key_the_caller_may_not_read_is_a_403(reads_world, caller, dimension, name):
    params = {
        "start": timezone.localdate().isoformat(),
        "dimension": dimension,
        "key": reads_world["objects"][name].pk,
    }

    response = client_of(reads_world, caller).get(reverse("api-kpi-figures"), params)

    check(response, {403})


@pytest.mark.parametrize("caller", [*READERS, *UNAUTHENTICATED])
def test_the_kpi_export_holds_only_the_rows_the_caller_may_read(reads_world, caller):
    objects = reads_world["objects"]
    window = {"from": YESTERDAY.isoformat(), "to": (YESTERDAY + timedelta(days=2)).isoformat()}
    client = client_of(reads_world, caller)

    by_agent = client.get(reverse("api-kpi-export"), {**window, "by": "agent"})
    by_team = client.get(reverse("api-kpi-export"), {**window, "by": "team"})

    if caller in UNAUTHENTICATED:
        check(by_agent, {401})
        return
    if caller in ("alice", "oscar", "carol", "dave"):
        check(by_agent, {403})
        check(by_team, {403})
        return
    agents = {row["id"] for row in by_agent.json()}
    teams = {row["id"] for row in by_team.json()}
    carol, dave = objects["carol"].pk, objects["dave"].pk
    desk, network = objects["service_desk"].pk, objects["network"].pk
    if caller == "erin":
        assert carol in agents and dave not in agents
        assert teams <= {desk} and network not in teams
    elif caller == "nina":
        assert dave in agents and carol not in agents
        assert teams <= {network} and desk not in teams
    else:
        assert {carol, dave} <= agents


def test_a_guest_cannot_get_an_api_token(client, service_desk):
    """A guest (tracking link, no password) cannot sign in, so never reaches the token page; the
    tracking link's session does not sign anyone in to the API either."""
    from tickets.services import ticket_create_by_guest

    ticket = ticket_create_by_guest(
        name="Gus Guest", email="gus@example.net", subject="Help", description="x", language="en"
    )
    guest = ticket.requester
    assert not guest.has_usable_password()
    tokens = reverse("accounts:api_tokens")

    assert client.get(reverse("tickets:track", args=[ticket.access_token])).status_code == 200
    page = client.get(tokens)
    created = client.post(tokens, {"name": "mine"})
    client.post(reverse("accounts:login"), {"username": guest.email, "password": ""})

    assert page.status_code == 302 and created.status_code == 302
    assert "_auth_user_id" not in client.session
    assert not ApiToken.objects.filter(user=guest).exists()
    assert client.get(reverse("api-me")).status_code == 401
