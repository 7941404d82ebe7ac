"""Scorecard editing: the services' rules and permissions, and the /manage/scorecards/ pages.

Personas (tests/conftest.py): erin manages Service Desk, ada is an admin, carol is an agent; frank
manages Network here. The default scorecard comes from migration 0003.
"""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from helpdesk.errors import ApplicationError, ConflictError
from kpis import scorecard_services as scorecards
from kpis.models import Scorecard, ScorecardItem
from tests.factories import UserFactory


@pytest.fixture
def frank(network_team):
    manager = UserFactory(email="frank@helpdesk.example", full_name="Frank Ortiz", role=Role.MANAGER)
    network_team.managers.add(manager)
    return manager


@pytest.fixture
def default_card(db) -> Scorecard:
    return Scorecard.objects.get(team=None)


@pytest.fixture
def desk_card(erin, service_desk, default_card) -> Scorecard:
    return scorecards.scorecard_create_for_team(service_desk, acting_user=erin)


def item(**overrides):
    return {
        "metric": "tickets_resolved",
        "weight": 5,
        "target": 40,
        "floor": 10,
        "direction": "higher",
        "min_sample": 0,
        "position": 20,
        **overrides,
    }


# --- services -------------------------------------------------------------------------------


def test_a_teams_own_scorecard_starts_as_a_copy_of_the_default(desk_card, default_card, service_desk):
    assert desk_card.team == service_desk
    copied = list(desk_card.items.values_list("metric", "weight", "target", "floor", "direction", "min_sample"))
    original = list(default_card.items.values_list("metric", "weight", "target", "floor", "direction", "min_sample"))
    assert copied == original and len(copied) == 10
    assert desk_card.bands == default_card.bands


def test_a_team_gets_one_own_scorecard(desk_card, erin, service_desk):
    with pytest.raises(ConflictError):
        scorecards.scorecard_create_for_team(service_desk, acting_user=erin)


def test_only_the_teams_managers_give_it_a_scorecard(frank, carol, service_desk, default_card):
    for someone in (frank, carol):
        with pytest.raises(PermissionDenied):
            scorecards.scorecard_create_for_team(service_desk, acting_user=someone)


def test_only_admins_edit_the_default_scorecard(default_card, erin, ada):
    with pytest.raises(PermissionDenied):
        scorecards.scorecard_item_add(default_card, **item(), acting_user=erin)

    added = scorecards.scorecard_item_add(default_card, **item(), acting_user=ada)

    assert added.scorecard == default_card


def test_another_teams_manager_cannot_edit(desk_card, frank):
    existing = desk_card.items.first()
    with pytest.raises(PermissionDenied):
        scorecards.scorecard_item_update(existing, **item(), acting_user=frank)
    with pytest.raises(PermissionDenied):
        scorecards.scorecard_item_remove(existing, acting_user=frank)


def test_the_manager_adds_changes_and_removes_items(desk_card, erin):
    added = scorecards.scorecard_item_add(desk_card, **item(position=None), acting_user=erin)
    assert added.position == desk_card.items.exclude(pk=added.pk).order_by("-position").first().position + 1

    changed = scorecards.scorecard_item_update(added, **item(weight=8, target=50), acting_user=erin)
    assert (changed.weight, changed.target, changed.position) == (8, 50, 20)

    scorecards.scorecard_item_remove(changed, acting_user=erin)
    assert not desk_card.items.filter(metric="tickets_resolved").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"metric": "happiness"}, "metric", "Choose one of the listed metrics."),
        ({"weight": 0}, "weight", "The weight is a whole number from 1 to 1000."),
        ({"weight": 2.5}, "weight", "The weight is a whole number from 1 to 1000."),
        ({"target": 10, "floor": 40}, "target", "Higher is better, so the target must be above the floor"),
        ({"target": 10, "floor": 10}, "target", "Higher is better, so the target must be above the floor"),
        ({"direction": "lower"}, "target", "Lower is better, so the target must be below the floor"),
        ({"target": "nan"}, "target", "Enter the target as a number."),
        ({"min_sample": -1}, "min_sample", "The minimum sample is a whole number, 0 or more."),
        ({"direction": "sideways"}, "direction", "Choose whether higher or lower is better."),
    ],
)
def test_an_item_is_refused_with_a_clear_message(desk_card, erin, overrides, field, message):
    with pytest.raises(ApplicationError) as refused:
        scorecards.scorecard_item_add(desk_card, **item(**overrides), acting_user=erin)

    assert str(refused.value.message).startswith(message)
    assert refused.value.extra["field"] == field


def test_a_metric_appears_once_per_scorecard(desk_card, erin):
    with pytest.raises(ConflictError, match="already has that metric"):
        scorecards.scorecard_item_add(desk_card, **item(metric="fcr_rate", target=0.8, floor=0.4), acting_user=erin)
    reuse = desk_card.items.get(metric="reopen_rate")
    with pytest.raises(ConflictError):
        scorecards.scorecard_item_update(
            reuse, **item(metric="fcr_rate", target=0.8, floor=0.4, position=reuse.position), acting_user=erin
        )


