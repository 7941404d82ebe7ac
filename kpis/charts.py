"""Tables and charts of the KPI dashboards: server-drawn SVG (pygal), every chart with its numbers.

A ``Table`` holds raw values and says how each column reads: the page shows formatted text,
the CSV export the raw numbers (seconds, rates 0–1), so a spreadsheet can compute with them.
A ``Chart`` is an inline SVG plus the same series as a table for screen readers and printouts.
A ``HeatMap`` is a table whose cells are shaded by their count: no drawing at all.

Drawing a chart costs pygal ~16 ms, so a chart given a ``ChartScope`` keeps its SVG in Django's
cache under a key that names what it shows (``chart_cache_key``): new figures make a new key,
and nothing is ever invalidated. With Redis down every read is a miss and the chart is drawn.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pygal
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, pgettext, pgettext_lazy
from django.utils.translation import gettext as _
from pygal.style import Style

from helpdesk.spreadsheets import spreadsheet_safe

# Inline SVG text is drawn by the browser: name a CJK font first so that Chinese labels render
# (fonts-noto-cjk, installed by the Makefile), with generic fallbacks after it.
FONT_FAMILY = "'Noto Sans CJK SC', 'Noto Sans SC', 'Noto Sans CJK', 'Noto Sans', 'DejaVu Sans', sans-serif"
CHART_STYLE = Style(
    font_family=FONT_FAMILY,
    background="transparent",
    plot_background="transparent",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=("#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#dc3545", "#20c997"),
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=11,
)

# Units: how a raw value reads on the page and in a chart.
SECONDS, RATE, COUNT, SCORE, POINTS, TEXT = "seconds", "rate", "count", "score", "points", "text"
# A column whose rows each have their own unit (``Table.row_units``): one metric per row.
ROW = "row"


UNIT_NAMES = {
    SECONDS: pgettext_lazy("kpi dashboard", "seconds"),
    RATE: gettext_lazy("rate (0–1)"),
    COUNT: pgettext_lazy("kpi dashboard", "count"),
    SCORE: pgettext_lazy("kpi dashboard", "score"),
    POINTS: gettext_lazy("points (0–100)"),
}


def display(value: Any, unit: str) -> str:
    """A value as the page shows it; "–" for no data."""
    if value is None or value == "":
        return "–"
    if unit == SECONDS:
        return duration(float(value))
    if unit == RATE:
        return f"{number_format(float(value) * 100, 1)} %"
    if unit == COUNT:
        return number_format(value if isinstance(value, int) else round(float(value), 1), force_grouping=True)
    if unit in (SCORE, POINTS):
        return number_format(float(value), 1 if unit == SCORE else 0)
    return str(value)


def duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    hours = seconds / 3600
    if hours < 48:
        return pgettext("kpi dashboard", "%(hours)s h") % {"hours": number_format(hours, 1)}
    return pgettext("kpi dashboard", "%(days)s d") % {"days": number_format(hours / 24, 1)}


def chart_value(value: Any, unit: str) -> float | None:
    """What a chart plots: hours for times, percent for rates."""
    if value is None:
        return None
    if unit == SECONDS:
        return round(float(value) / 3600, 2)
    if unit == RATE:
        return round(float(value) * 100, 1)
    return float(value)


def csv_value(value: Any, unit: str) -> Any:
    if value is None:
        return ""
    if unit == RATE:
        return round(float(value), 4)
    if unit == SECONDS:
        return round(float(value))
    if unit in (SCORE, POINTS):
        return round(float(value), 2)
    if isinstance(value, str):
        return spreadsheet_safe(value)  # names people typed (agents, categories, teams)
    return value


@dataclass(frozen=True)
class Column:
    label: str | Promise
    unit: str = TEXT
    # What an empty cell says, on the page and in the CSV ("not enough data"); "–" / "" if blank.
    empty: str | Promise = ""

    @property
    def csv_label(self) -> str:
        if self.unit == SECONDS:
            return _("%(label)s (seconds)") % {"label": self.label}
        if self.unit == RATE:
            return _("%(label)s (0–1)") % {"label": self.label}
        return str(self.label)


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""
    numeric: bool = False


@dataclass
class Table:
    key: str
    title: str | Promise
    columns: list[Column]
    rows: list[list[Any]]
    # Optional links per row and column index, e.g. a ticket reference.
    links: dict[tuple[int, int], str] = field(default_factory=dict)
    csv_url: str = ""
    caption: str | Promise = ""
    row_units: list[str] = field(default_factory=list)

    def unit(self, column: Column, number: int) -> str:
        return self.row_units[number] if column.unit == ROW else column.unit

    @property
    def cells(self) -> list[list[Cell]]:
        return [
            [
                Cell(
                    str(column.empty) if value is None and column.empty else display(value, self.unit(column, number)),
                    self.links.get((number, index), ""),
                    column.unit != TEXT,
                )
                for index, (column, value) in enumerate(zip(self.columns, row, strict=True))
            ]
            for number, row in enumerate(self.rows)
        ]

    def csv_rows(self) -> list[list[Any]]:
        """Raw values; a table with a unit per row says it in a last column."""
        rows = []
        for number, row in enumerate(self.rows):
            values = [
                str(column.empty) if value is None and column.empty else csv_value(value, self.unit(column, number))
                for column, value in zip(self.columns, row, strict=True)
            ]
            if self.row_units:
                values.append(str(UNIT_NAMES[self.row_units[number]]))
            rows.append(values)
        return rows


def csv_response(table: Table, filename: str) -> HttpResponse:
    """UTF-8 with a byte order mark, so that Excel reads Chinese names correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    header = [column.csv_label for column in table.columns]
    writer.writerow([*header, pgettext("kpi dashboard", "Unit")] if table.row_units else header)
    writer.writerows(table.csv_rows())
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@dataclass
class Chart:
    key: str
    title: str | Promise
    svg: SafeString
    # The chart's numbers as a table (hidden on screen, read by screen readers).
    table: Table
    # Where its SVG is cached ("" for a chart drawn without a scope, never cached).
    cache_key: str = ""


