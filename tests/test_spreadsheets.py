"""CSV cells typed by people stay text in a spreadsheet (helpdesk/spreadsheets.py)."""

import pytest

from helpdesk.spreadsheets import spreadsheet_safe
from kpis.charts import TEXT, csv_value


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_leading_formula_character_is_kept_as_text(typed):
    assert spreadsheet_safe(typed) == "'" + typed


def test_other_text_is_left_alone_and_kpi_names_go_through_it():
    assert spreadsheet_safe("Printer jam =1") == "Printer jam =1"
    assert spreadsheet_safe("打印机") == "打印机"
    assert csv_value("=cmd|' /C calc'!A0", TEXT) == "'=cmd|' /C calc'!A0"
    assert csv_value(-3, TEXT) == -3
