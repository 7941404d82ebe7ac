"""What managers read about the knowledge base: deflection and content gaps, per period.

Every figure is an aggregate computed by PostgreSQL; no rows are loaded to be counted in
Python. Definitions are in docs/deflection.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from knowledge.models import DeflectionEvent, DeflectionOutcome, KnowledgeSearch
from tickets.models import Channel, Ticket

ROLLING_DAYS = (7, 30, 90)
DEFAULT_DAYS = 30
TOP_ARTICLES = 10
TOP_GAPS = 20
GAPS_EXPORT_MAX = 5_000
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """A half-open interval ``[start, end)``; ``key`` is what the URL carries (``30`` or ``2026-05``)."""

    key: str
    start: datetime
    end: datetime
    label: str


def period_from(value: str | None, now: datetime | None = None) -> Period:
    """``7`` / ``30`` / ``90`` (the last so many days) or ``YYYY-MM`` (a calendar month, local time).

    Anything else falls back to the last 30 days rather than failing: it comes from a URL.
    """
    now = now or timezone.now()
    value = (value or "").strip()
    match = _MONTH.match(value)
    if match and 1 <= int(match.group(2)) <= 12 and int(match.group(1)) >= 2000:
        year, month = int(match.group(1)), int(match.group(2))
        zone = timezone.get_current_timezone()
        start = datetime(year, month, 1, tzinfo=zone)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
        return Period(value, start, end, date_format(date(year, month, 1), "YEAR_MONTH_FORMAT"))
    days = int(value) if value.isdigit() and int(value) in ROLLING_DAYS else DEFAULT_DAYS
    return Period(str(days), now - timedelta(days=days), now, _("Last %(days)d days") % {"days": days})


def recent_months(now: datetime | None = None, count: int = 12) -> list[tuple[str, str]]:
    """``(key, label)`` of this month and the ones before it, for the period selector."""
    today = timezone.localdate(now or timezone.now())
    months = []
    year, month = today.year, today.month
    for _index in range(count):
        months.append((f"{year:04d}-{month:02d}", date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


@dataclass(frozen=True)
class DeflectionFigures:
    solved: int
    # Web-form tickets created in the period: the requests that were not deflected.
    web_tickets: int
    submitted_anyway: int
    # Tickets whose requester first opened at least one suggested article.
    submitted_anyway_tickets: int

    @property
    def rate(self) -> float | None:
        """solved ÷ (solved + web-form tickets), or None when nobody came to the form."""
        total = self.solved + self.web_tickets
        return self.solved / total if total else None

    @property
    def rate_percent(self) -> str:
        return "–" if self.rate is None else f"{self.rate * 100:.1f} %"


def deflection_figures(period: Period) -> DeflectionFigures:
    """Two queries: the deflection events of the period, and the web-form tickets created in it."""
    in_period = Q(created_at__gte=period.start, created_at__lt=period.end)
    events = DeflectionEvent.objects.filter(in_period).aggregate(
        solved=Count("id", filter=Q(outcome=DeflectionOutcome.SOLVED)),
        submitted=Count("id", filter=Q(outcome=DeflectionOutcome.SUBMITTED)),
        submitted_tickets=Count("ticket", distinct=True, filter=Q(outcome=DeflectionOutcome.SUBMITTED)),
    )
    web_tickets = Ticket.objects.filter(in_period, channel=Channel.WEB).count()
    return DeflectionFigures(
        solved=events["solved"],
        web_tickets=web_tickets,
        submitted_anyway=events["submitted"],
        submitted_anyway_tickets=events["submitted_tickets"],
    )


def top_deflecting_articles(period: Period, limit: int = TOP_ARTICLES) -> list[dict]:
    """Articles opened from the request form: how often each solved the request, how often not.

    One grouped query; ``[{article_id, title, solved, submitted}]`` by solved, best first.
    """
    return list(
        DeflectionEvent.objects.filter(created_at__gte=period.start, created_at__lt=period.end, article__isnull=False)
        .values("article_id", "article__title")
        .annotate(
            solved=Count("id", filter=Q(outcome=DeflectionOutcome.SOLVED)),
            submitted=Count("id", filter=Q(outcome=DeflectionOutcome.SUBMITTED)),
        )
        .order_by("-solved", "submitted", "article__title", "article_id")[:limit]
    )


def content_gaps(period: Period, limit: int = TOP_GAPS, source: str | None = None) -> list[dict]:
    """Searches that found nothing, grouped by normalised query: ``[{normalised, query, count, last_seen}]``.

    One grouped query (served by the partial index on ``result_count = 0``); the most asked
    first. ``query`` is one of the spellings people typed, to show.
    """
    searches = KnowledgeSearch.objects.filter(
        result_count=0, created_at__gte=period.start, created_at__lt=period.end
    ).exclude(normalised="")
    if source:
        searches = searches.filter(source=source)
    return list(
        searches.values("normalised")
        .annotate(count=Count("id"), last_seen=Max("created_at"), query=Max("query"))
        .order_by("-count", "-last_seen", "normalised")[:limit]
    )
