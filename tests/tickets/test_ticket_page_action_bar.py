"""The ticket page's action bar: send, then set pending or resolve, in one post and one transaction;
and the side fields, saved together with one button."""

import pytest
from django.urls import reverse

from accounts.models import Team
from tickets.forms import TicketFieldsForm
from tickets.models import Category, EventKind, Status, Ticket
from tickets.services import ticket_assign, ticket_create, ticket_resolve, ticket_set_tags


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="VPN keeps dropping", description="Since today", acting_user=alice)


@pytest.fixture
def hardware(db):
    return Category.objects.create(name="Hardware")


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"tickets:{name}", args=[ticket.reference])


def events_after_creation(ticket: Ticket) -> list[tuple[str, object, object]]:
    rows = ticket.events.exclude(kind__in=[EventKind.CREATED, EventKind.SLA_MET]).order_by("created_at", "id")
    return [(row.kind, row.old_value, row.new_value) for row in rows]


def fields(ticket: Ticket, **changes) -> dict:
    ticket = Ticket.objects.get(pk=ticket.pk)
    data = {**TicketFieldsForm.current_values(ticket), **changes}
    return {key: "" if value is None else value for key, value in data.items()}


def service_desk_of(ticket: Ticket) -> dict:
    return {"id": ticket.team_id, "name": "Service Desk"}


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --- the reply bar ---------------------------------------------------------------------------


def test_the_reply_bar_offers_send_send_and_set_pending_and_send_and_resolve(client, carol, ticket):
    client.force_login(carol)

    page = client.get(url("agent_ticket", ticket)).content.decode()

    for testid in ("send-reply", "send-pending", "send-resolve", "send-and-resolve"):
        assert f'data-testid="{testid}"' in page
    assert 'for="reply-code"' in page and 'for="reply-summary"' in page  # labelled resolution fields


def test_send_and_set_pending_sends_the_reply_then_sets_pending(client, carol, ticket):
    client.force_login(carol)

    response = client.post(url("agent_reply", ticket), {"body": "Which VPN client version?", "then": "pending"})

    assert response.status_code == 302
    assert fresh(ticket).status == Status.PENDING
    assert ticket.messages.get().body == "Which VPN client version?"
    assert [(kind, old, new) for kind, old, new in events_after_creation(ticket) if kind != EventKind.REPLIED] == [
        (EventKind.STATUS_CHANGED, "new", "open"),  # a first reply opens a new ticket
        (EventKind.STATUS_CHANGED, "open", "pending"),
    ]


def test_an_internal_note_can_set_pending_too(client, carol, ticket):
    client.force_login(carol)

    client.post(url("agent_reply", ticket), {"body": "Waiting on the user", "internal": "on", "then": "pending"})

    assert fresh(ticket).status == Status.PENDING
    assert not ticket.messages.get().is_public


def test_send_and_set_pending_on_a_pending_ticket_just_sends(client, carol, ticket):
    client.force_login(carol)
    client.post(url("agent_reply", ticket), {"body": "First", "then": "pending"})

    response = client.post(url("agent_reply", ticket), {"body": "A reminder", "then": "pending"})

    assert response.status_code == 302
    assert fresh(ticket).status == Status.PENDING
    assert ticket.messages.count() == 2


def test_send_and_resolve_sends_the_reply_then_resolves_with_code_and_summary(client, carol, ticket):
    client.force_login(carol)

    response = client.post(
        url("agent_reply", ticket),
        {"body": "Updated the client.", "then": "resolve", "code": "fixed", "summary": "VPN client updated"},
        follow=True,
    )

    ticket = fresh(ticket)
    assert (ticket.status, ticket.resolution_code, ticket.resolution_summary) == (
        "resolved",
        "fixed",
        "VPN client updated",
    )
    assert ticket.messages.get().body == "Updated the client."
    assert "Ticket resolved" in response.content.decode()
    kinds = [kind for kind, _old, _new in events_after_creation(ticket)]
    assert kinds.index(EventKind.REPLIED) < kinds.index(EventKind.RESOLVED)


def test_resolving_from_the_bar_without_text_only_resolves(client, carol, ticket):
    client.force_login(carol)

    client.post(url("agent_reply", ticket), {"body": "", "then": "resolve", "code": "answered", "summary": "Told how"})

    assert fresh(ticket).status == Status.RESOLVED
    assert not ticket.messages.exists()


def test_send_and_resolve_without_code_or_summary_sends_nothing(client, carol, ticket):
    client.force_login(carol)

    response = client.post(url("agent_reply", ticket), {"body": "Fixed", "then": "resolve", "code": "", "summary": ""})

    assert response.status_code == 400
    form = response.context["reply_form"]
    assert set(form.errors) == {"code", "summary"}
    assert 'data-testid="send-resolve" open' in response.content.decode()  # the fields stay in view
    assert not ticket.messages.exists() and fresh(ticket).status == Status.NEW


def test_plain_send_still_needs_text(client, carol, ticket):
    client.force_login(carol)

    response = client.post(url("agent_reply", ticket), {"body": "  ", "then": ""})

    assert response.status_code == 400
    assert response.context["reply_form"].errors["body"]


def test_a_refused_status_change_takes_the_reply_back_and_shows_why(client, carol, ticket):
    ticket = ticket_resolve(ticket, code="fixed", summary="Done", acting_user=carol)
    client.force_login(carol)

    response = client.post(url("agent_reply", ticket), {"body": "One more thing", "then": "pending"})

    assert response.status_code == 409
    assert "cannot be set to" in response.content.decode()
    assert response.context["reply_form"]["body"].value() == "One more thing"  # kept for another try
    assert not ticket.messages.exists()
    assert fresh(ticket).status == Status.RESOLVED
    assert not ticket.events.filter(kind=EventKind.REPLIED).exists()


def test_a_resolved_ticket_offers_only_send(client, carol, ticket):
    ticket_resolve(ticket, code="fixed", summary="Done", acting_user=carol)
    client.force_login(carol)

    page = client.get(url("agent_ticket", ticket)).content.decode()

    assert 'data-testid="send-reply"' in page
    assert 'data-testid="send-pending"' not in page and 'data-testid="send-resolve"' not in page


# --- the side fields: one form, one button -------------------------------------------------


def test_the_side_fields_have_one_save_button(client, carol, ticket):
    client.force_login(carol)

    page = client.get(url("agent_ticket", ticket)).content.decode()

    assert page.count('data-testid="save-fields"') == 1
    assert page.count('data-testid="fields-form"') == 1
    for name in (
        "status",
        "assignee",
        "team",
        "impact",
        "urgency",
        "priority",
        "category",
        "type",
        "complexity",
        "tags",
    ):
        assert f'<label class="form-label" for="ticket-{name}">' in page


def test_one_save_changes_each_changed_field_through_its_service(client, carol, ticket, hardware):
    client.force_login(carol)

    response = client.post(
        url("agent_fields", ticket),
        fields(ticket, status="pending", category=hardware.pk, type="question", complexity=3, tags="VPN, Remote work"),
        follow=True,
    )

    assert "Changes saved." in response.content.decode()
    assert events_after_creation(ticket) == [
        (EventKind.STATUS_CHANGED, "new", "pending"),
        (EventKind.CATEGORY_CHANGED, None, {"id": hardware.pk, "name": "Hardware"}),
        (EventKind.TYPE_CHANGED, "incident", "question"),
        (EventKind.COMPLEXITY_CHANGED, None, 3),
        (EventKind.TAGS_CHANGED, [], ["remote-work", "vpn"]),
    ]
    ticket = fresh(ticket)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["remote-work", "vpn"]
    assert (ticket.impact, ticket.urgency, ticket.priority, ticket.team.name) == (3, 2, 4, "Service Desk")


def test_saving_unchanged_fields_changes_nothing(client, carol, ticket):
    ticket_set_tags(ticket, ["vpn"], acting_user=carol)
    client.force_login(carol)
    version = fresh(ticket).version

    response = client.post(url("agent_fields", ticket), fields(ticket), follow=True)

    assert "Nothing to change." in response.content.decode()
    assert fresh(ticket).version == version
    assert [kind for kind, _old, _new in events_after_creation(ticket)] == [EventKind.TAGS_CHANGED]


def test_a_refused_field_leaves_the_other_changes_undone(client, carol, ticket):
    client.force_login(carol)

    # An override without a reason is refused by the priority service, after the type was changed.
    response = client.post(url("agent_fields", ticket), fields(ticket, type="question", priority=1, reason=""))

    assert response.status_code == 400
    assert response.context["fields_form"].errors["reason"]
    assert fresh(ticket).type == "incident"
    assert events_after_creation(ticket) == []


def test_tags_are_shown_and_can_be_removed(client, carol, ticket):
    ticket_set_tags(ticket, ["vpn", "printer"], acting_user=carol)
    client.force_login(carol)

    page = client.get(url("agent_ticket", ticket))
    client.post(url("agent_fields", ticket), fields(ticket, tags="vpn， 打印机"))

    tags = page.content.decode()[page.content.decode().index('data-testid="ticket-tags"') :]
    assert "printer" in tags[:400] and "vpn" in tags[:400]
    assert page.context["fields_form"]["tags"].value() == "printer, vpn"
    assert sorted(fresh(ticket).tags.values_list("name", flat=True)) == ["vpn", "打印机"]


def test_team_and_assignee_change_together_team_first(client, carol, dave, ticket, network_team):
    network_team.members.add(carol)  # she works in both teams
    client.force_login(carol)

    response = client.post(url("agent_fields", ticket), fields(ticket, team=network_team.pk, assignee=dave.pk))

    assert response.status_code == 302
    assert events_after_creation(ticket)[:3] == [
        (EventKind.TEAM_CHANGED, service_desk_of(ticket), {"id": network_team.pk, "name": "Network"}),
        (EventKind.ASSIGNED, None, {"id": dave.pk, "name": "Dave Fischer"}),
        (EventKind.STATUS_CHANGED, "new", "open"),
    ]


def test_a_step_the_agent_may_not_take_undoes_the_whole_save(client, erin, dave, ticket, network_team):
    client.force_login(erin)  # manages the Service Desk only: once moved, the ticket is not hers to assign

    response = client.post(url("agent_fields", ticket), fields(ticket, team=network_team.pk, assignee=dave.pk))

    assert response.status_code == 403
    assert "You may not change this ticket." in response.content.decode()
    assert fresh(ticket).team.name == "Service Desk" and fresh(ticket).assignee is None
    assert events_after_creation(ticket) == []


def test_moving_the_ticket_out_of_the_agents_teams_sends_them_home(client, carol, ticket, network_team):
    ticket = ticket_assign(ticket, carol, acting_user=carol)
    client.force_login(carol)

    response = client.post(url("agent_fields", ticket), fields(ticket, team=network_team.pk), follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert fresh(ticket).assignee is None


def test_a_closed_ticket_offers_neither_status_nor_assignee(client, carol, ticket):
    ticket.status = Status.CLOSED  # drawn only: the form decides what to offer from the status
    form = TicketFieldsForm(ticket=ticket)

    assert "status" not in form.fields and "assignee" not in form.fields
    assert "category" in form.fields and "tags" in form.fields


def test_another_teams_agent_cannot_save_the_fields(client, dave, ticket):
    client.force_login(dave)

    response = client.post(url("agent_fields", ticket), fields(ticket, type="question"))

    assert response.status_code == 404
    assert fresh(ticket).type == "incident"


def test_the_team_list_is_all_teams(ticket, network_team):
    form = TicketFieldsForm(ticket=ticket)

    assert list(form.fields["team"].queryset) == list(Team.objects.order_by("tier", "name"))