def test_bands_are_stored_best_first(desk_card, erin):
    card = scorecards.scorecard_update(
        desk_card,
        name="Desk",
        bands=[{"min": "0", "label": "Below"}, {"min": 80, "label": "Great"}, {"min": 50, "label": "Fine"}],
        acting_user=erin,
    )

    assert card.bands == [{"min": 80, "label": "Great"}, {"min": 50, "label": "Fine"}, {"min": 0, "label": "Below"}]
    assert card.name == "Desk"


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ([{"min": 50, "label": "Fine"}], "One rating band must start at 0"),
        ([{"min": 0, "label": "A"}, {"min": 0, "label": "B"}], "Two rating bands have the same minimum score."),
        ([{"min": 0, "label": "A"}, {"min": 101, "label": "B"}], "A band's minimum score is a whole number"),
        ([{"min": 0, "label": ""}], "Every rating band needs a label."),
    ],
)
def test_bands_are_refused_with_a_clear_message(desk_card, erin, bands, message):
    with pytest.raises(ApplicationError) as refused:
        scorecards.scorecard_update(desk_card, name="Desk", bands=bands, acting_user=erin)
    assert str(refused.value.message).startswith(message)


def test_the_balance_sums_weights_per_area(default_card):
    balance = {str(area.area): area.weight for area in scorecards.scorecard_balance(default_card)}

    assert balance == {
        "Efficiency": 40,
        "Quality and satisfaction": 40,
        "Workload and contribution": 15,
        "Growth": 5,
    }


# --- pages ----------------------------------------------------------------------------------


def test_the_list_shows_the_default_and_the_managed_teams(client, erin, service_desk, network_team, default_card):
    client.force_login(erin)

    response = client.get("/manage/scorecards/")

    assert response.status_code == 200
    assert default_card.name in response.text
    assert "Service Desk" in response.text and "Network" not in response.text
    assert f"/manage/scorecards/new/?team={service_desk.pk}" in response.text


def test_an_agent_has_no_scorecard_pages(client, carol, default_card):
    client.force_login(carol)
    assert client.get("/manage/scorecards/").status_code == 403
    assert client.get(f"/manage/scorecards/{default_card.pk}/").status_code == 403


def test_the_manager_gives_the_team_its_own_scorecard(client, erin, service_desk, default_card):
    client.force_login(erin)
    assert client.get(f"/manage/scorecards/new/?team={service_desk.pk}").status_code == 200

    response = client.post(f"/manage/scorecards/new/?team={service_desk.pk}")

    card = Scorecard.objects.get(team=service_desk)
    assert response.status_code == 302 and response.url == f"/manage/scorecards/{card.pk}/"


def test_another_teams_manager_cannot_create_or_see_it(client, frank, desk_card, service_desk):
    client.force_login(frank)
    assert client.post(f"/manage/scorecards/new/?team={service_desk.pk}").status_code == 403
    assert client.get(f"/manage/scorecards/{desk_card.pk}/").status_code == 403
    existing = desk_card.items.first()
    assert client.post(f"/manage/scorecards/{desk_card.pk}/items/{existing.pk}/", {"remove": "1"}).status_code == 403


def test_the_page_shows_areas_the_balance_and_the_not_enough_data_note(client, erin, desk_card):
    client.force_login(erin)

    response = client.get(f"/manage/scorecards/{desk_card.pk}/")

    assert response.status_code == 200
    assert "Quality and satisfaction" in response.text
    assert "not enough data" in response.text
    assert "its weight is shared out among the other items" in response.text


def test_a_manager_reads_the_default_but_cannot_change_it(client, erin, default_card):
    client.force_login(erin)
    page = client.get(f"/manage/scorecards/{default_card.pk}/")
    assert page.status_code == 200 and "Only administrators change the default scorecard." in page.text

    data = {f"add-{key}": value for key, value in item().items()}
    assert client.post(f"/manage/scorecards/{default_card.pk}/", data).status_code == 403


def _item_post(prefix: str, **overrides) -> dict:
    return {f"{prefix}-{key}": value for key, value in item(**overrides).items()}


def test_adding_an_item_from_the_page(client, erin, desk_card):
    client.force_login(erin)

    response = client.post(f"/manage/scorecards/{desk_card.pk}/", _item_post("add"))

    assert response.status_code == 302
    assert desk_card.items.filter(metric="tickets_resolved", weight=5).exists()


def test_a_refused_item_shows_the_message_on_the_page(client, erin, desk_card):
    client.force_login(erin)

    response = client.post(f"/manage/scorecards/{desk_card.pk}/", _item_post("add", target=5, floor=10))

    assert response.status_code == 400
    assert "Higher is better, so the target must be above the floor" in response.text
    assert not desk_card.items.filter(metric="tickets_resolved").exists()


def test_changing_and_removing_an_item_from_the_page(client, erin, desk_card):
    client.force_login(erin)
    fcr = desk_card.items.get(metric="fcr_rate")
    data = _item_post(f"item-{fcr.pk}", metric="fcr_rate", weight=12, target=0.8, floor=0.5, position=3)

    assert client.post(f"/manage/scorecards/{desk_card.pk}/items/{fcr.pk}/", data).status_code == 302
    fcr.refresh_from_db()
    assert (fcr.weight, fcr.target, fcr.floor, fcr.position) == (12, 0.8, 0.5, 3)

    assert client.post(f"/manage/scorecards/{desk_card.pk}/items/{fcr.pk}/", {"remove": "1"}).status_code == 302
    assert not ScorecardItem.objects.filter(pk=fcr.pk).exists()


def test_bands_from_the_page(client, erin, desk_card):
    client.force_login(erin)
    url = f"/manage/scorecards/{desk_card.pk}/settings/"

    refused = client.post(url, {"name": "Desk", "bands": "90 Top\n40 Fine"})
    assert refused.status_code == 400 and "One rating band must start at 0" in refused.text

    assert client.post(url, {"name": "Desk", "bands": "0 Low\n90 Top\n\n40 Fine"}).status_code == 302
    desk_card.refresh_from_db()
    assert [band["min"] for band in desk_card.bands] == [90, 40, 0]
