"""Run the SLA scan once, for installations without Celery beat (e.g. from cron every minute)."""

from django.core.management.base import BaseCommand, CommandError

from escalation.scan import LIMIT, scan


class Command(BaseCommand):
    help = "Record SLA warnings and breaches that are due, notify, and run escalation rules."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="Read every running clock's past deadlines, not just those since the last scan "
            "(after importing tickets with times in the past).",
        )
        parser.add_argument("--limit", type=int, default=LIMIT, help=f"Crossings per clock column (default {LIMIT}).")

    def handle(self, *args, everything: bool = False, limit: int = LIMIT, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        result = scan(limit=limit, everything=everything)
        self.stdout.write(
            f"SLA scan: {result.warnings} warning(s) and {result.breaches} breach(es) recorded on "
            f"{result.tickets} ticket(s)."
        )
        if result.failed:
            self.stderr.write(f"{result.failed} ticket(s) failed; see the log. The next scan tries them again.")
        if not result.complete:
            self.stdout.write("More are due than one run takes; run it again (beat does, every minute).")