@dataclass(frozen=True)
class ChartScope:
    """Whose figures a chart draws, for which period, and how fresh they are: its cache key's names.

    ``computed_at`` is the newest ``PeriodFigure.computed_at`` (or ``TeamSnapshot.computed_at``)
    among the figures drawn; None when nothing has been computed yet.
    """

    owner: str  # "team3", "agent12"
    period: str  # "month:2026-10-01"
    computed_at: datetime | None = None


# Bump when the drawing changes (options, style, a pygal upgrade): older pictures are never read.
CHART_DRAWING = 1
# New figures make a new key, so the timeout only clears out pictures of figures since replaced:
# the current period's are recomputed every KPI_REFRESH_SECONDS.
CHART_CACHE_SECONDS = 60 * 60


def chart_cache_key(key: str, scope: ChartScope, drawn: Any) -> str:
    """The chart kind, its scope, the figures' ``computed_at``, the language, then a digest of ``drawn``.

    ``drawn`` is everything the picture shows (title, labels, series and their values). Its digest
    makes the key follow the numbers that are no stored rows — arrivals, the backlog, counted on
    each request — so a cached picture can never disagree with the table beside it.
    """
    fresh = scope.computed_at.isoformat() if scope.computed_at else "live"
    digest = hashlib.blake2b(repr(drawn).encode(), digest_size=12).hexdigest()
    return f"kpi-chart:{CHART_DRAWING}:{key}:{scope.owner}:{scope.period}:{fresh}:{get_language()}:{digest}"


def _svg(
    key: str, scope: ChartScope | None, drawn: Any, draw: Callable[[], pygal.graph.graph.Graph]
) -> tuple[SafeString, str]:
    """The chart's SVG and cache key: from the cache, else drawn by pygal (and cached if it has a scope)."""
    if scope is None:
        return _render(draw()), ""
    cache_key = chart_cache_key(key, scope, drawn)
    svg = cache.get(cache_key)
    if svg is None:
        svg = str(_render(draw()))
        cache.set(cache_key, svg, CHART_CACHE_SECONDS)
    # Only ever written above, from pygal's escaped output.
    return mark_safe(svg), cache_key


SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _render(chart: pygal.graph.graph.Graph) -> SafeString:
    """pygal's SVG without its scripts (tooltips from a CDN, a config for them) or XML declaration.

    pygal escapes the labels and values it draws, so its output is safe to inline.
    """
    return mark_safe(SCRIPT.sub("", chart.render(is_unicode=True)))


