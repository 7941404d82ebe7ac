import pytest
from django.test import override_settings
from django.utils import translation


@override_settings(DEBUG=False)
def test_unknown_page_gets_the_friendly_404(client, carol):
    client.force_login(carol)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()
    assert "Back to the start page" in response.content.decode()


@override_settings(DEBUG=False)
def test_404_is_translated_for_a_chinese_user(client, carol):
    carol.language = "zh-hans"
    carol.save()
    client.force_login(carol)

    response = client.get("/no-such-page/")

    assert "找不到" in response.content.decode()


def test_permission_denied_page_is_friendly(rf, alice):
    from helpdesk.views import permission_denied

    request = rf.get("/")
    request.user = alice
    with translation.override("en"):
        response = permission_denied(request)

    assert response.status_code == 403
    assert "You don't have access to this page" in response.content.decode()


def test_server_error_page_renders_without_a_database(rf):
    from helpdesk.views import server_error

    with translation.override("en"):
        response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.parametrize("path", ["/static/bootstrap/css/bootstrap.min.css", "/static/django_htmx/htmx-2.min.js"])
def test_front_end_assets_are_served_locally(client, db, path):
    from django.contrib.staticfiles import finders

    assert finders.find(path.removeprefix("/static/")) is not None
