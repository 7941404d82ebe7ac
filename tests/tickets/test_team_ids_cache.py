"""The teams whose tickets a staff user works are cached across requests: every change shows at once."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tickets.permissions import TEAMS_VERSION_KEY, staff_team_ids
from tickets.services import ticket_create

QUEUE = reverse("tickets:agent_queue")


def _fresh(user):
    """The user as the next request loads them: nothing remembered on the instance."""
    return type(user).objects.get(pk=user.pk)


def _subjects(client, view="teams"):
    return {ticket.subject for ticket in client.get(QUEUE, {"view": view}).context["page"].tickets}


@pytest.fixture
def tickets(alice, service_desk, network_team):
    for subject, team in (("Desk ticket", service_desk), ("Network ticket", network_team)):
        ticket_create(requester=alice, subject=subject, description="…", acting_user=alice, team=team)


def test_the_team_ids_come_from_the_cache_on_the_next_request(carol, service_desk, django_assert_num_queries):
    assert staff_team_ids(_fresh(carol)) == {service_desk.pk}

    user = _fresh(carol)
    with django_assert_num_queries(0):
        assert staff_team_ids(user) == {service_desk.pk}


@pytest.mark.parametrize("how", ["team side", "user side", "clear"])
def test_leaving_a_team_shows_on_the_next_request(client, carol, service_desk, network_team, tickets, how):
    client.force_login(carol)
    assert _subjects(client) == {"Desk ticket"}

    match how:
        case "team side":
            service_desk.members.remove(carol)
        case "user side":
            carol.teams.remove(service_desk)
        case "clear":
            service_desk.members.clear()

    assert _subjects(client) == set()
    assert staff_team_ids(_fresh(carol)) == set()


@pytest.mark.parametrize("how", ["team side", "user side"])
def test_joining_a_team_shows_on_the_next_request(client, carol, service_desk, network_team, tickets, how):
    client.force_login(carol)
    assert _subjects(client) == {"Desk ticket"}

    if how == "team side":
        network_team.members.add(carol)
    else:
        carol.teams.add(network_team)

    assert _subjects(client) == {"Desk ticket", "Network ticket"}


def test_managing_a_team_and_losing_the_manager_role_show_on_the_next_request(erin, service_desk, network_team):
    assert staff_team_ids(_fresh(erin)) == {service_desk.pk}

    network_team.managers.add(erin)
    assert staff_team_ids(_fresh(erin)) == {service_desk.pk, network_team.pk}

    # An agent works the teams they belong to, not the ones they once managed.
    type(erin).objects.filter(pk=erin.pk).update(role=Role.AGENT)
    assert staff_team_ids(_fresh(erin)) == set()

    type(erin).objects.filter(pk=erin.pk).update(role=Role.MANAGER)
    assert staff_team_ids(_fresh(erin)) == {service_desk.pk, network_team.pk}


def test_a_deleted_team_is_forgotten(carol, service_desk):
    assert staff_team_ids(_fresh(carol)) == {service_desk.pk}

    service_desk.delete()

    assert staff_team_ids(_fresh(carol)) == set()


def test_a_change_invalidates_again_when_its_transaction_commits(
    carol, service_desk, network_team, django_capture_on_commit_callbacks
):
    # A request that read the old membership before the commit may have cached it meanwhile.
    from django.core.cache import cache

    with django_capture_on_commit_callbacks() as callbacks:
        network_team.members.add(carol)
    during = cache.get(TEAMS_VERSION_KEY)
    for callback in callbacks:
        callback()

    assert callbacks and cache.get(TEAMS_VERSION_KEY) != during


def test_another_user_with_the_same_id_does_not_get_the_cached_teams(carol, service_desk):
    """A test database reuses primary keys; so would a restored backup."""
    from django.core.cache import cache

    staff_team_ids(_fresh(carol))
    key = f"staff-teams:{carol.pk}"
    version, owner, _ids = cache.get(key)
    cache.set(key, (version, (owner[0], "another user's date_joined", owner[2]), [999]))

    assert staff_team_ids(_fresh(carol)) == {service_desk.pk}
