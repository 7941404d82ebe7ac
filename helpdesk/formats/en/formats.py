"""English: day, abbreviated month and year, 24-hour time (6 Dec 2026, 17:41) — read the same way
in Europe and America, unlike 12/06/2026."""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
