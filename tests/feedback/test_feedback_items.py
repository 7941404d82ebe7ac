"""Feedback items: raised by agents from tickets or on their own, and counted as contribution."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from feedback.models import FeedbackLink
from feedback.services import feedback_link, feedback_raise
from helpdesk.errors import ApplicationError
from kpis.export import export_figures
from tickets.services import ticket_create

T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


def test_an_agent_raises_an_item_from_a_ticket_and_others_link_to_it(alice, bob, carol, erin, service_desk):
    first = ticket_create(requester=alice, subject="Export to Excel", description="…", acting_user=alice)
    second = ticket_create(requester=bob, subject="Excel export please", description="…", acting_user=bob)

    item = feedback_raise("Export reports to Excel", "Asked twice this week", ticket=first, acting_user=carol, at=T0)
    feedback_link(item, second, acting_user=erin)
    feedback_link(item, second, acting_user=erin)  # once only

    assert (item.raised_by, item.team, item.status) == (carol, service_desk, "new")
    assert set(FeedbackLink.objects.filter(item=item).values_list("ticket__requester__email", flat=True)) == {
        alice.email,
        bob.email,
    }


def test_only_staff_raise_items_and_a_title_is_needed(alice, carol, dave, service_desk, network_team):
    ticket = ticket_create(requester=alice, subject="Export", description="…", acting_user=alice)
    with pytest.raises(PermissionDenied):
        feedback_raise("Mine", acting_user=alice)
    with pytest.raises(ApplicationError):
        feedback_raise("   ", acting_user=carol)
    item = feedback_raise("Dark mode", acting_user=carol)
    # dave works another team: he may not link a ticket he cannot see.
    with pytest.raises(PermissionDenied):
        feedback_link(item, ticket, acting_user=dave)


def test_items_raised_count_for_the_agent_and_team_in_the_kpis(carol, service_desk):
    feedback_raise("Dark mode", acting_user=carol, at=T0)
    feedback_raise("Bulk export", acting_user=carol, at=T0 + dt.timedelta(days=1))

    october = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert export_figures(*october, "agent")[carol.pk]["feedback_raised"] == 2
    assert export_figures(*october, "team")[service_desk.pk]["feedback_raised"] == 2
    assert export_figures(*october, "desk")[0]["feedback_raised"] == 2
