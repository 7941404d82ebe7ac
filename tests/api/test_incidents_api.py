"""``/api/v1/spikes/`` and ``/api/v1/major-incidents/``: the /manage/incidents/ pages for scripts."""

from datetime import timedelta

import pytest

from accounts.models import Role
from monitoring.major_incidents import major_incident_children
from monitoring.models import Spike
from notifications.models import OutboxEmail
from tests.factories import TeamFactory, UserFactory
from tests.monitoring.spike_fixtures import STARTED, open_tickets
from tickets.models import Category, EventKind, LinkKind, Priority, Ticket, TicketLink

SPIKES = "/api/v1/spikes/"


def link_url(spike):
    return f"{SPIKES}{spike.pk}/major-incident/"


def reply_url(parent):
    return f"/api/v1/major-incidents/{parent.reference}/reply-all/"


def new_incident(tickets, team, **fields):
    return {
        "tickets": [ticket.reference for ticket in tickets],
        "parent_kind": "new",
        "subject": "VPN gateway down",
        "description": "The VPN gateway in Shanghai is down.",
        "team": team.pk,
        "priority": 1,
        **fields,
    }


def test_list_shows_open_spikes_first(as_user, carol, vpn, spike):
    printers = Category.objects.create(name="Printers")
    ended = Spike.objects.create(
        category=printers,
        started_at=STARTED + timedelta(minutes=10),
        last_seen_at=STARTED + timedelta(minutes=10),
        ended_at=STARTED + timedelta(minutes=20),
        tickets_in_window=5,
        baseline=1,
    )

    response = as_user(carol).get(SPIKES)

    assert response.status_code == 200, response.json()
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [spike.pk, ended.pk]
    assert (rows[0]["is_open"], rows[0]["category_name"], rows[0]["parent"]) == (True, "VPN", None)
    assert rows[1]["is_open"] is False


def test_list_queries_do_not_grow_with_spikes(as_user, carol, spike, django_assert_max_num_queries):
    for number in range(10):
        category = Category.objects.create(name=f"Category {number}")
        Spike.objects.create(
            category=category, started_at=STARTED, last_seen_at=STARTED, tickets_in_window=4, baseline=0
        )
    client = as_user(carol)

    with django_assert_max_num_queries(6):
        response = client.get(SPIKES)

    assert response.json()["count"] == 11


def test_detail_shows_the_tickets_the_agent_may_see(as_user, carol, spike, children):
    response = as_user(carol).get(f"{SPIKES}{spike.pk}/")

    assert response.status_code == 200
    tickets = response.json()["tickets"]
    assert [row["reference"] for row in tickets] == [child.reference for child in children]
    assert not any(row["linked"] for row in tickets)


def test_detail_hides_tickets_of_other_teams(as_user, dave, network_team, spike, children):
    response = as_user(dave).get(f"{SPIKES}{spike.pk}/")

    assert response.status_code == 200
    assert response.json()["tickets"] == []


def test_detail_queries_do_not_grow_with_tickets(
    as_user, erin, vpn, spike, alice, service_desk, django_assert_max_num_queries
):
    open_tickets(vpn, [alice], at=STARTED + timedelta(minutes=6), count=8, team=service_desk)
    client = as_user(erin)

    with django_assert_max_num_queries(8):
        response = client.get(f"{SPIKES}{spike.pk}/")

    assert len(response.json()["tickets"]) == 11


def test_requester_gets_403_everywhere(as_user, alice, spike, children, service_desk):
    client = as_user(alice)

    assert client.get(SPIKES).status_code == 403
    assert client.get(f"{SPIKES}{spike.pk}/").status_code == 403
    response = client.post(link_url(spike), new_incident(children, service_desk), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert client.post(reply_url(children[0]), {"body": "Hi"}, format="json").status_code == 403
    assert not TicketLink.objects.exists()


def test_anonymous_gets_401(api, spike):
    response = api.get(SPIKES)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_agent_reads_but_may_not_link_or_reply(as_user, carol, spike, children, service_desk):
    client = as_user(carol)

    assert client.post(link_url(spike), new_incident(children, service_desk), format="json").status_code == 403
    assert client.post(reply_url(children[0]), {"body": "Hi"}, format="json").status_code == 403
    assert not TicketLink.objects.exists()


def test_manager_links_under_a_new_major_incident_as_the_page(as_user, erin, spike, children, service_desk, vpn):
    response = as_user(erin).post(link_url(spike), new_incident(children, service_desk), format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    spike.refresh_from_db()
    parent = spike.parent
    assert body["parent"] == parent.reference and body["spike"]["parent"] == parent.reference
    assert sorted(body["linked"]) == sorted(child.reference for child in children)
    assert all(row["linked"] for row in body["spike"]["tickets"])
    assert (parent.subject, parent.priority, parent.team, parent.category, parent.requester) == (
        "VPN gateway down",
        Priority.P1,
        service_desk,
        vpn,
        erin,
    )
    assert set(major_incident_children(parent)) == set(children)
    for child in children:
        event = child.events.get(kind=EventKind.LINKED)
        assert (event.actor, event.new_value) == (erin, {"kind": LinkKind.CAUSED_BY, "ticket": parent.pk})


def test_manager_links_under_an_existing_ticket_by_reference(as_user, erin, spike, children, alice, service_desk, vpn):
    existing = open_tickets(vpn, [alice], at=STARTED - timedelta(days=1), count=1, team=service_desk)[0]

    response = as_user(erin).post(
        link_url(spike),
        {"tickets": [children[0].reference.lower()], "parent_kind": "existing", "reference": existing.reference},
        format="json",
    )

    assert response.status_code == 200, response.json()
    spike.refresh_from_db()
    assert spike.parent == existing
    assert list(major_incident_children(existing)) == [children[0]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"priority": None}, "priority"),
        ({"priority": 3}, "priority"),
        ({"tickets": []}, "tickets"),
        ({"tickets": ["HD-999999"]}, "tickets"),
        ({"tickets": ["not a reference"]}, "tickets"),
        ({"team": "x"}, "team"),
        ({"team": 999999}, "team"),
        ({"parent_kind": "existing", "reference": "HD-999999"}, "reference"),
        ({"parent_kind": "sideways"}, "parent_kind"),
    ],
)
def test_bad_link_input_is_a_400_that_links_nothing(as_user, erin, spike, children, service_desk, change, field):
    data = new_incident(children, service_desk)
    data.update(change)
    if data.get("priority") is None:
        data.pop("priority")

    response = as_user(erin).post(link_url(spike), data, format="json")

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"], body
    assert not TicketLink.objects.exists()
    assert Spike.objects.get().parent is None
    assert Ticket.objects.count() == 3


