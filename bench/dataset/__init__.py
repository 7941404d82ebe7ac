"""A million-ticket help desk in a database of its own, loaded with COPY (see ``fill.py``).

Only this module may be imported before ``django.setup()``.
"""

from __future__ import annotations

import psycopg

# Written last by a fill that completed: a database without it is rebuilt.
META_TABLE = "bench_meta"


def filled_tickets(url: str) -> int:
    """How many tickets a completed earlier fill left in the database (0: none, or unfinished)."""
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass(%s)", [META_TABLE]).fetchone()[0] is None:
            return 0
        row = conn.execute(f"SELECT tickets FROM {META_TABLE}").fetchone()
        return row[0] if row else 0
