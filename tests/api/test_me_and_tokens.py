"""/api/v1/me/ and the caller's own tokens: listed without the secret, revoked through the API."""

from django.urls import reverse

from accounts.tokens import ApiToken, token_create


def test_me_is_the_token_s_user(with_token, alice):
    response = with_token(alice).get(reverse("api-me"))

    assert response.status_code == 200 and response.json()["email"] == "alice@acme.example"


def test_tokens_are_listed_without_their_secret(with_token, alice, bob):
    token_create(bob, name="bob's")
    api = with_token(alice, name="mine")

    rows = api.get(reverse("api:token-list")).json()

    assert [row["name"] for row in rows] == ["mine"]
    assert rows[0]["token"].endswith("_…")


def test_revoking_through_the_api_ends_the_token_at_once(with_token, alice):
    api = with_token(alice)
    token = ApiToken.objects.get(user=alice)

    revoked = api.delete(reverse("api:token-detail", args=[token.pk]))

    assert revoked.status_code == 204
    assert api.get(reverse("api-me")).status_code == 401


def test_someone_else_s_token_is_a_404(with_token, alice, bob):
    theirs, _ = token_create(bob, name="bob's")

    response = with_token(alice).delete(reverse("api:token-detail", args=[theirs.pk]))

    assert response.status_code == 404 and ApiToken.objects.get(pk=theirs.pk).revoked_at is None
