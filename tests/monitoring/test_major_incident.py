"""Major incidents from a spike: the pages at /manage/incidents/ and monitoring/major_incidents.py."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.models import Role
from helpdesk.errors import ApplicationError
from monitoring.major_incidents import major_incident_children, major_incident_link, major_incident_reply_all
from monitoring.models import Spike
from notifications.models import OutboxEmail
from tests.factories import TeamFactory, UserFactory
from tests.monitoring.spike_fixtures import STARTED, open_tickets
from tickets.models import Category, EventKind, LinkKind, Priority, ResolutionCode, Ticket, TicketLink
from tickets.services import ticket_close, ticket_resolve

LIST_URL = "/manage/incidents/"


@pytest.fixture
def web():
    return Client()


def detail_url(spike):
    return f"/manage/incidents/spikes/{spike.pk}/"


def link_new(web, spike, tickets, **fields):
    data = {
        "tickets": [str(ticket.pk) for ticket in tickets],
        "parent_kind": "new",
        "subject": "VPN gateway down",
        "description": "The VPN gateway in Shanghai is down.",
        "team": str(fields.pop("team").pk),
        "priority": "1",
        **fields,
    }
    return web.post(f"{detail_url(spike)}link/", data)


def test_manager_links_the_spike_tickets_under_a_new_major_incident(web, erin, spike, children, service_desk, vpn):
    web.force_login(erin)

    response = link_new(web, spike, children, team=service_desk)

    assert response.status_code == 302, response.content.decode()
    spike.refresh_from_db()
    parent = spike.parent
    assert (parent.subject, parent.priority, parent.team, parent.category) == (
        "VPN gateway down",
        Priority.P1,
        service_desk,
        vpn,
    )
    assert parent.requester == erin
    assert set(major_incident_children(parent)) == set(children)
    assert TicketLink.objects.filter(target=parent, kind=LinkKind.CAUSED_BY).count() == 3
    for child in children:
        event = child.events.get(kind=EventKind.LINKED)
        assert (event.actor, event.new_value) == (erin, {"kind": "caused_by", "ticket": parent.pk})
    page = web.get(detail_url(spike)).content.decode()
    assert parent.reference in page and page.count('data-testid="linked"') == 3


def test_manager_links_under_an_existing_ticket_by_reference(web, erin, spike, children, alice, service_desk, vpn):
    existing = open_tickets(vpn, [alice], at=STARTED - timedelta(days=1), count=1, team=service_desk)[0]
    web.force_login(erin)

    response = web.post(
        f"{detail_url(spike)}link/",
        {"tickets": [str(children[0].pk)], "parent_kind": "existing", "reference": existing.reference.lower()},
    )

    assert response.status_code == 302
    spike.refresh_from_db()
    assert spike.parent == existing
    assert list(major_incident_children(existing)) == [children[0]]


def test_linking_without_a_subject_or_tickets_is_refused_with_a_message(web, erin, spike, service_desk):
    web.force_login(erin)

    response = link_new(web, spike, [], team=service_desk, subject="")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the major incident a subject." in page and "This field is required." in page
    assert not TicketLink.objects.exists() and Spike.objects.get().parent is None


def test_reply_to_all_sends_one_public_reply_per_linked_ticket(web, erin, spike, children, service_desk):
    web.force_login(erin)
    link_new(web, spike, children, team=service_desk)
    emails_before = set(OutboxEmail.objects.values_list("id", flat=True))

    response = web.post(f"{detail_url(spike)}reply-all/", {"body": "The gateway is back; please reconnect."})

    assert response.status_code == 302
    for child in children:
        message = child.messages.get(is_public=True)
        assert (message.author, message.body) == (erin, "The gateway is back; please reconnect.")
        assert child.events.filter(kind=EventKind.REPLIED, actor=erin).count() == 1
    replies = OutboxEmail.objects.exclude(id__in=emails_before).filter(kind="public_reply")
    assert sorted(replies.values_list("to", flat=True)) == sorted(child.requester.email for child in children)
    parent = Spike.objects.get().parent
    assert parent.messages.filter(is_public=False, body__startswith="Reply sent to the requesters of 3").exists()


def test_reply_to_all_skips_closed_tickets(erin, spike, children, service_desk, vpn):
    parent = open_tickets(vpn, [erin], at=STARTED, count=1, team=service_desk)[0]
    major_incident_link(parent, children, acting_user=erin)
    ticket_resolve(children[0], code=ResolutionCode.FIXED, summary="Fixed.", acting_user=erin)
    ticket_close(children[0], acting_user=erin)

    replied = major_incident_reply_all(parent, "Fixed.", acting_user=erin)

    assert [ticket.pk for ticket in replied] == [children[1].pk, children[2].pk]
    assert not children[0].messages.filter(is_public=True).exists()


def test_an_empty_reply_to_all_is_refused(web, erin, spike, children, service_desk):
    web.force_login(erin)
    link_new(web, spike, children, team=service_desk)

    response = web.post(f"{detail_url(spike)}reply-all/", {"body": "  "})

    assert response.status_code == 400
    assert not Ticket.objects.filter(messages__is_public=True).exists()


def test_requester_may_not_see_or_use_the_pages(web, alice, spike, children, service_desk):
    web.force_login(alice)

    assert web.get(LIST_URL).status_code == 403
    assert web.get(detail_url(spike)).status_code == 403
    assert link_new(web, spike, children, team=service_desk).status_code == 403
    assert web.post(f"{detail_url(spike)}reply-all/", {"body": "Hi"}).status_code == 403
    assert not TicketLink.objects.exists()


def test_agent_reads_but_may_not_link_or_reply(web, carol, spike, children, service_desk):
    web.force_login(carol)

    page = web.get(detail_url(spike)).content.decode()
    response = link_new(web, spike, children, team=service_desk)

    assert children[0].reference in page and 'id="link-form"' not in page
    assert response.status_code == 403
    assert not TicketLink.objects.exists()


def test_agent_of_another_team_does_not_see_the_tickets(web, dave, network_team, spike, children):
    web.force_login(dave)

    page = web.get(detail_url(spike)).content.decode()

    assert "No tickets you may see." in page
    assert all(child.reference not in page for child in children)


def test_manager_of_another_team_may_not_link_or_reply_to_its_tickets(erin, spike, children, service_desk, dave):
    nina = UserFactory(email="nina@helpdesk.example", full_name="Nina Berg", role=Role.MANAGER)
    network = TeamFactory(name="Network", tier=2, members=[dave], managers=[nina])
    own = open_tickets(spike.category, [nina], at=STARTED, count=1, team=network)[0]

    with pytest.raises(PermissionDenied):
        major_incident_link(own, children, acting_user=nina)
    assert not TicketLink.objects.exists()

    with pytest.raises(PermissionDenied):  # erin does not work Network's tickets
        major_incident_link(own, [children[0]], acting_user=erin)

    parent = open_tickets(spike.category, [erin], at=STARTED, count=1, team=service_desk)[0]
    major_incident_link(parent, children, acting_user=erin)
    with pytest.raises(PermissionDenied):
        major_incident_reply_all(parent, "Hello", acting_user=nina)
    assert not Ticket.objects.filter(messages__is_public=True).exists()


def test_a_major_incident_is_p1_or_p2_in_a_team_the_manager_works(web, erin, spike, children, dave):
    network = TeamFactory(name="Network", tier=2, members=[dave])
    web.force_login(erin)

    wrong_team = link_new(web, spike, children, team=network)
    wrong_priority = link_new(web, spike, children, team=children[0].team, priority="3")

    assert wrong_team.status_code == 400 and wrong_priority.status_code == 400
    assert not TicketLink.objects.exists()


def test_the_services_refuse_agents_and_need_tickets(carol, erin, children, service_desk, vpn):
    parent = open_tickets(vpn, [erin], at=STARTED, count=1, team=service_desk)[0]

    with pytest.raises(PermissionDenied):
        major_incident_link(parent, children, acting_user=carol)
    with pytest.raises(ApplicationError):
        major_incident_link(parent, [parent], acting_user=erin)


def test_the_spike_list_shows_open_spikes_first_in_bounded_queries(
    web, erin, vpn, service_desk, django_assert_max_num_queries
):
    categories = [Category.objects.create(name=f"Area {n}") for n in range(12)]
    for n, category in enumerate(categories):
        Spike.objects.create(
            category=category,
            started_at=STARTED - timedelta(days=n),
            last_seen_at=STARTED - timedelta(days=n),
            ended_at=None if n == 5 else STARTED - timedelta(days=n) + timedelta(hours=1),
            tickets_in_window=9,
            baseline=1.5,
        )
    web.force_login(erin)
    web.get(LIST_URL)  # warm the session and the navigation

    # Session, user and teams, count, one page of spikes with category and parent: not one per row.
    with django_assert_max_num_queries(5):
        response = web.get(LIST_URL)

    rows = response.content.decode().split('data-testid="spike-row"')[1:]
    assert len(rows) == 12 and "Area 5" in rows[0] and "Area 0" in rows[1]


def test_the_spike_page_reads_its_tickets_in_bounded_queries(
    web, erin, vpn, spike, alice, bob, oscar, service_desk, django_assert_max_num_queries
):
    open_tickets(vpn, [alice, bob, oscar], at=STARTED + timedelta(minutes=20), count=15, team=service_desk)
    web.force_login(erin)
    link_new(web, spike, Ticket.objects.filter(category=vpn)[:5], team=service_desk)
    web.get(detail_url(spike))

    # The spike, its tickets with requesters and teams, the linked ones, the form's teams: not one per row.
    with django_assert_max_num_queries(8):
        response = web.get(detail_url(spike))

    assert response.content.decode().count('data-testid="spike-ticket"') == 18
