"""The tickets REST API (/api/v1/tickets/): who sees what, the actions, and the error shape."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tokens import token_create
from tickets.models import Channel, EventKind, Status, Ticket
from tickets.services import ticket_add_note, ticket_assign, ticket_create, ticket_reply, ticket_resolve

LIST = reverse("tickets_api:ticket-list")


def detail(ticket: Ticket, action: str = "") -> str:
    name = f"tickets_api:ticket-{action}" if action else "tickets_api:ticket-detail"
    return reverse(name, args=[ticket.reference])


def references(response) -> list[str]:
    return [row["reference"] for row in response.json()["results"]]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user(api):
    def sign_in(user):
        api.force_login(user)
        return api

    return sign_in


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Outlook won't sync", description="Since Monday", acting_user=alice)


@pytest.fixture
def tickets(alice, bob, oscar, service_desk, network_team):
    """One ticket each for alice, bob and oscar at the service desk, and alice's at Network."""
    made = {
        name: ticket_create(requester=person, subject=f"{name}'s problem", description="Help", acting_user=person)
        for name, person in [("alice", alice), ("bob", bob), ("oscar", oscar)]
    }
    made["network"] = ticket_create(
        requester=alice, subject="VPN drops", description="Every hour", acting_user=alice, team=network_team
    )
    return made


# --- list -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", ["network", "alice"]),
        ("bob", ["bob"]),
        ("oscar", ["oscar"]),
        ("carol", ["oscar", "bob", "alice"]),
        ("dave", ["network"]),
        ("erin", ["oscar", "bob", "alice"]),
        ("ada", ["network", "oscar", "bob", "alice"]),
    ],
)
def test_list_shows_each_persona_only_the_tickets_they_may_see(request, as_user, tickets, persona, expected):
    response = as_user(request.getfixturevalue(persona)).get(LIST)

    assert response.status_code == 200
    assert references(response) == [tickets[name].reference for name in expected]


def test_colleagues_see_each_others_tickets_shared_with_their_organisation(as_user, acme, bob, tickets):
    Ticket.objects.filter(organisation=acme).update(shared_with_organisation=True)

    response = as_user(bob).get(LIST)

    assert references(response) == [tickets[name].reference for name in ["network", "bob", "alice"]]


def test_list_filters_by_status_team_assignee_and_priority(as_user, carol, ada, tickets, network_team):
    ticket_assign(tickets["bob"], carol, acting_user=carol)
    client = as_user(ada)

    assert references(client.get(LIST, {"status": "open"})) == [tickets["bob"].reference]
    assert references(client.get(LIST, {"assignee": carol.pk})) == [tickets["bob"].reference]
    assert references(client.get(LIST, {"team": network_team.pk})) == [tickets["network"].reference]
    assert len(references(client.get(LIST, {"status": ["new", "open"]}))) == 4
    assert len(references(client.get(LIST, {"unassigned": "true"}))) == 3
    assert references(client.get(LIST, {"priority": 1})) == []


def test_an_invalid_filter_is_a_field_error(as_user, carol, service_desk):
    response = as_user(carol).get(LIST, {"status": "sleeping"})

    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_list_query_count_does_not_grow_with_the_tickets(
    as_user, alice, carol, service_desk, django_assert_max_num_queries
):
    for number in range(20):
        ticket = ticket_create(requester=alice, subject=f"Printer {number}", description="Jammed", acting_user=alice)
        ticket_assign(ticket, carol, acting_user=carol)
    client = as_user(carol)

    with django_assert_max_num_queries(5):
        response = client.get(LIST)

    assert len(response.json()["results"]) == 20
    assert response.json()["results"][0]["assignee"]["name"] == "Carol Nguyen"