def test_missing_subject_has_the_page_message(as_user, erin, spike, children, service_desk):
    response = as_user(erin).post(link_url(spike), new_incident(children, service_desk, subject=""), format="json")

    assert response.json()["fields"]["subject"] == ["Give the major incident a subject."]


def test_a_team_the_manager_does_not_work_is_refused(as_user, erin, spike, children, network_team):
    response = as_user(erin).post(link_url(spike), new_incident(children, network_team), format="json")

    assert response.status_code == 400
    assert "team" in response.json()["fields"]
    assert not TicketLink.objects.exists()


def test_unknown_spike_is_a_404(as_user, erin, children, service_desk):
    client = as_user(erin)
    assert client.get(f"{SPIKES}999999/").status_code == 404
    assert client.post(f"{SPIKES}999999/major-incident/", {}, format="json").status_code == 404


def test_reply_all_replies_on_every_linked_ticket_and_e_mails_each_requester(
    as_user, erin, spike, children, service_desk
):
    client = as_user(erin)
    parent_reference = client.post(link_url(spike), new_incident(children, service_desk), format="json").json()[
        "parent"
    ]
    emails_before = set(OutboxEmail.objects.values_list("id", flat=True))

    response = client.post(
        f"/api/v1/major-incidents/{parent_reference}/reply-all/",
        {"body": "The gateway is back; please reconnect."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["replied"] == [child.reference for child in sorted(children, key=lambda t: t.pk)]
    for child in children:
        message = child.messages.get(is_public=True)
        assert (message.author, message.body) == (erin, "The gateway is back; please reconnect.")
        assert child.events.filter(kind=EventKind.REPLIED, actor=erin).count() == 1
    replies = OutboxEmail.objects.exclude(id__in=emails_before).filter(kind="public_reply")
    assert sorted(replies.values_list("to", flat=True)) == sorted(child.requester.email for child in children)
    parent = Spike.objects.get().parent
    assert parent.messages.filter(is_public=False, body__startswith="Reply sent to the requesters of 3").exists()


@pytest.mark.parametrize("body", [{"body": "   "}, {}, {"body": ["x"]}, {"body": "x" * 50_001}])
def test_bad_reply_all_is_a_400_that_sends_nothing(as_user, erin, spike, children, service_desk, body):
    client = as_user(erin)
    parent = client.post(link_url(spike), new_incident(children, service_desk), format="json").json()["parent"]

    response = client.post(f"/api/v1/major-incidents/{parent}/reply-all/", body, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"
    assert not Ticket.objects.filter(messages__is_public=True).exists()


def test_reply_all_without_linked_tickets_is_a_400(as_user, erin, children):
    response = as_user(erin).post(reply_url(children[0]), {"body": "Hello"}, format="json")

    assert response.status_code == 400
    assert response.json()["extra"] == {"field": "body"}


def test_reply_all_to_an_unknown_or_unseen_ticket_is_a_404(as_user, erin, children, dave, network_team, service_desk):
    nina = UserFactory(email="nina@helpdesk.example", full_name="Nina Berg", role=Role.MANAGER)
    TeamFactory(name="Operations", tier=2, managers=[nina])
    assert as_user(erin).post("/api/v1/major-incidents/HD-999999/reply-all/", {"body": "x"}).status_code == 404
    assert as_user(erin).post("/api/v1/major-incidents/nonsense/reply-all/", {"body": "x"}).status_code == 404
    assert as_user(nina).post(reply_url(children[0]), {"body": "x"}, format="json").status_code == 404


def test_a_manager_of_another_team_may_not_link_tickets_she_may_not_see(as_user, spike, children, dave):
    nina = UserFactory(email="nina@helpdesk.example", full_name="Nina Berg", role=Role.MANAGER)
    network = TeamFactory(name="Network", tier=2, members=[dave], managers=[nina])

    response = as_user(nina).post(link_url(spike), new_incident(children, network), format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["tickets"] == [
        f"{children[0].reference} is not a ticket of this spike you may see."
    ]
    assert not TicketLink.objects.exists()


def test_linking_a_ticket_under_itself_is_the_service_s_400(as_user, erin, spike, children):
    response = as_user(erin).post(
        link_url(spike),
        {"tickets": [children[0].reference], "parent_kind": "existing", "reference": children[0].reference},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["extra"] == {"field": "tickets"}
    assert not TicketLink.objects.exists() and Spike.objects.get().parent is None
