"""Changes to users: each one goes through a function here."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from accounts.models import User


def user_set_language(user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unsupported language {language!r}")
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def user_update_preferences(user: User, *, full_name: str, language: str, time_zone) -> User:
    user.full_name = full_name
    user.language = language
    user.time_zone = time_zone
    user.save(update_fields=["full_name", "language", "time_zone"])
    return user
