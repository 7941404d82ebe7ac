"""The event log's ``seq``: a cursor that never skips an event committed late.

A sequence alone is not enough for "every event with seq > cursor": a transaction can draw 100,
another 101 and commit first; a reader that saw 101 and moved its cursor there would never see
100. So the trigger that draws the number (migration 0011) first takes a *shared* advisory lock,
held until its transaction ends. :func:`committed_seq` takes the same lock *exclusively*, which
it gets only once every transaction that drew a number so far has committed or rolled back; the
sequence's value at that moment is a mark below which nothing can still appear.
"""

from __future__ import annotations

from django.db import OperationalError, connection, transaction

# Any constant shared by the trigger and this module; advisory lock keys are per database.
SEQ_LOCK_KEY = 7_261_226_301


# While the exclusive request waits, new writers queue behind it: wait this long at most.
WAIT = "1s"


class SeqBusy(Exception):
    """A long transaction that recorded events is still open: try again later."""


def committed_seq() -> int:
    """The highest ``seq`` such that every event numbered up to it is committed (or never will be).

    Raises :class:`SeqBusy` when a writer keeps its transaction open longer than ``WAIT``
    (the ticket writes of the site wait no longer than that behind this call).
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{WAIT}'")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQ_LOCK_KEY])
            cursor.execute("SELECT last_value, is_called FROM tickets_ticketevent_seq_seq")
            last_value, is_called = cursor.fetchone()
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
            raise SeqBusy from error
        raise
    # Before the first nextval(), last_value is the start value and nothing was drawn yet.
    return last_value if is_called else last_value - 1
