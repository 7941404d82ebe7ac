"""Placeholders are filled from the ticket; anything else in braces stays as typed."""

import pytest

from canned.models import ReplyTemplate
from canned.rendering import render_reply_template
from tickets.services import ticket_create


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="VPN drops", description="Every hour", acting_user=alice)


def test_every_placeholder_is_filled_from_the_ticket_and_the_agent(carol, ticket):
    template = ReplyTemplate(
        title="All",
        owner=carol,
        body="{requester_name}|{requester_first_name}|{ticket_reference}|{ticket_subject}|{agent_name}|{team_name}",
    )

    text = render_reply_template(template, ticket, agent=carol)

    assert text == f"Alice Smith|Alice|{ticket.reference}|VPN drops|Carol Nguyen|Service Desk"


def test_unknown_placeholders_and_stray_braces_stay_as_typed(carol, ticket):
    body = "Dear {requester_first_name}, {unknown} {ticket.requester.password} {{ x }} {% if %} {}"
    template = ReplyTemplate(title="Odd", owner=carol, body=body)

    text = render_reply_template(template, ticket, agent=carol)

    assert text == "Dear Alice, {unknown} {ticket.requester.password} {{ x }} {% if %} {}"


def test_values_are_inserted_literally_not_interpreted(carol, alice, service_desk):
    ticket = ticket_create(requester=alice, subject="{agent_name} <b>x</b>", description="d", acting_user=alice)
    template = ReplyTemplate(title="Subject", owner=carol, body="Re: {ticket_subject}")

    assert render_reply_template(template, ticket, agent=carol) == "Re: {agent_name} <b>x</b>"


def test_a_ticket_without_a_team_leaves_the_team_name_empty(carol, alice):
    ticket = ticket_create(requester=alice, subject="No team yet", description="d", acting_user=alice)
    template = ReplyTemplate(title="Team", owner=carol, body="[{team_name}]")

    assert ticket.team is None
    assert render_reply_template(template, ticket, agent=carol) == "[]"
