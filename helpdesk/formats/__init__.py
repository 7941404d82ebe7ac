"""One date and time format per language, everywhere (settings.FORMAT_MODULE_PATH).

Django's own formats give each language a long and a short style ("Dec. 6, 2026" beside
"12/06/2026 5:41 p.m."); pages, e-mails and CSV labels mixed them. Here the short and the long
style are the same, so ``|date``, ``|date:"SHORT_DATETIME_FORMAT"`` and ``date_format()`` agree.
Formats not named here (input formats, YEAR_MONTH_FORMAT, ...) stay Django's.
"""
