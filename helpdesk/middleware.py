"""Refuse input that no view can store or parse, once for every page and endpoint.

PostgreSQL cannot hold a NUL character in text, so a ``%00`` in a path, query string or form
field would reach the database and fail there (a 500). A JSON body nested thousands deep makes
Python's parser raise ``RecursionError`` (a 500 again). Both are bad input: a 400 with a clear
message, as an HTML page or, under ``/api/``, in the API's one error shape.
"""

from __future__ import annotations

import json
from functools import wraps
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from helpdesk.api_errors import error_body

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    if request.path.startswith("/api/"):
        return False  # the API's serializers and filters name the field at fault
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        for key, values in request.POST.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


def _too_deep(request: HttpRequest) -> bool:
    """A JSON body the parser cannot descend (the API and htmx endpoints parse it later)."""
    if not request.content_type or not request.content_type.endswith("json"):
        return False
    try:
        json.loads(request.body)
    except RecursionError:
        return True
    except ValueError:
        return False  # malformed JSON: the view's own parser answers it
    return False


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return self._refuse(
                request, "null_character", _("The request contains a null character, which is not allowed.")
            )
        if _too_deep(request):
            return self._refuse(request, "too_deep", _("The request body is nested too deeply."))
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, code: str, message: str) -> HttpResponse:
        if request.path.startswith("/api/") or not request.accepts("text/html"):
            return JsonResponse(error_body(code, message), status=400)
        return render(request, "400.html", {"message": message}, status=400)


def private_link(view):
    """For pages opened by a secret link (``/t/<token>/``, survey links): the token is the key.

    ``no-store`` keeps the page out of shared and browser caches; ``same-origin`` keeps the
    link out of the ``Referer`` sent to any other site the page links to. (Not ``no-referrer``:
    browsers then send ``Origin: null`` with the page's own forms, and CSRF refuses them.)
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper
