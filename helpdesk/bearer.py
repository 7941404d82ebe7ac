"""Bearer tokens for the API: how a secret is stored, and how it is read from a request.

People's API tokens (``accounts.tokens``) and monitoring sources' tokens (``monitoring``) are
kept and presented the same way; only who they authenticate differs.
"""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


def token_digest(raw: str) -> str:
    """What is stored instead of a token: its SHA-256, so a leaked table holds no usable secret."""
    return hashlib.sha256(raw.encode()).hexdigest()


def bearer_token(request, keywords: tuple[bytes, ...] = (b"bearer",)) -> str | None:
    """The token of ``Authorization: <keyword> <token>``; None without such a header.

    A malformed header is refused (401) rather than ignored.
    """
    header = authentication.get_authorization_header(request).split()
    if not header or header[0].lower() not in keywords:
        return None
    if len(header) != 2:
        raise exceptions.AuthenticationFailed(_("Invalid token header."))
    try:
        return header[1].decode()
    except UnicodeError:
        raise exceptions.AuthenticationFailed(_("Invalid token header.")) from None
