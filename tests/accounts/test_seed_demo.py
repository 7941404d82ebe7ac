from django.core.management import call_command

from accounts.models import Organisation, Role, Team, User
from tickets.models import Category


def _counts():
    return {
        "teams": Team.objects.count(),
        "managers": User.objects.filter(role=Role.MANAGER).count(),
        "agents": User.objects.filter(role=Role.AGENT).count(),
        # People: the inactive accounts alert sources and maintenance plans file tickets under are not.
        "requesters": User.objects.filter(role=Role.REQUESTER, is_active=True).count(),
        "organisations": Organisation.objects.count(),
        "root categories": Category.objects.filter(parent=None).count(),
    }


def test_seed_demo_builds_the_demo_organisation(db):
    call_command("seed_demo", "--tickets", "0")

    assert _counts() == {
        "teams": 3,
        "managers": 1,
        "agents": 8,
        "requesters": 40,
        "organisations": 3,
        "root categories": 6,
    }
    tiers = dict(Team.objects.values_list("name", "tier"))
    assert tiers == {"Service Desk": 1, "Network & Infrastructure": 2, "Engineering liaison": 3}
    assert set(Category.objects.filter(parent=None).values_list("name", flat=True)) == {
        "Hardware", "Software", "Network", "Account & access", "Configuration", "Other",
    }  # fmt: skip
    assert set(
        User.objects.filter(role=Role.REQUESTER, is_active=True).values_list("organisation__name", flat=True)
    ) == set(Organisation.objects.values_list("name", flat=True))
    assert not Team.objects.filter(members=None).exists()


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo", "--tickets", "0")
    first = _counts()

    call_command("seed_demo", "--tickets", "0")

    assert _counts() == first


def test_demo_users_can_sign_in(client, db):
    call_command("seed_demo", "--tickets", "0")

    response = client.post(
        "/accounts/login/", {"username": "erin.manager@helpdesk.example", "password": "helpdesk-demo"}
    )

    assert response.status_code == 302


def test_if_empty_leaves_an_existing_database_alone(db, carol):
    call_command("seed_demo", "--if-empty", "--tickets", "0")

    assert User.objects.count() == 1
