"""Work a web process does once as it starts, instead of inside its first requests.

Loading jieba's dictionary takes a second or more of CPU; done on first use, it happened inside
the first ticket write of each gunicorn worker, with the ticket's row locked (bench/load.py saw
replies wait 15 s behind it on a busy machine). Apps register such loaders from their
``AppConfig.ready()`` (this module stands below them: it calls them, never imports them), and
``helpdesk/wsgi.py`` runs them once the application is built, before the worker serves anything.
Management commands, workers and tests do not run them.
"""

from __future__ import annotations

from collections.abc import Callable

_loaders: list[Callable[[], object]] = []


def register(loader: Callable[[], object]) -> None:
    """Run ``loader`` when a web process starts (once, however often it is registered)."""
    if loader not in _loaders:
        _loaders.append(loader)


def run() -> None:
    for loader in _loaders:
        loader()
