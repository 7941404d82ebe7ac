"""manage.py kpi_refresh [--full]: what the beat tasks do, on demand (after an import, say).

Without ``--full``: the incremental run, then the stale weeks, months and quarters.
"""

from django.core.management.base import BaseCommand

from kpis.rollups import refresh_full, refresh_now


class Command(BaseCommand):
    help = "Bring the KPI facts and figures up to date (incrementally, or from scratch with --full)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild every fact and figure")

    def handle(self, *args, full, **options):
        result = refresh_full() if full else refresh_now()
        self.stdout.write(
            f"KPIs up to event {result.last_seq} ({result.tickets} ticket(s), {result.buckets} period(s))."
        )
