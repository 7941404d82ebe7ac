import datetime as dt

import pytest
import time_machine
from django.urls import reverse

LOGIN = reverse("accounts:login")
GENERIC_ERROR = "That e-mail address and password do not match an account."


def _attempt(client, email, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_agent_signs_in_with_email_and_lands_on_home(client, carol, password):
    response = _attempt(client, "carol@helpdesk.example", password)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"] == carol


def test_email_is_case_insensitive(client, carol, password):
    response = _attempt(client, "Carol@HelpDesk.example", password)

    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(client, carol):
    wrong_password = _attempt(client, "carol@helpdesk.example", "nope", ip="10.0.0.2")
    unknown_email = _attempt(client, "nobody@helpdesk.example", "nope", ip="10.0.0.3")

    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert GENERIC_ERROR in response.content.decode()
    assert wrong_password.context["form"].non_field_errors() == unknown_email.context["form"].non_field_errors()


def test_inactive_user_gets_the_generic_message(client, carol, password):
    carol.is_active = False
    carol.save()

    response = _attempt(client, "carol@helpdesk.example", password)

    assert response.status_code == 200
    assert GENERIC_ERROR in response.content.decode()


def test_sixth_wrong_attempt_from_one_address_is_refused(client, carol, password):
    for _ in range(5):
        response = _attempt(client, "carol@helpdesk.example", "wrong")
        assert response.status_code == 200
        assert GENERIC_ERROR in response.content.decode()

    sixth = _attempt(client, "carol@helpdesk.example", "wrong")

    assert sixth.status_code == 429
    assert "Too many sign-in attempts" in sixth.content.decode()
    # Locked out means locked out: even the right password is refused for a while.
    assert _attempt(client, "carol@helpdesk.example", password).status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_address(client, carol, password):
    for _ in range(6):
        _attempt(client, "carol@helpdesk.example", "wrong", ip="10.0.0.9")

    assert _attempt(client, "carol@helpdesk.example", password, ip="10.0.0.10").status_code == 302


def test_lockout_ends_after_the_cool_off(client, carol, password):
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(6):
            _attempt(client, "carol@helpdesk.example", "wrong")
        assert _attempt(client, "carol@helpdesk.example", password).status_code == 429

    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert _attempt(client, "carol@helpdesk.example", password).status_code == 302


def test_signing_out_needs_a_post(client, carol):
    client.force_login(carol)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/", "/accounts/preferences/", "/accounts/teams/"])
def test_pages_ask_anonymous_visitors_to_sign_in(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_an_external_next_url_is_ignored(client, carol, password):
    response = client.post(
        LOGIN + "?next=https://evil.example/",
        {"username": "carol@helpdesk.example", "password": password, "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
