"""Names that managers type, in the reader's language.

Teams, categories, SLA policies, calendars and holidays keep their English ``name`` (imports,
the API, exports and comparisons use it) and may carry a ``name_zh_hans`` beside it. What a
reader sees — ``str(obj)`` in templates, choice labels, the admin and e-mails rendered under
the recipient's language — is :attr:`LocalizedName.display_name`.
"""

from __future__ import annotations

from django.utils import translation


def chinese_active() -> bool:
    """Whether the active language is the one ``name_zh_hans`` is written in."""
    return (translation.get_language() or "").lower() == "zh-hans"


def pick_name(name: str | None, name_zh_hans: str | None) -> str | None:
    """``name_zh_hans`` when Simplified Chinese is active and it is set, else ``name``.

    For rows read with ``values()``; model instances use :func:`localized_name`.
    """
    if name_zh_hans and name_zh_hans.strip() and chinese_active():
        return name_zh_hans.strip()
    return name


def localized_name(obj) -> str:
    """``obj.name_zh_hans`` when Simplified Chinese is active and it is set, else ``obj.name``."""
    return pick_name(obj.name, getattr(obj, "name_zh_hans", ""))


class LocalizedName:
    """Mixin for a model with ``name`` and ``name_zh_hans``; its ``__str__`` returns ``display_name``."""

    @property
    def display_name(self) -> str:
        return localized_name(self)
