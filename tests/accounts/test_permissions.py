import pytest
from django.core.exceptions import PermissionDenied

from accounts import permissions
from accounts.models import Organisation, Team, User


@pytest.mark.parametrize(
    ("persona", "may_view", "may_change"),
    [
        ("alice", False, False),
        ("carol", True, False),
        ("dave", True, False),
        ("erin", True, True),
        ("ada", True, True),
    ],
)
def test_team_rules(request, service_desk, network_team, persona, may_view, may_change):
    user = request.getfixturevalue(persona)

    assert permissions.may_view(user, service_desk) is may_view
    assert permissions.may_change(user, service_desk) is may_change


def test_a_manager_changes_only_the_teams_they_manage(erin, service_desk, network_team):
    assert permissions.may_change(erin, service_desk)
    assert not permissions.may_change(erin, network_team)


def test_requesters_see_only_their_own_organisation(alice, acme, globex):
    assert permissions.may_view(alice, acme)
    assert not permissions.may_view(alice, globex)
    assert list(permissions.visible(alice, Organisation.objects.all())) == [acme]


def test_requesters_see_only_themselves_among_users(alice, bob, carol):
    assert permissions.may_view(alice, alice)
    assert not permissions.may_view(alice, bob)
    assert list(permissions.visible(alice, User.objects.all())) == [alice]


def test_staff_see_people_but_only_admins_change_others(carol, alice, ada):
    assert permissions.may_view(carol, alice)
    assert not permissions.may_change(carol, alice)
    assert permissions.may_change(ada, alice)
    assert permissions.may_change(alice, alice)


def test_inactive_and_anonymous_users_may_nothing(carol, service_desk):
    from django.contrib.auth.models import AnonymousUser

    carol.is_active = False
    assert not permissions.may_view(carol, service_desk)
    assert not permissions.may_view(AnonymousUser(), service_desk)
    assert not permissions.visible(AnonymousUser(), Team.objects.all()).exists()


def test_models_without_rules_are_refused(ada):
    from django.contrib.sessions.models import Session

    assert not permissions.may_view(ada, Session(session_key="x"))
    assert not permissions.visible(ada, Session.objects.all()).exists()


def test_require_raises_permission_denied(alice, service_desk):
    with pytest.raises(PermissionDenied):
        permissions.require_view(alice, service_desk)
    with pytest.raises(PermissionDenied):
        permissions.require_change(alice, service_desk)


def test_teams_page_lists_teams_for_staff_and_redirects_requesters(client, carol, alice, service_desk, network_team):
    client.force_login(carol)
    page = client.get("/accounts/teams/").content.decode()
    assert "Service Desk" in page and "Network" in page

    client.force_login(alice)
    assert client.get("/accounts/teams/").status_code == 302


def test_teams_page_runs_a_fixed_number_of_queries(
    client, carol, service_desk, network_team, django_assert_max_num_queries
):
    client.force_login(carol)
    with django_assert_max_num_queries(6):
        client.get("/accounts/teams/")
