"""The escalate form offers the next tier up first, chosen until the agent picks another."""

from django.urls import reverse

from accounts.models import Team
from tests.factories import TeamFactory
from tickets.services import ticket_create
from tickets.views.escalation import EscalateForm, next_tier_team


def test_the_next_tier_is_the_first_team_of_the_lowest_tier_above(client, alice, carol, service_desk, network_team):
    engineering = TeamFactory(name="Engineering", tier=Team.Tier.ENGINEERING)
    TeamFactory(name="Another desk", tier=Team.Tier.SERVICE_DESK)
    ticket = ticket_create(requester=alice, subject="VPN drops", description="…", acting_user=alice)
    client.force_login(carol)

    page = client.get(reverse("tickets:escalation_new", args=[ticket.reference])).content.decode()

    assert next_tier_team(ticket) == network_team
    assert f'<option value="{network_team.pk}" selected>To the next tier: Network</option>' in page
    assert f'<option value="{engineering.pk}">Engineering</option>' in page
    form = EscalateForm(ticket=ticket)
    assert form["to_team"].value() == network_team.pk


def test_the_top_tier_has_no_next_tier(alice, carol, service_desk):
    top = TeamFactory(name="Engineering", tier=Team.Tier.ENGINEERING, members=[carol])
    ticket = ticket_create(requester=alice, subject="Bug", description="…", acting_user=alice, team=top)

    assert next_tier_team(ticket) is None
    assert EscalateForm(ticket=ticket)["to_team"].value() is None
