import pytest
from rest_framework.test import APIClient

from accounts.tokens import token_create
from tickets.services import ticket_create


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user(api):
    def sign_in(user):
        api.force_login(user)
        return api

    return sign_in


@pytest.fixture
def with_token(api):
    """A client that sends a fresh token of ``user`` as ``Authorization: Bearer``."""

    def bearer(user, **kwargs):
        _, raw = token_create(user, name=kwargs.pop("name", "script"), **kwargs)
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return api

    return bearer


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Outlook won't sync", description="Since Monday", acting_user=alice)
