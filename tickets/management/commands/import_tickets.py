"""manage.py import_tickets FILE.jsonl [--create-missing]: ticket history from another helpdesk.

The format and the rules are in SPEC §10 and docs/tickets.md ("Importing history"); the work is
in tickets/importing.py.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from tickets.importing import import_file


class Command(BaseCommand):
    help = "Import tickets with their whole history, one JSON object per line (SPEC §10); '-' reads stdin."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a JSON Lines file, or - for standard input")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create unknown agents, requesters, teams and categories instead of refusing the line",
        )

    def handle(self, *args, file: str, create_missing: bool = False, **options):
        def report(number: int, reason: str) -> None:
            self.stderr.write(f"line {number}: {reason}")

        source = sys.stdin.buffer if file == "-" else file
        try:
            summary = import_file(source, create_missing=create_missing, on_error=report)
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        self.stdout.write(
            f"{summary.imported} imported, {summary.skipped} skipped (already imported), {summary.failed} failed."
        )
        if summary.failed:
            raise CommandError(f"{summary.failed} line(s) failed; see the messages above.")