def test_list_pages_with_a_cursor_newest_first(as_user, alice, service_desk):
    made = [ticket_create(requester=alice, subject=f"Issue {n}", description="x", acting_user=alice) for n in range(3)]
    client = as_user(alice)

    first = client.get(LIST, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [row["id"] for row in first["results"]] == [made[2].pk, made[1].pk]
    assert [row["id"] for row in second["results"]] == [made[0].pk]
    assert second["next"] is None


def test_anonymous_callers_are_refused(api, ticket):
    assert api.get(LIST).status_code in (401, 403)
    assert api.get(detail(ticket)).status_code in (401, 403)


def test_a_token_signs_in(api, alice, ticket):
    _, raw = token_create(alice, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")

    assert references(api.get(LIST)) == [ticket.reference]


# --- detail ---------------------------------------------------------------------------------


def test_requester_never_receives_internal_notes(as_user, alice, carol, ticket):
    ticket_add_note(ticket, "Her manager asked us to go slow", acting_user=carol)
    ticket_reply(ticket, "Please restart Outlook.", acting_user=carol)

    response = as_user(alice).get(detail(ticket))

    assert response.status_code == 200
    assert "go slow" not in response.content.decode()
    body = response.json()
    assert [m["body"] for m in body["messages"]] == ["Please restart Outlook."]
    assert "tags" not in body and "priority_reason" not in body and "links" not in body


def test_staff_see_the_whole_thread_with_the_public_flag(as_user, carol, ticket):
    ticket_add_note(ticket, "Check the quota", acting_user=carol)
    ticket_reply(ticket, "Please restart Outlook.", acting_user=carol)

    body = as_user(carol).get(detail(ticket)).json()

    assert [(m["body"], m["is_public"]) for m in body["messages"]] == [
        ("Check the quota", False),
        ("Please restart Outlook.", True),
    ]
    assert body["reference"] == ticket.reference and body["tags"] == []


def test_the_reference_is_read_in_any_case_and_without_padding(as_user, alice, ticket):
    response = as_user(alice).get(f"/api/v1/tickets/hd-{ticket.pk}/")

    assert response.status_code == 200
    assert response.json()["reference"] == ticket.reference


@pytest.mark.parametrize("persona", ["bob", "oscar", "dave"])
def test_someone_elses_ticket_is_not_found(request, as_user, ticket, persona):
    client = as_user(request.getfixturevalue(persona))
    missing = client.get("/api/v1/tickets/HD-999999/")
    assert client.get("/api/v1/tickets/not-a-reference/").json() == missing.json()

    for response in [
        client.get(detail(ticket)),
        client.get(detail(ticket, "events")),
        client.post(detail(ticket, "reply"), {"body": "me too"}, format="json"),
        client.post(detail(ticket, "change-status"), {"status": "open"}, format="json"),
        client.post(detail(ticket, "close"), {}, format="json"),
    ]:
        assert response.status_code == 404
        assert response.json() == missing.json()
    assert ticket.events.count() == 1


def test_requester_is_refused_staff_only_actions_on_their_own_ticket(as_user, alice, carol, ticket):
    client = as_user(alice)

    refused = client.get(detail(ticket, "events"))
    assert refused.status_code == 403 and refused.json()["detail"]
    assert client.post(detail(ticket, "note"), {"body": "psst"}, format="json").status_code == 403
    assert client.post(detail(ticket, "assign"), {"assignee": carol.pk}, format="json").status_code == 403
    assert client.post(detail(ticket, "change-priority"), {"urgency": 1}, format="json").status_code == 403
    assert ticket.events.count() == 1


def test_staff_read_the_event_log(as_user, carol, ticket):
    ticket_assign(ticket, carol, acting_user=carol)

    events = as_user(carol).get(detail(ticket, "events")).json()

    assert [(e["kind"], e["old_value"], e["new_value"]) for e in events][1:] == [
        (EventKind.ASSIGNED, None, {"id": carol.pk, "name": "Carol Nguyen"}),
        (EventKind.STATUS_CHANGED, "new", "open"),
    ]


# --- create ---------------------------------------------------------------------------------


def test_requester_raises_a_ticket_through_the_api(as_user, alice, service_desk):
    response = as_user(alice).post(
        LIST,
        {"subject": "  Laptop   fan loud ", "description": "Since the update", "impact": 2, "urgency": 1},
        format="json",
    )

    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert response["Location"] == detail(ticket)
    assert response.json()["reference"] == ticket.reference
    assert (ticket.subject, ticket.channel, ticket.requester, ticket.priority) == ("Laptop fan loud", "api", alice, 2)
    assert ticket.team == service_desk
    event = ticket.events.get()
    assert (event.kind, event.actor, event.new_value["channel"]) == (EventKind.CREATED, alice, Channel.API)


def test_staff_raise_a_ticket_for_a_requester(as_user, alice, carol, service_desk):
    response = as_user(carol).post(
        LIST, {"subject": "Phone call", "description": "Printer down", "requester": alice.pk}, format="json"
    )

    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.events.get().actor) == (alice, carol)
    assert "tags" in response.json()  # carol works it: the staff view


def test_requester_cannot_raise_a_ticket_in_someone_elses_name(as_user, alice, bob, service_desk):
    response = as_user(alice).post(LIST, {"subject": "Hello", "description": "x", "requester": bob.pk}, format="json")

    assert response.status_code == 400
    assert "requester" in response.json()["fields"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"subject": "", "description": "x"}, "subject"),
        ({"subject": "   ", "description": "x"}, "subject"),
        ({"subject": "x" * 201, "description": "x"}, "subject"),
        ({"subject": "Hi", "description": ""}, "description"),
        ({"subject": "Hi", "description": "x", "impact": 7}, "impact"),
        ({"subject": "Hi", "description": "x", "type": "rant"}, "type"),
        ({"subject": "Hi", "description": "x", "category": 999}, "category"),
    ],
)
def test_invalid_input_is_a_400_with_field_errors(as_user, alice, service_desk, payload, field):
    response = as_user(alice).post(LIST, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and list(body["fields"]) == [field]
    assert not Ticket.objects.exists()


def test_files_travel_with_the_request_and_notes_keep_theirs_private(
    as_user, alice, carol, service_desk, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    screenshot = SimpleUploadedFile("error.txt", b"Error 0x800CCC0E", content_type="text/plain")
    created = as_user(alice).post(LIST, {"subject": "Mail", "description": "See file", "attachments": [screenshot]})
    assert created.status_code == 201
    assert [f["name"] for f in created.json()["attachments"]] == ["error.txt"]
    ticket = Ticket.objects.get()
    log = SimpleUploadedFile("server.log", b"quota exceeded", content_type="text/plain")
    note = as_user(carol).post(detail(ticket, "note"), {"body": "Server log", "attachments": [log]})
    assert note.status_code == 201 and [f["name"] for f in note.json()["message"]["attachments"]] == ["server.log"]

    response = as_user(alice).get(detail(ticket))

    assert "server.log" not in response.content.decode()
    assert [f["name"] for f in response.json()["attachments"]] == ["error.txt"]


# --- actions --------------------------------------------------------------------------------


def test_agent_works_a_ticket_and_the_requester_closes_it(as_user, alice, carol, ticket):
    client = as_user(carol)
    assert client.post(detail(ticket, "assign"), {"assignee": carol.pk}, format="json").status_code == 200
    reply = client.post(detail(ticket, "reply"), {"body": "Restart Outlook, please."}, format="json")
    assert reply.status_code == 201 and reply.json()["message"]["is_public"] is True
    note = client.post(detail(ticket, "note"), {"body": "Quota is fine"}, format="json")
    assert note.status_code == 201 and note.json()["message"]["is_public"] is False
    priority = client.post(detail(ticket, "change-priority"), {"priority": 2, "reason": "CEO"}, format="json")
    assert priority.json()["priority"] == 2
    resolved = client.post(detail(ticket, "resolve"), {"code": "fixed", "summary": "Restarted"}, format="json")
    assert resolved.json()["status"] == Status.RESOLVED

    closed = as_user(alice).post(detail(ticket, "close"), {"version": resolved.json()["version"]}, format="json")

    assert closed.status_code == 200 and closed.json()["status"] == Status.CLOSED
    assert [(e.kind, e.actor) for e in ticket.events.all()] == [
        (EventKind.CREATED, alice),
        (EventKind.ASSIGNED, carol),
        (EventKind.STATUS_CHANGED, carol),
        (EventKind.REPLIED, carol),
        (EventKind.NOTE_ADDED, carol),
        (EventKind.PRIORITY_CHANGED, carol),
        (EventKind.RESOLVED, carol),
        (EventKind.CLOSED, alice),
    ]


def test_requester_reopens_a_resolved_ticket(as_user, alice, carol, ticket):
    ticket_resolve(ticket, code="fixed", summary="Done", acting_user=carol)

    response = as_user(alice).post(detail(ticket, "reopen"))

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == (Status.OPEN, 1)


def test_requester_reply_to_a_closed_ticket_opens_a_follow_up(as_user, alice, carol, ticket):
    ticket_resolve(ticket, code="fixed", summary="Done", acting_user=carol)
    as_user(alice).post(detail(ticket, "close"), format="json")

    response = as_user(alice).post(detail(ticket, "reply"), {"body": "It broke again"}, format="json")

    assert response.status_code == 201
    body = response.json()
    follow_up = Ticket.objects.exclude(pk=ticket.pk).get()
    assert body["follow_up"] == body["ticket"]["reference"] == follow_up.reference
    assert body["message"] is None


def test_an_invalid_transition_is_a_409_with_its_message(as_user, carol, ticket):
    ticket_resolve(ticket, code="fixed", summary="Done", acting_user=carol)

    response = as_user(carol).post(detail(ticket, "change-status"), {"status": "pending"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "code": "invalid_transition",
        "detail": "A ticket that is “Resolved” cannot be set to “Pending (waiting on requester)”.",
        "extra": {"current": "resolved", "target": "pending"},
    }


def test_requester_may_not_open_a_new_ticket_themselves(as_user, alice, ticket):
    response = as_user(alice).post(detail(ticket, "change-status"), {"status": "open"}, format="json")

    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_a_stale_version_is_a_409_and_changes_nothing(as_user, carol, erin, ticket):
    version = ticket.version
    ticket_assign(ticket, erin, acting_user=erin)

    response = as_user(carol).post(detail(ticket, "assign"), {"assignee": carol.pk, "version": version}, format="json")

    assert response.status_code == 409
    assert response.json()["extra"] == {"current_version": version + 1}
    ticket.refresh_from_db()
    assert ticket.assignee == erin


def test_a_service_refusal_is_a_400_naming_the_field(as_user, carol, ticket):
    response = as_user(carol).post(detail(ticket, "change-priority"), {"priority": 1}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["extra"] == {"field": "reason"} and "reason" in body["detail"]


def test_assigning_to_a_requester_is_a_field_error(as_user, alice, carol, ticket):
    response = as_user(carol).post(detail(ticket, "assign"), {"assignee": alice.pk}, format="json")

    assert response.status_code == 400
    assert "assignee" in response.json()["fields"]


def test_unassigning_with_null(as_user, carol, ticket):
    ticket_assign(ticket, carol, acting_user=carol)

    response = as_user(carol).post(detail(ticket, "assign"), {"assignee": None}, format="json")

    assert response.status_code == 200 and response.json()["assignee"] is None


def test_resolve_needs_a_known_code_and_a_summary(as_user, carol, ticket):
    response = as_user(carol).post(detail(ticket, "resolve"), {"code": "magic", "summary": ""}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"code", "summary"}


def test_a_note_by_another_teams_agent_is_not_found(as_user, dave, ticket):
    response = as_user(dave).post(detail(ticket, "note"), {"body": "hi"}, format="json")

    assert response.status_code == 404


# --- schema ---------------------------------------------------------------------------------


def test_openapi_schema_is_served_to_signed_in_users(api, as_user, alice):
    assert api.get("/api/v1/schema/").status_code in (401, 403)

    response = as_user(alice).get("/api/v1/schema/")

    assert response.status_code == 200
    assert b"/api/v1/tickets/{reference}/resolve/" in response.content
