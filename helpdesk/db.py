"""A cursor for the hand-written statements a page runs on every load."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection
from django.db.backends.utils import CursorWrapper
from psycopg.types.datetime import TimestamptzLoader


@contextmanager
def prepared_cursor() -> Iterator[CursorWrapper]:
    """A Django cursor (counted and logged like any other) over a psycopg cursor that binds on the server.

    Django binds parameters on the client, so PostgreSQL plans each of its statements anew; the
    queue page's SELECT took as long to plan as to run (~1 ms). On this cursor a statement goes
    with placeholders, and psycopg prepares it once it has run ``prepare_threshold`` times on a
    connection (settings: ``DB_PREPARE_THRESHOLD``); PostgreSQL then plans it no more, or only
    when its generic plan would cost more than a custom one. Keep constants a partial index is
    defined on as literals in the SQL: a generic plan cannot match a placeholder to an index's
    WHERE.

    Timestamps come through psycopg's own timestamptz loader, written in C, instead of Django's
    Python subclass of it (0.8 ms for the ~220 timestamps of a queue page): the same UTC
    datetimes, on a connection Django sets to UTC.
    """
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = psycopg.Cursor(connection.connection)
    raw.adapters.register_loader("timestamptz", TimestamptzLoader)
    cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor
