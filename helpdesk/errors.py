"""The one root of errors a user can cause; views and the API turn them into messages / 4xx."""

from __future__ import annotations


class ApplicationError(Exception):
    """A refusal with a message fit to show the user (already translated or lazy)."""

    status_code = 400

    def __init__(self, message, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """The change does not fit the object's current state (invalid transition, stale form)."""

    status_code = 409
