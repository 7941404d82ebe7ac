"""One error shape for the whole API: ``{"code": ..., "detail": ..., ...}``.

``code`` is machine-readable and stable; ``detail`` is a message in the user's language.
Domain refusals (:class:`helpdesk.errors.ApplicationError`) become a 400, or a 409 for a
:class:`~helpdesk.errors.ConflictError` (invalid transition, stale version), with the error's
context under ``extra`` (e.g. ``{"field": "reason"}`` or ``{"current_version": 4}``). Input
errors are a 400 with code ``invalid`` and DRF's per-field messages under ``fields``, so a
client can show each one next to its field. 401, 403, 404, 405, 415 and 429 use the same shape.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.errors import ApplicationError, ConflictError


def error_body(code: str, detail: Any, **more: Any) -> dict[str, Any]:
    return {"code": code, "detail": str(detail), **more}


def domain_code(exc: ApplicationError) -> str:
    """The error's own ``code``, else one made from its class (``InvalidTransition`` → ``invalid_transition``)."""
    code = getattr(exc, "code", None)
    if code:
        return code
    if type(exc) is ConflictError:
        return "stale_version" if "current_version" in exc.extra else "conflict"
    if type(exc) is ApplicationError:
        return "invalid"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower().removesuffix("_error")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """``REST_FRAMEWORK["EXCEPTION_HANDLER"]``; None lets anything else become a 500."""
    if isinstance(exc, ApplicationError):
        return Response(error_body(domain_code(exc), exc.message, extra=exc.extra), status=exc.status_code)
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
            response.data = error_body("invalid", _("Some fields are not valid."), fields=detail)
        else:
            errors = detail if isinstance(detail, list) else [detail]
            response.data = error_body("invalid", " ".join(str(error) for error in errors), fields={})
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        # DRF's codes: not_authenticated, authentication_failed, permission_denied, not_found,
        # method_not_allowed, unsupported_media_type, throttled, parse_error...
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(code, detail)
    return response
