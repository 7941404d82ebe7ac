"""manage.py kpi_verify [--period month] [--since 2026-01-01]: stored figures == the event log?"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kpis.models import Period
from kpis.verify import differences, stale_periods


class Command(BaseCommand):
    help = "Recompute the stored KPI figures from the event log and report every difference."

    def add_arguments(self, parser):
        parser.add_argument("--period", choices=Period.values, action="append", help="default: month")
        parser.add_argument("--since", help="only periods starting on or after this day, YYYY-MM-DD")

    def handle(self, *args, period, since, **options):
        periods = period or [Period.MONTH]
        found = differences(periods, date.fromisoformat(since) if since else None)
        if waiting := stale_periods(periods):
            self.stdout.write(
                f"{waiting} period(s) not compared: they wait for their recount (kpis.refresh_periods, or kpi_refresh)."
            )
        for difference in found:
            self.stdout.write(
                f"{difference.period} {difference.start} {difference.dimension} {difference.key} "
                f"{difference.metric}: stored {difference.stored}, event log {difference.recomputed}"
            )
        if found:
            raise CommandError(f"{len(found)} difference(s) between the stored figures and the event log")
        self.stdout.write("KPI figures match the event log.")
