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
