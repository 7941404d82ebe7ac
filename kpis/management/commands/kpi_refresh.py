"""manage.py kpi_refresh [--full]: what the beat tasks do, on demand (after an import, say)."""

from django.core.management.base import BaseCommand

from kpis.rollups import refresh_full, refresh_incremental


class Command(BaseCommand):
    help = "Bring the KPI facts and figures up to date (incrementally, or from scratch with --full)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild every fact and figure")

    def handle(self, *args, full, **options):
        result = refresh_full() if full else refresh_incremental()
        self.stdout.write(
            f"KPIs up to event {result.last_seq} ({result.tickets} ticket(s), {result.buckets} period(s))."
        )
