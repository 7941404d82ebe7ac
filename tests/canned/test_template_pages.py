"""The reply template pages under /agent/templates/: list, create, edit, delete."""

from django.urls import reverse

from canned.models import ReplyTemplate


def test_list_groups_personal_and_team_templates_without_others_personal_ones(
    client, carol, carols_template, daves_template, desk_template, network_template, django_assert_max_num_queries
):
    client.force_login(carol)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("canned:list"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "My templates" in page and "Service Desk" in page
    assert "Carol: restart" in page and "Desk: acknowledgement" in page
    assert "Dave: cable check" not in page and "Network: outage" not in page
    # carol may edit her own template but not the team's
    assert reverse("canned:edit", args=[carols_template.pk]) in page
    assert reverse("canned:edit", args=[desk_template.pk]) not in page


def test_requesters_are_refused(client, alice):
    client.force_login(alice)

    assert client.get(reverse("canned:list")).status_code == 403
    assert client.post(reverse("canned:create"), {"title": "t", "body": "b"}).status_code == 403
    assert not ReplyTemplate.objects.exists()


def test_agent_creates_a_personal_template(client, carol):
    client.force_login(carol)

    response = client.post(
        reverse("canned:create"), {"title": "  Printer  reset ", "body": "Hi {requester_first_name}"}
    )

    assert response.status_code == 302
    template = ReplyTemplate.objects.get()
    assert (template.title, template.body, template.owner, template.team) == (
        "Printer reset",
        "Hi {requester_first_name}",
        carol,
        None,
    )


def test_title_and_text_are_required(client, carol):
    client.force_login(carol)

    response = client.post(reverse("canned:create"), {"title": "  ", "body": " \n "})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"title", "body"}
    assert not ReplyTemplate.objects.exists()


def test_an_agent_cannot_share_a_template_with_a_team(client, carol, service_desk):
    client.force_login(carol)

    response = client.post(reverse("canned:create"), {"title": "Team", "body": "Text", "team": service_desk.pk})

    assert response.status_code == 400
    assert response.context["form"].errors["team"] == ["You can only share templates with teams you manage."]
    assert not ReplyTemplate.objects.exists()


def test_manager_shares_a_template_with_their_team_but_not_with_another(client, erin, service_desk, network_team):
    client.force_login(erin)

    refused = client.post(reverse("canned:create"), {"title": "Net", "body": "Text", "team": network_team.pk})
    created = client.post(reverse("canned:create"), {"title": "Desk", "body": "Text", "team": service_desk.pk})

    assert refused.status_code == 400
    assert created.status_code == 302
    template = ReplyTemplate.objects.get()
    assert (template.title, template.team, template.owner) == ("Desk", service_desk, None)


def test_manager_edits_a_team_template(client, erin, desk_template, service_desk):
    client.force_login(erin)

    response = client.post(
        reverse("canned:edit", args=[desk_template.pk]),
        {"title": "Desk: hello", "body": "Hello {requester_name}", "team": service_desk.pk},
    )

    assert response.status_code == 302
    desk_template.refresh_from_db()
    assert (desk_template.title, desk_template.body, desk_template.team) == (
        "Desk: hello",
        "Hello {requester_name}",
        service_desk,
    )


def test_agent_cannot_edit_or_delete_a_team_template(client, carol, desk_template, service_desk):
    client.force_login(carol)

    edit = client.post(
        reverse("canned:edit", args=[desk_template.pk]), {"title": "Mine now", "body": "x", "team": service_desk.pk}
    )
    delete = client.post(reverse("canned:delete", args=[desk_template.pk]))

    assert (edit.status_code, delete.status_code) == (403, 403)
    desk_template.refresh_from_db()
    assert desk_template.title == "Desk: acknowledgement"


def test_someone_elses_personal_template_is_not_found(client, carol, daves_template):
    client.force_login(carol)

    assert client.get(reverse("canned:edit", args=[daves_template.pk])).status_code == 404
    assert client.post(reverse("canned:delete", args=[daves_template.pk])).status_code == 404
    assert ReplyTemplate.objects.filter(pk=daves_template.pk).exists()


def test_owner_edits_and_deletes_a_personal_template(client, carol, carols_template):
    client.force_login(carol)

    form = client.get(reverse("canned:edit", args=[carols_template.pk]))
    client.post(reverse("canned:edit", args=[carols_template.pk]), {"title": "Restart", "body": "Please restart."})
    carols_template.refresh_from_db()
    confirm = client.get(reverse("canned:delete", args=[carols_template.pk]))
    deleted = client.post(reverse("canned:delete", args=[carols_template.pk]))

    assert form.status_code == 200 and "Carol: restart" in form.content.decode()
    assert (carols_template.title, carols_template.body) == ("Restart", "Please restart.")
    assert confirm.status_code == 200 and deleted.status_code == 302
    assert not ReplyTemplate.objects.exists()


def test_editing_keeps_the_text_when_validation_fails(client, carol, carols_template):
    client.force_login(carol)

    response = client.post(reverse("canned:edit", args=[carols_template.pk]), {"title": "", "body": "Kept text"})

    assert response.status_code == 400
    assert "Kept text" in response.content.decode()
    carols_template.refresh_from_db()
    assert carols_template.title == "Carol: restart"
