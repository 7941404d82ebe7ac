"""manage.py import_tickets FILE.jsonl [--create-missing]: ticket history from another helpdesk.

The format and the rules are in SPEC §10 and docs/tickets.md ("Importing history"); the work is
in tickets/importing.py.
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from tickets.importing import ImportSummary, import_file


class Command(BaseCommand):
    help = "Import tickets with their whole history, one JSON object per line (SPEC §10); '-' reads stdin."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a JSON Lines file, or - for standard input")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create unknown agents, requesters, teams and categories instead of refusing the line",
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=1000,
            metavar="N",
            help="print the counts so far after every N lines (default 1000; 0: never)",
        )

    def handle(self, *args, file: str, create_missing: bool = False, progress_every: int = 1000, **options):
        if progress_every < 0:
            raise CommandError("--progress-every must be 0 (never) or a positive number of lines")
        started = time.monotonic()

        def report(number: int, reason: str) -> None:
            self.stderr.write(f"line {number}: {reason}")

        # A large history takes a while (docs/performance.md): where it is, and how fast it goes.
        def progress(number: int, summary: ImportSummary) -> None:
            rate = summary.imported / max(time.monotonic() - started, 1e-9)
            self.stderr.write(
                f"{number:,} lines read: {summary.imported:,} imported, {summary.skipped:,} skipped, "
                f"{summary.failed:,} failed ({rate:,.0f} tickets/s)"
            )

        source = sys.stdin.buffer if file == "-" else file
        try:
            summary = import_file(
                source,
                create_missing=create_missing,
                on_error=report,
                on_progress=progress,
                progress_every=progress_every,
            )
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        self.stdout.write(
            f"{summary.imported} imported, {summary.skipped} skipped (already imported), {summary.failed} failed."
        )
        if summary.failed:
            raise CommandError(f"{summary.failed} line(s) failed; see the messages above.")
