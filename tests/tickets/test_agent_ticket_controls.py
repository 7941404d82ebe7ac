"""The controls beside the agent's ticket page: the fields form (one post, one service per changed field,
the ticket's version), links, and the reply templates and preview."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from canned.models import ReplyTemplate
from tickets.forms import TicketFieldsForm
from tickets.models import Category, EventKind, Ticket, TicketEvent, format_reference
from tickets.services import ticket_add_note, ticket_assign, ticket_create, ticket_link, ticket_reply

CONFLICT = "Someone else changed this ticket while you were editing it."


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Outlook won't sync", description="Since Monday", acting_user=alice)


@pytest.fixture
def hardware(db):
    return Category.objects.create(name="Hardware")


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"tickets:{name}", args=[ticket.reference])


def fields(ticket: Ticket, **changes) -> dict:
    """The side fields as the page draws them for ``ticket``, with ``changes`` made by the agent."""
    ticket = Ticket.objects.get(pk=ticket.pk)
    data = {**TicketFieldsForm.current_values(ticket), **changes}
    return {key: "" if value is None else value for key, value in data.items()}


def events_after_creation(ticket: Ticket) -> list[tuple[str, object, object]]:
    rows = ticket.events.exclude(kind=EventKind.CREATED).order_by("created_at", "id")
    return [(row.kind, row.old_value, row.new_value) for row in rows]


# --- each control records the right event -------------------------------------------------


def test_impact_and_urgency_recompute_the_priority(client, carol, ticket):
    client.force_login(carol)

    response = client.post(url("agent_fields", ticket), fields(ticket, impact=1, urgency=1))

    assert response.status_code == 302
    assert events_after_creation(ticket) == [
        (
            EventKind.PRIORITY_CHANGED,
            {"impact": 3, "urgency": 2, "priority": 4},
            {"impact": 1, "urgency": 1, "priority": 1, "reason": ""},
        )
    ]


def test_priority_override_needs_a_reason(client, carol, ticket):
    client.force_login(carol)

    refused = client.post(url("agent_fields", ticket), fields(ticket, priority=1))
    accepted = client.post(url("agent_fields", ticket), fields(ticket, priority=1, reason="CEO's laptop"))

    assert refused.status_code == 400
    assert refused.context["fields_form"].errors["reason"]
    assert accepted.status_code == 302
    assert events_after_creation(ticket) == [
        (
            EventKind.PRIORITY_CHANGED,
            {"impact": 3, "urgency": 2, "priority": 4},
            {"impact": 3, "urgency": 2, "priority": 1, "reason": "CEO's laptop"},
        )
    ]


def test_choosing_the_matrix_again_drops_an_override(client, carol, ticket):
    client.force_login(carol)
    client.post(url("agent_fields", ticket), fields(ticket, priority=1, reason="VIP"))

    client.post(url("agent_fields", ticket), fields(ticket, priority="", reason=""))

    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_reason) == (4, "")
    assert events_after_creation(ticket)[-1][2] == {"impact": 3, "urgency": 2, "priority": 4, "reason": ""}


def test_category_control_records_old_and_new_category(client, carol, ticket, hardware):
    client.force_login(carol)

    response = client.post(url("agent_fields", ticket), fields(ticket, category=hardware.pk))

    assert response.status_code == 302
    assert events_after_creation(ticket) == [
        (EventKind.CATEGORY_CHANGED, None, {"id": hardware.pk, "name": "Hardware"}),
    ]


def test_complexity_control_records_the_new_complexity(client, carol, ticket):
    client.force_login(carol)

    client.post(url("agent_fields", ticket), fields(ticket, complexity=4))
    client.post(url("agent_fields", ticket), fields(ticket, complexity=""))

    assert events_after_creation(ticket) == [
        (EventKind.COMPLEXITY_CHANGED, None, 4),
        (EventKind.COMPLEXITY_CHANGED, 4, None),
    ]


def test_complexity_outside_one_to_five_is_refused(client, carol, ticket):
    client.force_login(carol)

    response = client.post(url("agent_fields", ticket), fields(ticket, complexity=9))

    assert response.status_code == 400
    assert response.context["fields_form"].errors["complexity"]
    assert events_after_creation(ticket) == []


def test_type_control_records_old_and_new_type(client, carol, ticket):
    client.force_login(carol)

    client.post(url("agent_fields", ticket), fields(ticket, type="question"))

    assert events_after_creation(ticket) == [(EventKind.TYPE_CHANGED, "incident", "question")]


def test_assignee_control_assigns_a_team_member_and_opens_the_ticket(client, erin, carol, ticket):
    client.force_login(erin)

    response = client.post(url("agent_fields", ticket), fields(ticket, assignee=carol.pk))

    assert response.status_code == 302
    assert events_after_creation(ticket) == [
        (EventKind.ASSIGNED, None, {"id": carol.pk, "name": "Carol Nguyen"}),
        (EventKind.STATUS_CHANGED, "new", "open"),
    ]


def test_assignee_control_offers_the_teams_agents_only(client, carol, dave, ticket):
    client.force_login(carol)

    response = client.get(url("agent_ticket", ticket))

    offered = set(response.context["fields_form"].fields["assignee"].queryset)
    assert carol in offered and dave not in offered


def test_moving_a_ticket_to_another_team_unassigns_and_sends_the_agent_home(client, carol, ticket, network_team):
    ticket = ticket_assign(ticket, carol, acting_user=carol)
    client.force_login(carol)

    response = client.post(url("agent_fields", ticket), fields(ticket, team=network_team.pk), follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "is no longer in your teams" in response.content.decode()
    assert events_after_creation(ticket)[-2:] == [
        (
            EventKind.TEAM_CHANGED,
            {"id": ticket.team_id, "name": "Service Desk"},
            {"id": network_team.pk, "name": "Network"},
        ),
        (EventKind.ASSIGNED, {"id": carol.pk, "name": "Carol Nguyen"}, None),
    ]


def test_status_control_shows_the_current_status_and_saving_it_unchanged_is_harmless(client, carol, ticket):
    client.force_login(carol)

    form = client.get(url("agent_ticket", ticket)).context["fields_form"]
    response = client.post(url("agent_fields", ticket), fields(ticket), follow=True)

    assert form["status"].value() == "new"
    assert [value for value, _label in form.fields["status"].choices] == ["new", "open", "pending", "on_hold"]
    assert "Nothing to change." in response.content.decode()
    assert events_after_creation(ticket) == []


def test_status_control_moves_the_ticket_to_pending(client, carol, ticket):
    client.force_login(carol)

    response = client.post(url("agent_fields", ticket), fields(ticket, status="pending"), follow=True)

    assert "Changes saved." in response.content.decode()
    assert events_after_creation(ticket) == [(EventKind.STATUS_CHANGED, "new", "pending")]


# --- optimistic concurrency ----------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"status": "pending"},
        {"impact": 1, "urgency": 1},
        {"category": "hardware"},
        {"complexity": 2},
        {"type": "question"},
        {"team": "network"},
        {"assignee": ""},
        {"tags": "vpn"},
    ],
)
def test_a_stale_form_is_refused_with_409_and_changes_nothing(client, carol, ticket, hardware, network_team, change):
    data = fields(ticket, **change)  # drawn before ...
    ticket = ticket_assign(ticket, carol, acting_user=carol)  # ... a colleague's change meanwhile
    events_before = list(ticket.events.values_list("id", flat=True))
    data = {key: {"hardware": hardware.pk, "network": network_team.pk}.get(value, value) for key, value in data.items()}
    client.force_login(carol)

    response = client.post(url("agent_fields", ticket), data)

    assert response.status_code == 409
    assert CONFLICT in response.content.decode()
    assert list(ticket.events.values_list("id", flat=True)) == events_before
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.version, fresh.status, fresh.assignee, fresh.team_id, fresh.category, fresh.complexity) == (
        ticket.version,
        "open",
        carol,
        ticket.team_id,
        None,
        None,
    )
    assert not fresh.tags.exists()


def test_after_a_conflict_the_form_carries_the_current_version(client, carol, ticket):
    stale_version = ticket.version
    ticket = ticket_assign(ticket, carol, acting_user=carol)
    client.force_login(carol)

    response = client.post(url("agent_fields", ticket), fields(ticket, type="question", version=stale_version))
    form = response.context["fields_form"]

    assert form["version"].value() == str(ticket.version)
    assert form["type"].value() == "question"


# --- who may use the controls ---------------------------------------------------------------

CONTROLS = ["agent_fields", "agent_reply", "agent_link", "agent_merge"]


@pytest.mark.parametrize("name", CONTROLS)
def test_another_teams_agent_gets_not_found_and_changes_nothing(client, dave, ticket, network_team, name):
    client.force_login(dave)

    data = {**fields(ticket, team=network_team.pk, type="question"), "body": "x", "then": "pending", "into": "1"}
    response = client.post(url(name, ticket), data)

    assert response.status_code == 404
    assert events_after_creation(ticket) == []


@pytest.mark.parametrize("name", CONTROLS)
def test_the_requester_is_refused(client, alice, ticket, name):
    client.force_login(alice)

    data = {**fields(ticket, type="question", complexity=1), "body": "x", "then": "pending", "into": "1"}
    response = client.post(url(name, ticket), data)

    assert response.status_code == 403
    assert events_after_creation(ticket) == []


def test_controls_need_a_post(client, carol, ticket):
    client.force_login(carol)

    assert client.get(url("agent_fields", ticket)).status_code == 405


# --- links ----------------------------------------------------------------------------------


def test_agent_links_tickets_by_reference_and_both_show_the_link(client, carol, alice, ticket):
    original = ticket_create(requester=alice, subject="Outlook broken", description="d", acting_user=alice)
    client.force_login(carol)

    response = client.post(url("agent_link", ticket), {"kind": "duplicate_of", "reference": original.reference.lower()})

    assert response.status_code == 302
    assert events_after_creation(ticket) == [
        (EventKind.LINKED, None, {"kind": "duplicate_of", "ticket": original.pk}),
    ]
    here = client.get(url("agent_ticket", ticket))
    there = client.get(url("agent_ticket", original))
    assert [(link.label, link.other) for link in here.context["links"]] == [("duplicate of", original)]
    assert [(link.label, link.other) for link in there.context["links"]] == [("has duplicate", ticket)]


def test_linking_to_a_ticket_the_agent_cannot_see_is_refused_like_a_missing_one(
    client, carol, alice, ticket, network_team
):
    hidden = ticket_create(
        requester=alice, subject="Core switch secret", description="d", acting_user=alice, team=network_team
    )
    missing_reference = format_reference(hidden.pk + 1000)
    client.force_login(carol)

    hidden_response = client.post(url("agent_link", ticket), {"kind": "related_to", "reference": hidden.reference})
    missing_response = client.post(url("agent_link", ticket), {"kind": "related_to", "reference": missing_reference})

    assert hidden_response.status_code == missing_response.status_code == 400
    assert hidden_response.context["link_form"].errors["reference"] == [
        f"There is no ticket {hidden.reference} that you can see."
    ]
    assert missing_response.context["link_form"].errors["reference"] == [
        f"There is no ticket {missing_reference} that you can see."
    ]
    assert "Core switch secret" not in hidden_response.content.decode()
    assert events_after_creation(ticket) == []


def test_a_malformed_reference_gets_a_clear_message(client, carol, ticket):
    client.force_login(carol)

    response = client.post(url("agent_link", ticket), {"kind": "related_to", "reference": "123abc"})

    assert response.status_code == 400
    assert response.context["link_form"].errors["reference"] == ["Enter a ticket reference such as HD-000123."]


def test_links_to_tickets_the_agent_cannot_see_are_not_shown(client, carol, dave, alice, ticket, network_team):
    hidden = ticket_create(requester=alice, subject="Hidden", description="d", acting_user=alice, team=network_team)
    ticket_link(hidden, ticket, "caused_by", acting_user=None)
    client.force_login(carol)

    response = client.get(url("agent_ticket", ticket))

    assert response.context["links"] == []
    assert hidden.reference not in response.content.decode()


# --- the rest of the page -------------------------------------------------------------------


def test_the_requesters_other_tickets_show_the_latest_ten_the_agent_may_see(
    client, carol, alice, oscar, ticket, network_team, django_assert_max_num_queries
):
    others = [
        ticket_create(requester=alice, subject=f"Other {n}", description="d", acting_user=alice) for n in range(11)
    ]
    hidden = ticket_create(
        requester=alice, subject="Network only", description="d", acting_user=alice, team=network_team
    )
    ticket_create(requester=oscar, subject="Oscar's", description="d", acting_user=oscar)
    ReplyTemplate.objects.create(title="Mine", body="x", owner=carol)
    client.force_login(carol)

    with django_assert_max_num_queries(30):
        response = client.get(url("agent_ticket", ticket))

    assert response.context["other_tickets"] == list(reversed(others))[:10]
    assert hidden not in response.context["other_tickets"]


def test_the_page_query_count_does_not_grow_with_links_messages_and_events(client, carol, alice, ticket):
    client.force_login(carol)

    def add_thread_and_links(count: int) -> None:
        for n in range(count):
            other = ticket_create(requester=alice, subject=f"Related {n}", description="d", acting_user=alice)
            ticket_link(ticket, other, "related_to", acting_user=carol)
            ticket_link(other, ticket, "caused_by", acting_user=carol)
            ticket_reply(ticket, f"Reply {n}", acting_user=carol)
            ticket_add_note(ticket, f"Note {n}", acting_user=carol)

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("agent_ticket", ticket)).status_code == 200
        return len(queries)

    add_thread_and_links(1)
    queries_for_page()  # the signed-in user is cached from the first request on
    few = queries_for_page()
    add_thread_and_links(5)
    many = queries_for_page()

    assert many == few


def test_the_page_keeps_the_ids_the_keyboard_shortcuts_use(client, carol, ticket):
    client.force_login(carol)

    page = client.get(url("agent_ticket", ticket)).content.decode()

    assert 'id="reply-body"' in page and 'id="note-toggle"' in page and 'id="take-button"' in page


def test_take_stays_one_click_without_a_version(client, carol, ticket):
    client.force_login(carol)

    client.post(url("agent_take", ticket))

    ticket.refresh_from_db()
    assert ticket.assignee == carol


# --- reply templates and preview -------------------------------------------------------------


@pytest.fixture
def desk_template(service_desk):
    return ReplyTemplate.objects.create(
        title="Ack",
        body="Hello {requester_first_name}, {ticket_reference} is with {team_name}. {unknown}",
        team=service_desk,
    )


def test_template_endpoint_gives_htmx_the_filled_reply_box(client, carol, ticket, desk_template):
    client.force_login(carol)

    response = client.get(url("agent_reply_template", ticket), {"template": desk_template.pk}, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="reply-body"' in page
    assert f"Hello Alice, {ticket.reference} is with Service Desk. {{unknown}}" in page


def test_template_endpoint_without_htmx_answers_plain_text(client, carol, ticket, desk_template):
    client.force_login(carol)

    response = client.get(url("agent_reply_template", ticket), {"template": desk_template.pk})

    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == f"Hello Alice, {ticket.reference} is with Service Desk. {{unknown}}"


def test_choosing_no_template_leaves_the_reply_box_alone(client, carol, ticket):
    client.force_login(carol)

    response = client.get(url("agent_reply_template", ticket), {"template": ""}, HTTP_HX_REQUEST="true")

    assert response.status_code == 204


def test_template_endpoint_checks_the_template_and_the_ticket(client, carol, dave, ticket, desk_template, network_team):
    daves = ReplyTemplate.objects.create(title="Dave's", body="secret {ticket_subject}", owner=dave)
    client.force_login(carol)
    assert client.get(url("agent_reply_template", ticket), {"template": daves.pk}).status_code == 404
    assert client.get(url("agent_reply_template", ticket), {"template": "nope"}).status_code == 404

    client.force_login(dave)
    response = client.get(url("agent_reply_template", ticket), {"template": daves.pk})
    assert response.status_code == 404
    assert "Outlook" not in response.content.decode()


def test_without_javascript_the_picker_reloads_the_page_with_the_reply_filled_in(client, carol, ticket, desk_template):
    client.force_login(carol)

    response = client.get(url("agent_ticket", ticket), {"template": desk_template.pk})

    assert response.context["reply_form"]["body"].value().startswith("Hello Alice, ")
    assert f"Hello Alice, {ticket.reference}" in response.content.decode()


def test_an_unavailable_template_on_the_page_says_so(client, carol, dave, ticket):
    daves = ReplyTemplate.objects.create(title="Dave's", body="secret", owner=dave)
    client.force_login(carol)

    response = client.get(url("agent_ticket", ticket), {"template": daves.pk})

    assert response.status_code == 200
    assert "That reply template is not available." in response.content.decode()
    assert "secret" not in response.content.decode()


def test_htmx_preview_renders_sanitised_markdown(client, carol, ticket):
    client.force_login(carol)

    response = client.post(
        url("agent_reply_preview", ticket), {"body": "**Bold** <script>alert(1)</script>"}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert "<strong>Bold</strong>" in page
    assert "<script>" not in page
    assert "<html" not in page  # just the fragment


def test_preview_without_javascript_shows_the_page_with_the_reply_kept(client, carol, ticket):
    client.force_login(carol)

    response = client.post(url("agent_reply_preview", ticket), {"body": "Try *this*", "internal": "on"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<em>this</em>" in page
    assert response.context["reply_form"]["body"].value() == "Try *this*"
    assert response.context["reply_form"]["internal"].value() is True
    assert not ticket.messages.exists()


def test_preview_is_refused_to_another_teams_agent(client, dave, ticket):
    client.force_login(dave)

    assert client.post(url("agent_reply_preview", ticket), {"body": "x"}).status_code == 404


def test_no_template_event_is_recorded_by_previewing_or_picking(client, carol, ticket, desk_template):
    client.force_login(carol)

    client.get(url("agent_reply_template", ticket), {"template": desk_template.pk}, HTTP_HX_REQUEST="true")
    client.post(url("agent_reply_preview", ticket), {"body": "x"}, HTTP_HX_REQUEST="true")

    assert not TicketEvent.objects.exclude(kind=EventKind.CREATED).exists()
