"""Who is signed in, their role, whether they are active and their teams come from PostgreSQL.

Each test puts the cache back as it was before the change (every key, as a lagging replica or
a restored RDB file would), then makes the next request: the change must show all the same.
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Role, Team, User
from tickets.services import ticket_create

LOGIN = reverse("accounts:login")
QUEUE = reverse("tickets:agent_queue")


def _cache_as_it_was():
    """Every key of the cache with its value now; calling the result writes them all back."""
    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    saved = {key: client.dump(key) for key in client.scan_iter(match=f"{prefix}:*")}

    def restore() -> None:
        for key, value in saved.items():
            client.restore(key, 0, value, replace=True)

    return restore


def _sign_in(client, user, password):
    response = client.post(LOGIN, {"username": user.email, "password": password})
    assert response.status_code == 302


def _team_subjects(client):
    response = client.get(QUEUE, {"view": "teams"})
    assert response.status_code == 200
    return {ticket.subject for ticket in response.context["page"].tickets}


@pytest.fixture
def desk_ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Desk ticket", description="…", acting_user=alice, team=service_desk)


def _agent_ticket_url(ticket):
    return reverse("tickets:agent_ticket", args=[ticket.reference])


def test_sessions_live_in_the_database(client, carol, password):
    from django.contrib.sessions.models import Session

    _sign_in(client, carol, password)

    session = Session.objects.get(session_key=client.session.session_key)
    assert str(session.get_decoded()["_auth_user_id"]) == str(carol.pk)


@pytest.mark.parametrize("how", ["save", "update"])
def test_a_deactivated_agent_is_signed_out_on_the_next_request(client, carol, password, desk_ticket, how):
    _sign_in(client, carol, password)
    assert client.get(QUEUE).status_code == 200
    restore = _cache_as_it_was()

    if how == "save":
        carol.is_active = False
        carol.save(update_fields=["is_active"])
    else:
        User.objects.filter(pk=carol.pk).update(is_active=False)
    restore()

    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get(_agent_ticket_url(desk_ticket)).status_code == 302


def test_a_member_removed_in_the_admin_loses_the_teams_tickets_on_the_next_request(
    client, carol, ada, password, service_desk, desk_ticket
):
    _sign_in(client, carol, password)
    assert _team_subjects(client) == {"Desk ticket"}
    restore = _cache_as_it_was()

    admin = type(client)()
    admin.force_login(ada)
    change_url = reverse("admin:accounts_team_change", args=[service_desk.pk])
    form = admin.get(change_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data["members"] = []
    response = admin.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not service_desk.members.filter(pk=carol.pk).exists()
    restore()

    assert _team_subjects(client) == set()
    assert client.get(_agent_ticket_url(desk_ticket)).status_code in (403, 404)


def test_a_membership_deleted_from_the_through_table_shows_on_the_next_request(
    client, carol, password, service_desk, desk_ticket
):
    _sign_in(client, carol, password)
    assert _team_subjects(client) == {"Desk ticket"}
    assert client.get(_agent_ticket_url(desk_ticket)).status_code == 200
    restore = _cache_as_it_was()

    Team.members.through.objects.filter(team=service_desk, user=carol).delete()
    restore()

    assert _team_subjects(client) == set()
    assert client.get(_agent_ticket_url(desk_ticket)).status_code in (403, 404)


def test_a_new_membership_shows_on_the_next_request(client, dave, password, service_desk, desk_ticket):
    _sign_in(client, dave, password)
    assert _team_subjects(client) == set()
    restore = _cache_as_it_was()

    Team.members.through.objects.create(team=service_desk, user=dave)
    restore()

    assert _team_subjects(client) == {"Desk ticket"}


def test_an_agent_made_requester_loses_the_queue_on_the_next_request(client, carol, password, desk_ticket):
    _sign_in(client, carol, password)
    assert client.get(QUEUE).status_code == 200
    restore = _cache_as_it_was()

    User.objects.filter(pk=carol.pk).update(role=Role.REQUESTER)
    restore()

    assert client.get(QUEUE).status_code == 403
    assert client.get(_agent_ticket_url(desk_ticket)).status_code in (403, 404)


def test_a_manager_made_agent_loses_the_managed_teams_on_the_next_request(
    client, erin, password, service_desk, network_team, alice
):
    ticket_create(requester=alice, subject="Network ticket", description="…", acting_user=alice, team=network_team)
    network_team.managers.add(erin)
    _sign_in(client, erin, password)
    assert _team_subjects(client) == {"Network ticket"}
    restore = _cache_as_it_was()

    User.objects.filter(pk=erin.pk).update(role=Role.AGENT)
    restore()

    assert _team_subjects(client) == set()


def test_a_new_password_signs_out_the_other_sessions(client, carol, password):
    _sign_in(client, carol, password)
    restore = _cache_as_it_was()

    carol.set_password("a whole new passphrase")
    carol.save()
    restore()

    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
