"""Beat tasks of the KPI engine; each calls one function of kpis/rollups.py, snapshots.py, appraisals.py, reviews.py."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from kpis.appraisals import calculate_due_periods
from kpis.reviews import draw_reviews, previous_month
from kpis.rollups import refresh_full, refresh_incremental, refresh_periods
from kpis.snapshots import refresh_team_snapshots


@shared_task(name="kpis.refresh_incremental", acks_late=True, ignore_result=True)
def refresh_kpis_incremental() -> int:
    """Every few minutes: facts and day figures of the tickets with new events. Idempotent."""
    return refresh_incremental().tickets


@shared_task(name="kpis.refresh_periods", acks_late=True, ignore_result=True)
def refresh_kpis_periods() -> int:
    """Every quarter of an hour: the weeks, months and quarters with changes since the last run. Idempotent."""
    return refresh_periods().buckets


@shared_task(name="kpis.refresh_snapshots", acks_late=True, ignore_result=True)
def refresh_kpis_snapshots() -> int:
    """Every few minutes: each team's backlog by age and arrivals by hour as of now. Idempotent."""
    return refresh_team_snapshots()


@shared_task(name="kpis.refresh_full", acks_late=True, ignore_result=True)
def refresh_kpis_full() -> int:
    """Nightly: every fact and figure rebuilt from the event log. Idempotent."""
    return refresh_full().last_seq


@shared_task(name="kpis.calculate_appraisals", acks_late=True, ignore_result=True)
def calculate_appraisals() -> int:
    """Nightly, after the full rebuild: calculate the open appraisal periods that have ended. Idempotent."""
    return calculate_due_periods()


@shared_task(name="kpis.draw_quality_reviews", acks_late=True, ignore_result=True)
def draw_quality_reviews(first_day: str | None = None, last_day: str | None = None) -> int:
    """Monthly: the previous month's sample per agent plus every low CSAT. Idempotent.

    ``first_day`` / ``last_day`` (ISO dates) draw another range, e.g. from a one-off call.
    """
    if first_day and last_day:
        first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
    else:
        first, last = previous_month(timezone.localdate())
    return draw_reviews(first, last)
