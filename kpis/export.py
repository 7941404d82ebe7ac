"""The export of spec §10: a period's figures per agent or team, recomputed from the event log.

Independent of the stored facts and figures: the fact SELECTs run on the events of the range
(``kpis.figures.computed_sources``), so a difference from the rollups (``kpi_verify``) points at
the refresh machinery, not at a definition.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import translation

from accounts.models import Team, User
from kpis.facts import fact_params, sort_in_memory
from kpis.figures import METRIC_KEYS, computed_sources, figures_sql
from kpis.models import Dimension
from tickets.models import Category

BY = {"agent": Dimension.AGENT, "team": Dimension.TEAM, "category": Dimension.CATEGORY, "desk": Dimension.DESK}


def export_figures(first_day: date, last_day: date, by: str) -> dict[int, dict[str, Any]]:
    """``{key: values}`` for the local days ``first_day`` to ``last_day``, both included."""
    params = {**fact_params(), "first_day": first_day, "last_day": last_day, "buckets": None, "upto": None}
    with transaction.atomic(), connection.cursor() as cursor:
        sort_in_memory()
        cursor.execute(figures_sql([BY[by]], None, computed_sources()), params)
        # Django has psycopg hand jsonb over as text (JSONField decodes it itself).
        return {key: json.loads(values) for _bucket, _dimension, key, values in cursor.fetchall()}


def _labels(by: str, keys) -> dict[int, str]:
    if by == "agent":
        return {user.pk: user.email for user in User.objects.filter(pk__in=keys)}
    if by == "team":
        return dict(Team.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "category":
        # Exports are read by programs: the English path, whoever asks ("Hardware › Printers").
        with translation.override("en"):
            return {category.pk: str(category) for category in Category.objects.filter(pk__in=keys)}
    return {0: "desk"}


def export_rows(first_day: date, last_day: date, by: str) -> list[dict[str, Any]]:
    """One row per agent, team, category (or the desk), ordered by its label; metrics as in docs/kpis.md."""
    figures = export_figures(first_day, last_day, by)
    labels = _labels(by, figures.keys())
    rows = [
        {by: labels.get(key, str(key)), "id": key, "from": first_day.isoformat(), "to": last_day.isoformat()}
        | {name: _plain(values.get(name)) for name in METRIC_KEYS}
        for key, values in figures.items()
    ]
    return sorted(rows, key=lambda row: (row[by], row["id"]))


def _plain(value):
    """JSON numbers as Python numbers: whole counts as int, the rest as float."""
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def render(rows: list[dict[str, Any]], output_format: str) -> str:
    if output_format == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()