def _options(title, **extra) -> dict:
    return {
        "title": str(title),
        "style": CHART_STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": 640,
        "height": 320,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "show_y_guides": True,
        "include_x_axis": True,
        "truncate_legend": 40,
        "no_data_text": str(pgettext("kpi dashboard", "No data")),
        "print_values": False,
        **extra,
    }


def line_chart(
    key: str,
    title: str | Promise,
    x_labels: Sequence[str],
    series: Sequence[tuple[str | Promise, Sequence[Any]]],
    unit: str,
    *,
    bars: bool = False,
    scope: ChartScope | None = None,
) -> Chart:
    """A trend: one line (or bar group) per series over ``x_labels``; times in hours, rates in percent."""
    labels = [str(label) for label in x_labels]
    plotted = [(str(name), [chart_value(value, unit) for value in values]) for name, values in series]

    def draw() -> pygal.graph.graph.Graph:
        axis = {SECONDS: pgettext("kpi dashboard", "hours"), RATE: pgettext("kpi dashboard", "percent")}.get(unit, "")
        options = _options(title, x_label_rotation=30 if len(labels) > 8 else 0, y_title=str(axis) or None)
        if unit == RATE:
            options["range"] = (0, 100)
        chart = (pygal.Bar if bars else pygal.Line)(**options)
        chart.x_labels = labels
        for name, values in plotted:
            chart.add(name, values, allow_interruptions=True)
        return chart

    table = Table(
        key,
        title,
        [Column(_("Period"))] + [Column(name, unit) for name, _values in series],
        [[label, *(values[index] for _name, values in series)] for index, label in enumerate(x_labels)],
    )
    svg, cache_key = _svg(key, scope, ("line", bars, unit, str(title), labels, plotted), draw)
    return Chart(key, title, svg, table, cache_key)


def bar_chart(
    key: str,
    title: str | Promise,
    labels: Sequence[str],
    values: Sequence[int],
    series_name,
    *,
    scope: ChartScope | None = None,
    caption: str | Promise = "",
) -> Chart:
    names = [str(label) for label in labels]

    def draw() -> pygal.graph.graph.Graph:
        chart = pygal.Bar(**_options(title, show_legend=False))
        chart.x_labels = names
        chart.add(str(series_name), list(values))
        return chart

    table = Table(
        key,
        title,
        [Column(""), Column(series_name, COUNT)],
        [[label, value] for label, value in zip(labels, values, strict=True)],
        caption=caption,
    )
    drawn = ("bar", str(title), str(series_name), names, list(values))
    svg, cache_key = _svg(key, scope, drawn, draw)
    return Chart(key, title, svg, table, cache_key)


@dataclass(frozen=True)
class HeatCell:
    text: str
    shade: int  # 0 (nothing) to HEAT_SHADES (the highest count)


HEAT_SHADES = 5


@dataclass
class HeatMap:
    """Counts in a grid (weekday × hour) as an HTML table whose cells are shaded by their count.

    A real table: screen readers read it as it is, it prints, and it costs no drawing. ``table``
    holds the raw counts (row label first) for the CSV.
    """

    key: str
    title: str | Promise
    table: Table

    @property
    def column_labels(self) -> list[str]:
        return [str(column.label) for column in self.table.columns[1:]]

    @property
    def shaded_rows(self) -> list[tuple[str, list[HeatCell]]]:
        """Per row its label and cells; the shade is the count's fifth of the highest count, rounded up."""
        highest = max((count for row in self.table.rows for count in row[1:]), default=0)
        rows = []
        for row, cells in zip(self.table.rows, self.table.cells, strict=True):
            shaded = [
                HeatCell(cell.text, math.ceil(HEAT_SHADES * count / highest) if highest else 0)
                for count, cell in zip(row[1:], cells[1:], strict=True)
            ]
            rows.append((str(row[0]), shaded))
        return rows


def heat_map(
    key: str,
    title: str | Promise,
    rows: Sequence[str],
    columns: Sequence[str],
    grid: Sequence[Sequence[int]],
    corner: str | Promise = "",
    caption: str | Promise = "",
) -> HeatMap:
    """A punch card as a shaded table: one row per ``rows`` label, one cell per column."""
    table = Table(
        key,
        title,
        [Column(corner)] + [Column(label, COUNT) for label in columns],
        [[label, *counts] for label, counts in zip(rows, grid, strict=True)],
        caption=caption,
    )
    return HeatMap(key, title, table)
