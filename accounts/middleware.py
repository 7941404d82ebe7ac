"""Serve each signed-in user in their own language and time zone."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.middleware import get_user
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation


class UserLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, except that a signed-in user's saved language wins.

    Must come after AuthenticationMiddleware. Anonymous visitors get Django's usual choice
    (language cookie, then the browser's Accept-Language).
    """

    def process_request(self, request):
        user = request.user
        if user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        else:
            super().process_request(request)

    def __call__(self, request):
        # The user itself in place of AuthenticationMiddleware's lazy proxy: this middleware
        # loads them anyway, and every attribute read through the proxy (some sixty on a queue
        # page, from the templates alone) costs a detour.
        user = request.user = get_user(request)
        if not user.is_authenticated:
            return super().__call__(request)
        # Scoped to this request: the thread serves other people next.
        with timezone.override(zoneinfo.ZoneInfo(str(user.time_zone))):
            return super().__call__(request)
