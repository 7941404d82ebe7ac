"""Per-user API tokens: stored hashed, shown once, revoked or expired is a 401 at once."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.tokens import ApiToken, token_authenticate, token_create, token_revoke
from helpdesk.errors import ApplicationError

LIST = reverse("tickets_api:ticket-list")


def test_only_a_hash_of_the_token_is_stored(alice):
    token, raw = token_create(alice, name="monitoring")

    row = ApiToken.objects.values().get(pk=token.pk)
    assert raw not in {str(value) for value in row.values()}
    assert row["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(f"hd_{token.prefix}_")


@pytest.mark.parametrize("scheme", ["Bearer", "Token"])
def test_a_token_signs_in_with_either_keyword(api, alice, ticket, scheme):
    _, raw = token_create(alice, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"{scheme} {raw}")

    response = api.get(LIST)

    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [ticket.reference]


def test_a_revoked_token_is_refused_at_once(with_token, alice, ticket):
    api = with_token(alice)
    assert api.get(LIST).status_code == 200

    token_revoke(ApiToken.objects.get(user=alice), acting_user=alice)
    response = api.get(LIST)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed" and response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused(with_token, alice, ticket):
    api = with_token(alice, expires_at=timezone.now() + timedelta(days=1))
    assert api.get(LIST).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        response = api.get(LIST)

    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer hd_abc_def", "Token", "Bearer a b"])
def test_a_bad_token_is_a_401_with_the_error_shape(api, alice, header):
    token_create(alice, name="real")
    api.credentials(HTTP_AUTHORIZATION=header)

    response = api.get(LIST)

    assert response.status_code == 401
    assert set(response.json()) == {"code", "detail"}


def test_the_right_prefix_with_a_wrong_secret_is_refused(api, alice):
    token, _ = token_create(alice, name="real")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer hd_{token.prefix}_{'x' * 43}")

    assert api.get(LIST).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(alice):
    token, raw = token_create(alice, name="script")
    assert token.last_used_at is None

    with time_machine.travel("2026-12-01 10:00:00Z", tick=False):
        token_authenticate(raw)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    with time_machine.travel("2026-12-01 10:00:30Z", tick=False):
        token_authenticate(raw)
    unchanged = ApiToken.objects.get(pk=token.pk).last_used_at
    with time_machine.travel("2026-12-01 10:01:05Z", tick=False):
        token_authenticate(raw)
    later = ApiToken.objects.get(pk=token.pk).last_used_at

    assert first.isoformat() == "2026-12-01T10:00:00+00:00"
    assert unchanged == first
    assert later.isoformat() == "2026-12-01T10:01:05+00:00"


def test_a_deactivated_user_s_token_is_refused(with_token, alice):
    api = with_token(alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    assert api.get(LIST).status_code == 401


def test_nobody_revokes_someone_else_s_token(alice, bob):
    token, _ = token_create(alice, name="script")

    with pytest.raises(ApplicationError):
        token_revoke(token, acting_user=bob)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_a_name_is_required_and_the_expiry_is_in_the_future(alice):
    with pytest.raises(ApplicationError):
        token_create(alice, name="  ")
    with pytest.raises(ApplicationError):
        token_create(alice, name="late", expires_at=timezone.now() - timedelta(minutes=1))


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_a_new_token_once(client, alice):
    client.force_login(alice)
    page = reverse("accounts:api_tokens")

    created = client.post(page, {"name": "BI export", "expires_on": ""})
    token = ApiToken.objects.get(user=alice)
    raw = created.context["raw"]
    again = client.get(page)

    assert created.status_code == 201 and raw in created.content.decode()
    assert token.name == "BI export" and token_authenticate(raw) == token
    assert again.status_code == 200 and raw not in again.content.decode()
    assert f"hd_{token.prefix}_" in again.content.decode()


def test_the_page_revokes_only_your_own_tokens(client, alice, bob):
    mine, _ = token_create(alice, name="mine")
    theirs, _ = token_create(bob, name="theirs")
    client.force_login(alice)

    refused = client.post(reverse("accounts:api_token_revoke", args=[theirs.pk]))
    revoked = client.post(reverse("accounts:api_token_revoke", args=[mine.pk]))

    assert refused.status_code == 404 and ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert revoked.status_code == 302 and ApiToken.objects.get(pk=mine.pk).revoked_at is not None


def test_the_page_lists_only_your_tokens(client, alice, bob):
    token_create(alice, name="alice's")
    token_create(bob, name="bob's")
    client.force_login(alice)

    content = client.get(reverse("accounts:api_tokens")).content.decode()

    assert "alice&#x27;s" in content and "bob&#x27;s" not in content
