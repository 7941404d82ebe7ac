"""manage.py restore FILE [--force]: bring back an archive of ``manage.py backup``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from helpdesk.backups import BackupError, describe_database, restore_backup


class Command(BaseCommand):
    help = (
        "Verify every checksum in a backup archive, then restore its database dump (pg_restore --clean "
        "--if-exists, one transaction) and its files into MEDIA_ROOT. Refuses a database that holds "
        "users or tickets unless --force. Stop the web and worker processes first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="an archive written by manage.py backup")
        parser.add_argument("--force", action="store_true", help="replace a database that holds data")

    def handle(self, *args, file, force, **options):
        try:
            result = restore_backup(file, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{number} {label}" for label, number in result.counts.items())
        self.stdout.write(
            f"Restored {file} (made {result.manifest['created_at']}) into {describe_database()}: {counts}; "
            f"{result.files} file(s) into {result.media_root}, every checksum verified."
        )
        for error in result.manifest.get("errors", []):
            self.stderr.write(f"warning: {error['path']} was {error['error']} when the backup was made")
