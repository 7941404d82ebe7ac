"""Filling a reply template's placeholders from a ticket.

A plain ``{name}`` substitution, deliberately not the Django template engine or ``str.format``:
template text is written by users, so it must not reach attributes, filters or tags, and a
placeholder we do not know (or a stray brace in a code sample) stays exactly as it was typed.
"""

from __future__ import annotations

import re

from accounts.models import User
from canned.models import ReplyTemplate
from tickets.models import Ticket

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

PLACEHOLDERS = (
    "requester_name",
    "requester_first_name",
    "ticket_reference",
    "ticket_subject",
    "agent_name",
    "team_name",
)


def placeholder_values(ticket: Ticket, agent: User) -> dict[str, str]:
    requester = ticket.requester
    return {
        "requester_name": requester.full_name or requester.email,
        "requester_first_name": requester.get_short_name(),
        "ticket_reference": ticket.reference,
        "ticket_subject": ticket.subject,
        "agent_name": agent.full_name or agent.email,
        "team_name": ticket.team.name if ticket.team_id else "",
    }


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def render_reply_template(template: ReplyTemplate, ticket: Ticket, *, agent: User) -> str:
    """The template's text for this ticket, as the agent will see it in the reply box."""
    return fill_placeholders(template.body, placeholder_values(ticket, agent))
