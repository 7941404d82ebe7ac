"""Beat tasks of the KPI engine; each calls one function of kpis/rollups.py."""

from celery import shared_task

from kpis.rollups import refresh_full, refresh_incremental


@shared_task(name="kpis.refresh_incremental", acks_late=True, ignore_result=True)
def refresh_kpis_incremental() -> int:
    """Every few minutes: facts and figures of the tickets with new events. Idempotent."""
    return refresh_incremental().tickets


@shared_task(name="kpis.refresh_full", acks_late=True, ignore_result=True)
def refresh_kpis_full() -> int:
    """Nightly: every fact and figure rebuilt from the event log. Idempotent."""
    return refresh_full().last_seq
