"""``Authorization: Bearer al_…``: a monitoring source's own token, never a person's."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.permissions import BasePermission

from helpdesk.bearer import bearer_token
from monitoring.models import AlertSource
from monitoring.services import source_for_token


class AlertSourceAuthentication(authentication.BaseAuthentication):
    """``request.auth`` is the :class:`AlertSource`; ``request.user`` stays anonymous."""

    def authenticate(self, request):
        raw = bearer_token(request)
        if raw is None:
            return None
        source = source_for_token(raw)
        if source is None or not source.is_active:
            raise exceptions.AuthenticationFailed(_("Unknown or inactive alert source token."))
        return AnonymousUser(), source

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="alerts"'


class IsAlertSource(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, AlertSource)


class AlertSourceScheme(OpenApiAuthenticationExtension):
    target_class = AlertSourceAuthentication
    name = "alertSourceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(_("An alert source's token (al_…), shown once when the source is created.")),
        }
