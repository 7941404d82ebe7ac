"""The OpenAPI schema: every operation documents the errors any request may meet.

drf-spectacular documents what a view declares; a 401 (no or bad token), 403, 404, 429 (rate
limit) and a 400 (bad query or body) can answer any operation, in the one shape of
``helpdesk.api_errors``, so each operation lists them unless it describes them itself.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from tickets.serializers import ErrorSerializer

COMMON_ERRORS = {
    "400": _("Invalid parameters or input."),
    "401": _("Not signed in, or an invalid, revoked or expired token."),
    "403": _("Signed in, but not allowed to do this."),
    "404": _("No such object, or not one you may see."),
    "429": _("Too many requests: see the Retry-After header."),
}


class HelpdeskAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status, description in COMMON_ERRORS.items():
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), status
                )
        return responses
