"""/api/v1/tickets/: the workspace views, cursors, field updates and the actions added for v1.

alice and bob are requesters at Acme, oscar at Globex; carol works the Service Desk, dave the
Network team; erin manages the Service Desk.
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory
from tickets.models import Escalation, EventKind, Status, Ticket
from tickets.services import ticket_add_note, ticket_assign, ticket_create

LIST = reverse("tickets_api:ticket-list")


def url(ticket: Ticket, action: str = "") -> str:
    name = f"tickets_api:ticket-{action}" if action else "tickets_api:ticket-detail"
    return reverse(name, args=[ticket.reference])


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


# --- who sees what --------------------------------------------------------------------------


def test_a_requester_gets_a_404_for_someone_else_s_ticket(as_user, bob, oscar, ticket):
    for person in (bob, oscar):
        for path in (url(ticket), url(ticket, "messages"), url(ticket, "events")):
            response = as_user(person).get(path)
            assert response.status_code == 404, (person, path)
            assert response.json()["code"] == "not_found"


def test_an_agent_of_another_team_gets_a_404_as_on_the_page(as_user, dave, network_team, ticket):
    assert as_user(dave).get(url(ticket)).status_code == 404
    assert as_user(dave).post(url(ticket, "take")).status_code == 404


def test_a_requester_may_not_take_or_tag_her_own_ticket(as_user, alice, ticket):
    assert as_user(alice).post(url(ticket, "take")).status_code == 403
    response = as_user(alice).post(url(ticket, "tags"), {"tags": ["vip"]}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_messages_hold_internal_notes_for_staff_only(as_user, alice, carol, ticket):
    ticket_add_note(ticket, "Her manager asked us to go slow", acting_user=carol)

    staff = as_user(carol).get(url(ticket, "messages")).json()
    requester = as_user(alice).get(url(ticket, "messages")).json()

    assert [m["is_public"] for m in staff] == [False]
    assert requester == []


def test_the_list_has_no_one_else_s_tickets_whatever_the_view(as_user, alice, bob, ticket):
    bobs = ticket_create(requester=bob, subject="Bob's", description="Help", acting_user=bob)

    for view in ("", "?view=all", "?view=mine", "?view=teams", "?view=breaching"):
        assert bobs.reference not in references(as_user(alice).get(LIST + view))


# --- workspace views and filters --------------------------------------------------------------


def test_views_mine_and_unassigned_as_on_the_queue_page(as_user, alice, carol, ticket):
    other = ticket_create(requester=alice, subject="Second", description="Help", acting_user=alice)
    ticket_assign(ticket, carol, acting_user=carol)

    assert references(as_user(carol).get(LIST, {"view": "mine"})) == [ticket.reference]
    assert references(as_user(carol).get(LIST, {"view": "unassigned"})) == [other.reference]
    assert references(as_user(carol).get(LIST, {"view": "teams"})) == [other.reference, ticket.reference]


def test_an_unknown_view_is_a_400(as_user, carol, ticket):
    response = as_user(carol).get(LIST, {"view": "everything"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "view" in response.json()["fields"]


def test_the_queue_filters_apply(as_user, alice, carol, ticket):
    ticket_assign(ticket, carol, acting_user=carol)
    ticket_create(requester=alice, subject="Second", description="Help", acting_user=alice)

    assert references(as_user(carol).get(LIST, {"assignee": carol.pk})) == [ticket.reference]
    assert as_user(carol).get(LIST, {"assignee": 999_999}).status_code == 400


# --- cursor pagination ----------------------------------------------------------------------


def test_cursor_pages_walk_the_list_without_repeats(as_user, alice, carol, service_desk):
    made = [
        ticket_create(requester=alice, subject=f"T{i}", description="Help", acting_user=alice).reference
        for i in range(5)
    ]
    client = as_user(carol)

    seen, page = [], client.get(LIST, {"page_size": 2})
    while True:
        seen += references(page)
        if not page.json()["next"]:
            break
        page = client.get(page.json()["next"])

    assert seen == list(reversed(made))


@pytest.mark.parametrize("cursor", ["garbage", "cD1hYmM=", "%%%", "cD0xJnI9MQ=="[:-2], "cD0tMQ=="])
def test_a_bad_cursor_is_a_400_never_a_500(as_user, carol, ticket, cursor):
    response = as_user(carol).get(LIST, {"cursor": cursor})

    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["code"] == "invalid" and "cursor" in response.json()["fields"]


def test_a_cursor_with_a_text_position_is_a_400(as_user, carol, ticket):
    import base64

    cursor = base64.b64encode(b"p=abc").decode()

    response = as_user(carol).get(LIST, {"cursor": cursor})

    assert response.status_code == 400 and "cursor" in response.json()["fields"]


def test_the_list_runs_a_bounded_number_of_queries(as_user, alice, carol, service_desk, django_assert_max_num_queries):
    for i in range(12):
        ticket_create(requester=alice, subject=f"T{i}", description="Help", acting_user=alice)
    client = as_user(carol)

    with django_assert_max_num_queries(8):
        assert len(references(client.get(LIST, {"page_size": 12}))) == 12


# --- create for a requester -------------------------------------------------------------------


def test_an_agent_raises_a_ticket_for_a_requester_through_the_same_service(as_user, alice, carol, service_desk):
    response = as_user(carol).post(
        LIST, {"subject": "Phone call", "description": "Printer jam", "requester": alice.pk}, format="json"
    )

    assert response.status_code == 201, response.content
    created = Ticket.objects.latest("id")
    assert response.json()["reference"] == created.reference
    assert created.requester == alice
    assert created.events.filter(kind=EventKind.CREATED).exists()


# --- field updates and actions ------------------------------------------------------------------


def test_take_assigns_to_the_caller_and_records_the_event(as_user, carol, ticket):
    response = as_user(carol).post(url(ticket, "take"))

    assert response.status_code == 200 and response.json()["assignee"]["id"] == carol.pk
    assert ticket.events.filter(kind=EventKind.ASSIGNED).exists()


def test_patch_changes_type_and_complexity(as_user, carol, ticket):
    response = as_user(carol).patch(url(ticket), {"type": "service_request", "complexity": 3}, format="json")

    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert (ticket.type, ticket.complexity) == ("service_request", 3)
    kinds = list(ticket.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.TYPE_CHANGED, EventKind.COMPLEXITY_CHANGED]


def test_patch_with_a_stale_version_is_a_409(as_user, carol, ticket):
    response = as_user(carol).patch(
        url(ticket), {"type": "service_request", "version": ticket.version + 5}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale_version" and "current_version" in response.json()["extra"]


def test_patch_with_nothing_to_change_is_a_400(as_user, carol, ticket):
    response = as_user(carol).patch(url(ticket), {}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_tags_link_and_merge(as_user, alice, carol, ticket):
    other = ticket_create(requester=alice, subject="Same again", description="Help", acting_user=alice)
    client = as_user(carol)

    tagged = client.post(url(ticket, "tags"), {"tags": ["outlook", "vip"]}, format="json")
    linked = client.post(url(other, "link"), {"target": ticket.reference, "kind": "related_to"}, format="json")
    merged = client.post(url(other, "merge"), {"into": ticket.reference}, format="json")

    assert tagged.status_code == 200 and sorted(tagged.json()["tags"]) == ["outlook", "vip"]
    assert linked.status_code == 200, linked.content
    assert merged.status_code == 200 and merged.json()["reference"] == ticket.reference
    other.refresh_from_db()
    assert other.status == Status.CLOSED


def test_linking_to_a_ticket_one_may_not_see_is_a_field_error(as_user, alice, oscar, dave, network_team, ticket):
    theirs = ticket_create(requester=alice, subject="VPN", description="x", acting_user=alice, team=network_team)

    response = as_user(dave).post(
        url(theirs, "link"), {"target": ticket.reference, "kind": "related_to"}, format="json"
    )

    assert response.status_code == 400 and list(response.json()["fields"]) == ["target"]


def test_escalate_and_send_back(as_user, carol, dave, network_team, ticket):
    escalated = as_user(carol).post(
        url(ticket, "escalate"),
        {"to_team": network_team.pk, "symptoms": "No sync", "tried": "Restart", "diagnostics": "Logs attached"},
        format="json",
    )
    assert escalated.status_code == 200, escalated.content
    assert Escalation.objects.filter(ticket=ticket, to_team=network_team).exists()

    sent_back = as_user(dave).post(url(ticket, "send-back"), {"reason": "Not network"}, format="json")

    assert sent_back.status_code == 200, sent_back.content
    ticket.refresh_from_db()
    assert ticket.team.name == "Service Desk"


def test_escalating_to_the_same_team_is_a_domain_error(as_user, carol, service_desk, ticket):
    response = as_user(carol).post(
        url(ticket, "escalate"),
        {"to_team": service_desk.pk, "symptoms": "x", "tried": "y", "diagnostics": "z"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and response.json()["extra"] == {"field": "to_team"}


def test_a_requester_may_not_escalate(as_user, alice, network_team, ticket):
    response = as_user(alice).post(
        url(ticket, "escalate"),
        {"to_team": network_team.pk, "symptoms": "x", "tried": "y", "diagnostics": "z"},
        format="json",
    )

    assert response.status_code == 403


def test_the_event_history_lists_what_happened(as_user, carol, ticket):
    as_user(carol).post(url(ticket, "take"))

    events = as_user(carol).get(url(ticket, "events")).json()

    assert EventKind.ASSIGNED in [event["kind"] for event in events]
    assert all(set(event) >= {"kind", "actor", "created_at"} for event in events)


def test_a_manager_outside_the_team_gets_a_404(as_user, ticket):
    outsider = UserFactory(email="mo@helpdesk.example", role=Role.MANAGER)

    assert as_user(outsider).get(url(ticket)).status_code == 404


# --- attachments ------------------------------------------------------------------------------


def test_files_download_with_the_page_s_checks(as_user, alice, bob, carol, ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tickets.models import Attachment

    upload = SimpleUploadedFile("server.log", b"kernel panic", content_type="text/plain")
    note = as_user(carol).post(url(ticket, "note"), {"body": "Log", "attachments": [upload]}, format="multipart")
    assert note.status_code == 201, note.content
    internal = Attachment.objects.get(ticket=ticket)
    path = reverse("tickets_api:ticket-attachment", args=[ticket.reference, internal.pk])

    staff = as_user(carol).get(path)
    requester = as_user(alice).get(path)
    stranger = as_user(bob).get(path)

    assert staff.status_code == 200 and b"".join(staff.streaming_content) == b"kernel panic"
    assert requester.status_code == 404  # an internal note's file
    assert stranger.status_code == 404 and stranger.json()["code"] == "not_found"


# --- search -----------------------------------------------------------------------------------


def test_search_pages_like_the_rest_of_the_list(as_user, alice, carol, ticket):
    other = ticket_create(requester=alice, subject="Printer jammed", description="Tray 2", acting_user=alice)

    assert references(as_user(carol).get(LIST, {"q": "printer"})) == [other.reference]
    assert references(as_user(carol).get(LIST, {"q": ticket.reference})) == [ticket.reference]
    assert references(as_user(carol).get(LIST, {"q": "printer", "status": "closed"})) == []


def test_a_search_with_a_nul_character_is_a_400(as_user, carol, ticket):
    response = as_user(carol).get(LIST, {"q": "print\x00er"})

    assert response.status_code == 400 and "q" in response.json()["fields"]
