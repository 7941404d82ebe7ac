"""CSV cells that spreadsheet programs read as text, never as a formula (CSV injection)."""

from __future__ import annotations

# A cell starting with one of these runs as a formula in Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text typed by people (titles, names, search queries): a leading = + - @ is kept as text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
