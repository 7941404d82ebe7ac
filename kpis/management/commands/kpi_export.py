"""manage.py kpi_export --from 2026-10-01 --to 2026-10-31 --by agent [--format csv|json]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kpis.export import BY, export_rows, render


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from error


class Command(BaseCommand):
    help = "Recompute a period's KPIs from the event log: one row per agent or team (docs/kpis.md)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first_day", required=True, help="first local day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last_day", required=True, help="last local day (included), YYYY-MM-DD")
        parser.add_argument("--by", choices=sorted(BY), default="agent")
        parser.add_argument("--format", dest="output_format", choices=["csv", "json"], default="csv")

    def handle(self, *args, first_day, last_day, by, output_format, **options):
        first, last = _day(first_day), _day(last_day)
        if last < first:
            raise CommandError("--to is before --from")
        self.stdout.write(render(export_rows(first, last, by), output_format), ending="")
