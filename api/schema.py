"""The OpenAPI schema: every operation documents the errors any request may meet, and links.

drf-spectacular documents what a view declares; a 401 (no or bad token), 403, 404, 429 (rate
limit) and a 400 (bad query or body) can answer any operation, in the one shape of
``helpdesk.api_errors``, so each operation lists them unless it describes them itself.

OpenAPI ``links`` say where a response leads: a raised ticket's reference is what its reply,
resolve and close take. Clients can follow them, and schemathesis' stateful run
(tests/api/test_schemathesis_live.py) chains create → reply → resolve through them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from knowledge.serializers import STAFF_ONLY_FIELDS as ARTICLE_STAFF_ONLY_FIELDS
from knowledge.serializers import ArticleDetailSerializer
from tickets.serializers import STAFF_ONLY_FIELDS as TICKET_STAFF_ONLY_FIELDS
from tickets.serializers import ErrorSerializer, TicketDetailSerializer

COMMON_ERRORS = {
    "400": _("Invalid parameters or input."),
    "401": _("Not signed in, or an invalid, revoked or expired token."),
    "403": _("Signed in, but not allowed to do this."),
    "404": _("No such object, or not one you may see."),
    "429": _("Too many requests: see the Retry-After header."),
}


def _ticket_links(reference: str, *operations: str) -> dict[str, dict[str, Any]]:
    """Links from a response holding a ticket's reference (a runtime expression) to ``operations``."""
    return {operation: {"operationId": operation, "parameters": {"reference": reference}} for operation in operations}


# (operation id, status) -> that response's links.
LINKS = {
    ("tickets_create", "201"): _ticket_links(
        "$response.body#/reference", "tickets_retrieve", "tickets_reply_create", "tickets_resolve_create"
    ),
    ("tickets_reply_create", "201"): _ticket_links(
        "$response.body#/ticket/reference", "tickets_resolve_create", "tickets_close_create"
    ),
    ("tickets_resolve_create", "200"): _ticket_links(
        "$response.body#/reference", "tickets_reopen_create", "tickets_close_create"
    ),
}


# Fields a serializer leaves out for some viewers (a requester gets no staff-only fields): present
# or not, never "required" in the schema, or every requester's response would break it.
VIEWER_DEPENDENT_FIELDS = (
    (TicketDetailSerializer, TICKET_STAFF_ONLY_FIELDS),
    (ArticleDetailSerializer, ARTICLE_STAFF_ONLY_FIELDS),
)


class HelpdeskAutoSchema(AutoSchema):
    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        # A text field that refuses "" says so (minLength 1), as drf-spectacular does only with
        # split request components: a client (or schemathesis) then knows that "" is invalid.
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not field.allow_blank
            and not field.read_only
        ):
            meta.setdefault("minLength", 1)
        return meta

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        for serializer_class, fields in VIEWER_DEPENDENT_FIELDS:
            if isinstance(serializer, serializer_class) and "required" in schema:
                schema["required"] = [name for name in schema["required"] if name not in fields]
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status, description in COMMON_ERRORS.items():
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), status
                )
        operation_id = self.get_operation_id()
        for status, response in responses.items():
            if (operation_id, str(status)) in LINKS:
                response["links"] = LINKS[operation_id, str(status)]
        return responses
