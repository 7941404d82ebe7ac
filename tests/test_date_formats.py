"""One date format per language everywhere (helpdesk/formats/): a ticket's time reads the same in
the agent's queue, on the agent's ticket page, in the requester's list and on their ticket page."""

import datetime as dt

import pytest
from django.urls import reverse

from tickets.services import ticket_create

# 17:41 UTC, the default time zone of the users below: no clock change between pages.
AT = dt.datetime(2026, 12, 6, 17, 41, tzinfo=dt.UTC)
EXPECTED = {"en": "6 Dec 2026, 17:41", "zh-hans": "2026年12月6日 17:41"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_ticket_time_reads_the_same_on_every_page(client, alice, carol, service_desk, time_machine, language):
    time_machine.move_to(AT, tick=False)
    ticket = ticket_create(requester=alice, subject="Printer jams", description="Again.", acting_user=alice)
    expected = EXPECTED[language]
    pages = [
        (carol, reverse("tickets:agent_queue") + "?view=teams"),
        (carol, reverse("tickets:agent_ticket", args=[ticket.reference])),
        (alice, reverse("tickets:my_tickets")),
        (alice, reverse("tickets:my_ticket", args=[ticket.reference])),
    ]
    for user, url in pages:
        user.language = language
        user.save(update_fields=["language"])
        client.force_login(user)
        content = client.get(url).content.decode()
        assert expected in content, f"{url} in {language} does not show {expected}"
        # Neither Django's default American styles nor its long English one.
        assert "p.m." not in content and "12/06/2026" not in content and "Dec. 6" not in content
