"""Reference data: what the caller may see."""

from django.urls import reverse

from canned.models import ReplyTemplate
from tickets.sla.models import BusinessCalendar, SlaPolicy


def test_a_requester_sees_only_herself_and_no_teams(as_user, alice, bob, carol, service_desk):
    client = as_user(alice)

    users = client.get(reverse("api:user-list")).json()["results"]
    teams = client.get(reverse("api:team-list")).json()
    other = client.get(reverse("api:user-detail", args=[bob.pk]))

    assert [user["id"] for user in users] == [alice.pk]
    assert teams == []
    assert other.status_code == 404 and other.json()["code"] == "not_found"


def test_an_agent_sees_teams_and_people(as_user, alice, carol, service_desk, network_team):
    client = as_user(carol)

    teams = client.get(reverse("api:team-list")).json()
    users = client.get(reverse("api:user-list")).json()["results"]

    assert {team["name"] for team in teams} == {"Service Desk", "Network"}
    assert {alice.pk, carol.pk} <= {user["id"] for user in users}


def test_categories_for_anyone_signed_in(as_user, api, alice):
    assert as_user(alice).get(reverse("api:category-list")).status_code == 200
    api.logout()
    assert api.get(reverse("api:category-list")).status_code == 401


def test_reply_templates_own_and_team_only(as_user, carol, dave, service_desk, network_team):
    mine = ReplyTemplate.objects.create(title="Mine", body="x", owner=carol)
    team = ReplyTemplate.objects.create(title="Desk", body="x", team=service_desk)
    ReplyTemplate.objects.create(title="Dave's", body="x", owner=dave)

    titles = {row["title"] for row in as_user(carol).get(reverse("api:reply-template-list")).json()}

    assert {mine.title, team.title} <= titles and "Dave's" not in titles


def test_reply_templates_none_for_requesters(as_user, alice, carol, service_desk):
    ReplyTemplate.objects.create(title="Desk", body="x", team=service_desk)

    assert as_user(alice).get(reverse("api:reply-template-list")).json() == []


def test_sla_policies_for_managers_only(as_user, carol, erin, service_desk):
    calendar = BusinessCalendar.objects.create(name="Office")
    SlaPolicy.objects.create(name="Standard", calendar=calendar, first_response_minutes=60, resolution_minutes=480)

    refused = as_user(carol).get(reverse("api:sla-policy-list"))
    allowed = as_user(erin).get(reverse("api:sla-policy-list"))

    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert allowed.status_code == 200 and "Standard" in {row["name"] for row in allowed.json()}


def test_organisations_a_requester_sees_only_her_own(as_user, alice, oscar, carol):
    own = as_user(alice).get(reverse("api:organisation-list")).json()["results"]
    every = as_user(carol).get(reverse("api:organisation-list")).json()["results"]

    assert [row["name"] for row in own] == ["Acme"]
    assert {row["name"] for row in every} == {"Acme", "Globex"}


def test_calendars_and_escalation_rules_for_managers_only(as_user, carol, erin):
    BusinessCalendar.objects.create(name="Office")

    for name in ("api:calendar-list", "api:escalation-rule-list"):
        assert as_user(carol).get(reverse(name)).status_code == 403, name
        assert as_user(erin).get(reverse(name)).status_code == 200, name


def test_vendors_for_staff_only(as_user, alice, carol):
    assert as_user(alice).get(reverse("api:vendor-list")).status_code == 403
    assert as_user(carol).get(reverse("api:vendor-list")).status_code == 200
