"""One error shape for the whole API: ``{"message": ..., "extra": {...}}``.

Domain refusals (:class:`helpdesk.errors.ApplicationError`) become a 400, or a 409 for a
:class:`~helpdesk.errors.ConflictError` (invalid transition, stale version); Django's
``PermissionDenied`` a 403 and ``Http404`` a 404. Input errors keep DRF's per-field detail under
``extra.fields`` so a client can show each message next to its field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.errors import ApplicationError


def error_body(message: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"message": str(message), "extra": extra or {}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """``REST_FRAMEWORK["EXCEPTION_HANDLER"]``; None lets anything else become a 500."""
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.message, exc.extra), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(get_error_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = response.data
        if isinstance(detail, dict):
            response.data = error_body(_("Some fields are not valid."), {"fields": detail})
        else:
            errors = detail if isinstance(detail, list) else [detail]
            response.data = error_body(" ".join(str(error) for error in errors), {"errors": errors})
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = error_body(detail)
    return response
