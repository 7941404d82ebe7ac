"""``kpi_verify``: do the stored figures equal a recomputation from the event log?"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kpis.export import export_figures
from kpis.figures import METRIC_KEYS
from kpis.models import Dimension, Period, PeriodFigure, StalePeriod
from kpis.rollups import period_end


@dataclass(frozen=True)
class Difference:
    period: str
    start: date
    dimension: str
    key: int
    metric: str
    stored: object
    recomputed: object


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def differences(
    periods: Iterable[str] = (Period.MONTH,), since: date | None = None, dimensions: Iterable[str] = Dimension.values
) -> list[Difference]:
    """Every metric of every stored period (from ``since``) that the export computes differently,
    and every key one side has and the other has not.

    Stale periods (:func:`stale_periods`) are not compared: their recount is due.
    """
    found = []
    stale = set(StalePeriod.objects.values_list("period", "start"))
    for period in periods:
        # Day figures store no backlog (kpis/figures.py): the export's one for a day is not compared.
        metrics = [metric for metric in METRIC_KEYS if not (period == Period.DAY and metric == "backlog_end")]
        stored_starts = PeriodFigure.objects.filter(period=period).values_list("start", flat=True).distinct()
        compared = {start for start in stored_starts if (period, start) not in stale}
        for start in sorted(start for start in compared if since is None or start >= since):
            for dimension in dimensions:
                stored = {
                    figure.key: figure.values
                    for figure in PeriodFigure.objects.filter(period=period, dimension=dimension, start=start)
                }
                recomputed = export_figures(start, period_end(period, start), dimension)
                for key in stored.keys() | recomputed.keys():
                    mine, theirs = stored.get(key, {}), recomputed.get(key, {})
                    for metric in metrics:
                        if not _same(mine.get(metric), theirs.get(metric)):
                            found.append(
                                Difference(period, start, dimension, key, metric, mine.get(metric), theirs.get(metric))
                            )
    return found


def stale_periods(periods: Iterable[str]) -> int:
    """How many of ``periods``' weeks, months and quarters wait for ``refresh_periods``."""
    return StalePeriod.objects.filter(period__in=list(periods)).count()
