"""The reply template services check permission themselves, whatever the form offered."""

import pytest
from django.core.exceptions import PermissionDenied

from canned.services import reply_template_create, reply_template_delete, reply_template_update
from helpdesk.errors import ApplicationError


def test_an_agent_cannot_create_a_team_template_through_the_service(carol, service_desk):
    with pytest.raises(ApplicationError) as refused:
        reply_template_create(title="T", body="B", team=service_desk, acting_user=carol)

    assert refused.value.extra == {"field": "team"}


def test_requesters_cannot_create_templates(alice):
    with pytest.raises(PermissionDenied):
        reply_template_create(title="T", body="B", team=None, acting_user=alice)


def test_only_the_owner_updates_or_deletes_a_personal_template(carol, dave, carols_template):
    with pytest.raises(PermissionDenied):
        reply_template_update(carols_template, title="x", body="y", team=None, acting_user=dave)
    with pytest.raises(PermissionDenied):
        reply_template_delete(carols_template, acting_user=dave)

    carols_template.refresh_from_db()
    assert carols_template.title == "Carol: restart"


def test_making_a_team_template_personal_gives_it_to_the_editor(erin, desk_template):
    template = reply_template_update(desk_template, title="Mine", body="Text", team=None, acting_user=erin)

    assert (template.owner, template.team) == (erin, None)


def test_a_manager_cannot_move_a_template_to_a_team_they_do_not_manage(erin, desk_template, network_team):
    with pytest.raises(ApplicationError):
        reply_template_update(desk_template, title="x", body="y", team=network_team, acting_user=erin)

    desk_template.refresh_from_db()
    assert desk_template.team.name == "Service Desk"
