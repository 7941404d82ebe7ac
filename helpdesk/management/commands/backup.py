"""manage.py backup [--output DIR]: the database and the attachments in one file (helpdesk/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from helpdesk.backups import BackupError, create_backup, describe_database


class Command(BaseCommand):
    help = (
        "Write one archive with a pg_dump of the database (one snapshot), every file its rows refer to, "
        "and a manifest of counts and SHA-256 checksums, under var/backups/ (or --output)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="directory to write the archive in (default: var/backups/)")

    def handle(self, *args, output, **options):
        try:
            result = create_backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{number} {label}" for label, number in result.counts.items())
        self.stdout.write(
            f"Backed up {describe_database()} ({counts}) and {result.files} file(s) "
            f"to {result.path} ({result.size / 1_000_000:.1f} MB)."
        )
        for error in result.errors:
            self.stderr.write(f"error: {error['path']}: {error['error']} (recorded in the manifest)")
        if result.errors:
            raise CommandError(f"{len(result.errors)} referenced file(s) missing from {result.path}")
