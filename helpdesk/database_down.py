"""While PostgreSQL cannot be reached, answer 503 "try again shortly" instead of a 500.

A restart of PostgreSQL (an upgrade, a fail-over) is not a bug in the site: every request in
those seconds gets a clean page (``templates/503.html``, in the visitor's browser language, no
stack trace, even with ``DEBUG``) or, under ``/api/``, the API's one error shape, both with
``Retry-After``. Nothing has to be restarted afterwards: a connection that broke is dropped at
the end of its request (Django's ``close_if_unusable_or_obsolete``), and with
``CONN_HEALTH_CHECKS`` a persistent connection is checked before each request first uses it, so
the first request after the restart is served on a new one (settings, ``DB_HEALTH_CHECKS``).

The database is met in two kinds of places, and both are covered (a request that never touches
the database, a static file or an anonymous visitor's redirect, opens no connection for this):

1. in the view: ``process_exception``;
2. anywhere else (a middleware inside this one reading the session or the user, the session
   saved on the way out): Django turns the exception into a 500 inside the middleware that
   raised it; ``got_request_exception`` marks the request, and this middleware swaps that 500
   for the 503 on its way out.
"""

from __future__ import annotations

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from helpdesk.api_errors import error_body

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)
_MARK = "_helpdesk_database_unavailable"


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503, rendered without the database: no context processors, no user, no session."""
    if request.path == "/healthz":
        from helpdesk.health import healthz

        return healthz(request)  # its own 503, naming the part that is down
    with translation.override(translation.get_language_from_request(request)):
        if request.path.startswith("/api/") or not request.accepts("text/html"):
            message = _("The service is temporarily unavailable. Please try again in a moment.")
            response = JsonResponse(error_body("service_unavailable", message), status=503)
        else:
            page = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
            response = HttpResponse(page, status=503)
            response["Content-Language"] = translation.get_language()
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


@receiver(got_request_exception)
def _mark_database_errors(sender, request=None, **kwargs) -> None:
    # Sent from inside Django's ``except`` block, so the exception is still the current one.
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        setattr(request, _MARK, True)


class DatabaseUnavailableMiddleware:
    """Place it before the session middleware (everything inside it may read the database)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, _MARK, False):
            logger.warning("database unavailable while serving %s: answered 503", request.path)
            return database_unavailable_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning("database unavailable while serving %s: %s", request.path, exception)
            return database_unavailable_response(request)
        return None
