"""The list as CSV for product teams: one row per item, with the same filters as the page."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from feedback.models import FeedbackItem
from helpdesk.spreadsheets import spreadsheet_safe

HEADER = ["title", "area", "status", "tickets", "requesters", "raised_by", "raised_at", "link"]


class _Echo:
    """A file-like object whose write returns the line, so csv.writer feeds a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(items: Iterable[FeedbackItem]) -> Iterator[str]:
    """The BOM (so spreadsheet programs read Chinese titles as UTF-8), the header, one line per item.

    Names are the English ones the admin keeps (``name``), like every export; statuses are their
    stored values (``under_review``), which do not change with the reader's language.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(HEADER)
    for item in items:
        yield writer.writerow(
            [
                spreadsheet_safe(item.title),
                spreadsheet_safe(item.area.name) if item.area_id else "",
                item.status,
                item.ticket_count,
                item.requester_count,
                spreadsheet_safe(item.raised_by.get_full_name() or item.raised_by.email),
                timezone.localtime(item.created_at).isoformat(timespec="seconds"),
                settings.SITE_URL + reverse("feedback:detail", args=[item.pk]),
            ]
        )
