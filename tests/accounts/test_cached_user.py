"""The signed-in user comes from the cache on every request; any change to them shows at once."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.backends import _keys, cached_user, forget_user
from accounts.models import Role

HOME = reverse("home")
QUEUE = reverse("tickets:agent_queue")


def _signed_in_user(client):
    """Whom the next request is signed in as (the request's user, as the middleware gave it)."""
    user = client.get(HOME).wsgi_request.user
    return user if user.is_authenticated else None


def test_the_next_request_reads_the_user_without_a_query(client, carol, django_assert_num_queries):
    client.force_login(carol)
    cached_user(carol.pk)  # the first request after a change reads the row

    with django_assert_num_queries(0):
        user = cached_user(carol.pk)

    assert (user.pk, user.email, user.full_name, user.role, user.time_zone) == (
        carol.pk,
        carol.email,
        carol.full_name,
        carol.role,
        carol.time_zone,
    )
    assert user.password == carol.password
    assert _signed_in_user(client) == carol


def test_a_change_of_name_and_role_shows_on_the_next_request(client, carol):
    client.force_login(carol)
    assert client.get(QUEUE).status_code == 200

    carol.full_name, carol.role = "Carol Renamed", Role.REQUESTER
    carol.save()

    assert _signed_in_user(client).full_name == "Carol Renamed"
    assert client.get(QUEUE).status_code == 403


def test_a_deactivated_user_is_signed_out_on_the_next_request(client, carol):
    client.force_login(carol)
    assert _signed_in_user(client) is not None

    carol.is_active = False
    carol.save(update_fields=["is_active"])

    assert _signed_in_user(client) is None


def test_a_new_password_ends_the_other_sessions(client, carol):
    client.force_login(carol)
    assert _signed_in_user(client) is not None

    carol.set_password("a whole new passphrase")
    carol.save()

    # The session's hash of the old password no longer matches the user the cache now gives.
    assert _signed_in_user(client) is None


def test_the_kept_session_hash_is_djangos_and_follows_the_password_and_the_secret(carol, settings):
    from django.contrib.auth.base_user import AbstractBaseUser

    before = carol.get_session_auth_hash()
    assert before == AbstractBaseUser.get_session_auth_hash(carol)
    carol.set_password("a whole new passphrase")
    assert carol.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(carol) != before
    settings.SECRET_KEY = "another-secret-" + "x" * 40
    assert carol.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(carol)


def test_a_deleted_user_is_signed_out(client, alice):
    client.force_login(alice)
    assert _signed_in_user(client) is not None

    alice.delete()

    assert _signed_in_user(client) is None
    assert cached_user(alice.pk) is None


def test_a_change_invalidates_again_when_its_transaction_commits(carol, django_capture_on_commit_callbacks):
    # A request that read the row before the commit may have cached it meanwhile.
    version_key, _entry_key = _keys(carol.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        carol.full_name = "Carol Later"
        carol.save()
    during = cache.get(version_key)
    for callback in callbacks:
        callback()

    assert callbacks and cache.get(version_key) != during


def test_a_copy_read_before_a_change_is_never_taken_for_current(carol):
    """The race the version token closes: read, change committed, then the stale copy is stored."""
    _version_key, entry_key = _keys(carol.pk)
    cached_user(carol.pk)
    stale_version, stale_values = cache.get(entry_key)
    type(carol).objects.filter(pk=carol.pk).update(full_name="Carol Committed")
    forget_user(carol.pk)  # what the commit does
    cache.set(entry_key, (stale_version, stale_values))  # the slow request stores what it read

    assert cached_user(carol.pk).full_name == "Carol Committed"


@pytest.mark.parametrize("user_id", [None, "", "not a number"])
def test_the_backend_refuses_an_id_that_is_not_one(user_id):
    from accounts.backends import CachedModelBackend

    assert CachedModelBackend().get_user(user_id) is None
