"""Who sees and who edits reply templates: personal ones are private, team ones belong to the team."""

import pytest

from accounts.permissions import may_change, may_view
from canned.selectors import grouped_templates, visible_templates


def test_agent_sees_own_and_own_teams_templates_only(
    carol, carols_template, daves_template, desk_template, network_template
):
    assert set(visible_templates(carol)) == {carols_template, desk_template}
    assert may_view(carol, desk_template)
    assert not may_view(carol, daves_template)
    assert not may_view(carol, network_template)


def test_manager_sees_the_team_templates_of_the_team_they_manage(
    erin, desk_template, network_template, carols_template
):
    assert set(visible_templates(erin)) == {desk_template}


def test_admin_sees_every_team_template_but_no_one_elses_personal_ones(
    ada, carols_template, desk_template, network_template
):
    assert set(visible_templates(ada)) == {desk_template, network_template}
    assert not may_view(ada, carols_template)


def test_requesters_see_no_templates(alice, desk_template, carols_template):
    assert list(visible_templates(alice)) == []
    assert not may_view(alice, desk_template)


def test_only_the_owner_edits_a_personal_template(carol, dave, erin, ada, carols_template):
    assert may_change(carol, carols_template)
    assert not may_change(dave, carols_template)
    assert not may_change(erin, carols_template)
    assert not may_change(ada, carols_template)


@pytest.mark.parametrize(("persona", "allowed"), [("carol", False), ("dave", False), ("erin", True), ("ada", True)])
def test_team_templates_are_edited_by_the_teams_managers_and_admins(request, desk_template, persona, allowed):
    assert may_change(request.getfixturevalue(persona), desk_template) is allowed


def test_templates_are_grouped_personal_first_then_by_team(carol, carols_template, desk_template):
    groups = grouped_templates(carol)

    assert [(group.label, group.templates) for group in groups] == [
        ("My templates", [carols_template]),
        ("Service Desk", [desk_template]),
    ]
