import zoneinfo

from django.urls import reverse
from django.utils import timezone

SWITCH = reverse("accounts:set_language")


def test_switching_language_is_saved_on_the_user(client, carol):
    client.force_login(carol)

    response = client.post(SWITCH, {"language": "zh-hans", "next": "/"})

    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.language == "zh-hans"
    assert "工单队列" in client.get("/").content.decode()


def test_saved_language_follows_the_user_to_a_new_browser(client, carol, password):
    carol.language = "zh-hans"
    carol.save()

    client.post(reverse("accounts:login"), {"username": carol.email, "password": password})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert page["Content-Language"] == "zh-hans"
    assert "退出" in page.content.decode()


def test_anonymous_visitors_switch_by_cookie(client, db):
    client.post(SWITCH, {"language": "zh-hans", "next": "/accounts/login/"})

    assert "登录" in client.get(reverse("accounts:login")).content.decode()


def test_unknown_language_is_ignored(client, carol):
    client.force_login(carol)

    client.post(SWITCH, {"language": "xx", "next": "/"})

    carol.refresh_from_db()
    assert carol.language == "en"


def test_switch_never_redirects_off_site(client, carol):
    client.force_login(carol)

    response = client.post(SWITCH, {"language": "en", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_pages_use_the_users_time_zone(client, carol):
    carol.time_zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    carol.save()
    client.force_login(carol)

    response = client.get("/")

    assert response.status_code == 200
    assert "Asia/Shanghai" in response.content.decode()
    assert str(timezone.get_current_timezone()) != "Asia/Shanghai"  # not leaked past the request


def test_preferences_form_saves_language_and_time_zone(client, carol):
    client.force_login(carol)

    response = client.post(
        reverse("accounts:preferences"),
        {"full_name": "Carol N.", "language": "zh-hans", "time_zone": "Europe/Berlin"},
    )

    assert response.status_code == 302
    carol.refresh_from_db()
    assert (carol.full_name, carol.language, str(carol.time_zone)) == ("Carol N.", "zh-hans", "Europe/Berlin")


def test_preferences_form_rejects_an_unknown_time_zone(client, carol):
    client.force_login(carol)

    response = client.post(
        reverse("accounts:preferences"),
        {"full_name": "Carol", "language": "en", "time_zone": "Mars/Olympus"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    carol.refresh_from_db()
    assert str(carol.time_zone) == "UTC"
