"""The OpenAPI description shared by the knowledge-base API's endpoints (knowledge/api.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from knowledge.serializers import ArticleDetailSerializer
from tickets.api import REFERENCE  # the ticket in a link's path, as the tickets API describes it
from tickets.serializers import ErrorSerializer

ARTICLE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The article's id."))
NUMBER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The version number."))
__all__ = ["ARTICLE_ID", "ERRORS", "NUMBER", "REFERENCE", "article_action"]

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description=_("Invalid input, or a change the article refuses.")),
    403: OpenApiResponse(ErrorSerializer, description=_("You may see this article but not do this.")),
    404: OpenApiResponse(ErrorSerializer, description=_("No such article, or not one you may see.")),
    409: OpenApiResponse(
        ErrorSerializer, description=_("Invalid workflow move, or the article changed since you read it.")
    ),
}


def article_action(request_serializer: type[serializers.Serializer] | None, summary: str, response: Any = None):
    """The schema of an action on one article: its id in the path, ``request_serializer`` in, the usual errors."""
    return extend_schema(
        parameters=[ARTICLE_ID],
        request=request_serializer,
        responses={200: response or ArticleDetailSerializer, **ERRORS},
        summary=summary,
    )
