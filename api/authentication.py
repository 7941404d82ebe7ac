"""``Authorization: Bearer <token>`` (or ``Token <token>``, as DRF's authtoken had it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.tokens import token_authenticate
from helpdesk.bearer import bearer_token

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A per-user token from ``accounts.tokens``; revoked or expired is a 401 at once."""

    def authenticate(self, request):
        raw = bearer_token(request, KEYWORDS)
        if raw is None:
            return None
        token = token_authenticate(raw)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or expired token."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to an unauthenticated request.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(_("A token created on your preferences page: Authorization: Bearer hd_…")),
        }
