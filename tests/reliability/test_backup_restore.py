"""``manage.py backup`` / ``restore`` (``make backup``, ``make restore FILE=``): one archive, and back.

Tickets with events and attachments are backed up from this test's database, then restored with
the real command line into a database made for the test on the same server (dropped afterwards)
and a media directory of its own; counts, rows and every file's checksum must match the source.
A database holding data is refused without ``--force``; a corrupted attachment in the archive
stops the restore before anything is written; a file missing at backup time is an error.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from helpdesk.backups import BackupError, find_tool
from tests.conftest import ROOT
from tickets.models import Attachment, Ticket, TicketEvent
from tickets.services import ticket_create, ticket_reply

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
TABLES = {"tickets": Ticket, "events": TicketEvent, "attachments": Attachment}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def server_url(database: str) -> str:
    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{database}"


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def seeded(media_root, alice, bob, carol, service_desk):
    """Three tickets: files with the request and with replies, in both languages."""
    printer = ticket_create(
        requester=alice,
        subject="Printer jams",
        description="Paper jam on floor 3.",
        acting_user=alice,
        attachments=[SimpleUploadedFile("jam.png", PNG, "image/png")],
    )
    ticket_reply(
        printer,
        "Which tray?",
        acting_user=carol,
        attachments=[SimpleUploadedFile("steps.txt", b"1. Open tray 2\n", "text/plain")],
    )
    ticket_reply(printer, "Tray 2.", acting_user=alice)
    vpn = ticket_create(
        requester=bob,
        subject="VPN 连接断开",
        description="每十分钟断一次。",
        acting_user=bob,
        attachments=[SimpleUploadedFile("日志.log", "连接超时\n".encode(), "text/plain")],
    )
    ticket_create(requester=alice, subject="New laptop", description="For Dan.", acting_user=alice)
    return [printer, vpn]


@pytest.fixture
def fresh_database():
    """``fresh_database()``: a new, empty database on the test server, dropped at teardown."""
    made: list[str] = []

    def make() -> str:
        name = f"test_restore_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return name

    try:
        yield make
    finally:
        with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
            for name in made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args: str, database: str, var_dir: Path) -> subprocess.CompletedProcess:
    """The command line an operator runs, on ``database`` with ``var_dir`` (its ``media/``)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "DATABASE_URL": server_url(database),
        "REDIS_URL": settings.REDIS_URL,
        "HELPDESK_VAR_DIR": str(var_dir),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def source_rows() -> dict:
    return {
        "tickets": list(Ticket.objects.order_by("id").values_list("id", "subject", "status", "requester_id")),
        "events": list(TicketEvent.objects.order_by("id").values_list("id", "ticket_id", "seq", "kind")),
        "attachments": list(Attachment.objects.order_by("id").values_list("id", "ticket_id", "file", "size")),
    }


def restored_rows(database: str) -> dict:
    with psycopg.connect(server_url(database)) as conn:
        return {
            "tickets": conn.execute(
                f"SELECT id, subject, status, requester_id FROM {Ticket._meta.db_table} ORDER BY id"
            ).fetchall(),
            "events": conn.execute(
                f"SELECT id, ticket_id, seq, kind FROM {TicketEvent._meta.db_table} ORDER BY id"
            ).fetchall(),
            "attachments": conn.execute(
                f"SELECT id, ticket_id, file, size FROM {Attachment._meta.db_table} ORDER BY id"
            ).fetchall(),
        }


def backup(tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("backup", output=tmp_path / "backups", stdout=out)
    archives = list((tmp_path / "backups").glob("helpdesk-*.tar"))
    assert len(archives) == 1, archives
    assert re.fullmatch(r"helpdesk-\d{4}-\d\d-\d\dT\d{6}Z\.tar", archives[0].name)
    assert f"to {archives[0]}" in out.getvalue()
    return archives[0]


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def test_a_backup_restored_into_a_fresh_database_matches_the_source(seeded, media_root, tmp_path, fresh_database):
    archive = backup(tmp_path)
    manifest = manifest_of(archive)
    source = source_rows()
    assert manifest["counts"] == {label: len(rows) for label, rows in source.items()}
    assert manifest["counts"]["attachments"] == 3 and manifest["counts"]["events"] > 5
    assert manifest["errors"] == []
    on_disk = {a.file.name: sha256(media_root / a.file.name) for a in Attachment.objects.all()}
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == on_disk

    target, var_dir = fresh_database(), tmp_path / "restored-var"
    restored = manage("restore", str(archive), database=target, var_dir=var_dir)
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout and "3 attachments" in restored.stdout, restored.stdout

    assert restored_rows(target) == source
    restored_media = var_dir / "media"
    assert {name: sha256(restored_media / name) for name in on_disk} == on_disk
    with psycopg.connect(server_url(target)) as conn:
        subject, description = conn.execute(
            f"SELECT subject, description FROM {Ticket._meta.db_table} WHERE id = %s", [seeded[1].pk]
        ).fetchone()
    assert (subject, description) == ("VPN 连接断开", "每十分钟断一次。")

    # A database holding data (this test's own) is refused, and left as it was.
    with pytest.raises(CommandError, match=r"already holds users or tickets.*--force"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert source_rows() == source

    # Unless forced: the target, changed since, is put back as the backup has it.
    with psycopg.connect(server_url(target), autocommit=True) as conn:
        conn.execute(f"UPDATE {Ticket._meta.db_table} SET subject = 'changed since' WHERE id = %s", [seeded[0].pk])
        conn.execute(f"DELETE FROM {Attachment._meta.db_table} WHERE id = %s", [source["attachments"][-1][0]])
    forced = manage("restore", str(archive), "--force", database=target, var_dir=var_dir)
    assert forced.returncode == 0, forced.stderr
    assert restored_rows(target) == source


def test_a_corrupted_attachment_in_the_archive_stops_the_restore_before_anything_is_written(
    seeded, media_root, tmp_path, fresh_database
):
    archive = backup(tmp_path)
    victim = manifest_of(archive)["files"][0]["path"]
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as original, tarfile.open(damaged, "w") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read()
            if member.name == f"media/{victim}":
                data = bytes([data[0] ^ 0xFF]) + data[1:]  # one flipped byte, same size
            copy.addfile(member, io.BytesIO(data))

    target, var_dir = fresh_database(), tmp_path / "restored-var"
    result = manage("restore", str(damaged), database=target, var_dir=var_dir)

    assert result.returncode == 1
    assert "damaged, nothing was restored" in result.stderr and victim in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    with psycopg.connect(server_url(target)) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    assert tables == 0
    assert not [path for path in (var_dir / "media").rglob("*") if path.is_file()]


def test_an_attachment_missing_from_disk_is_an_error_in_the_manifest(seeded, media_root, tmp_path):
    lost = Attachment.objects.order_by("id").first()
    (media_root / lost.file.name).unlink()

    with pytest.raises(CommandError, match="1 referenced file"):
        call_command("backup", output=tmp_path / "backups", stdout=io.StringIO(), stderr=io.StringIO())

    (archive,) = (tmp_path / "backups").glob("helpdesk-*.tar")
    manifest = manifest_of(archive)
    assert manifest["errors"] == [{"path": lost.file.name, "error": "missing"}]
    assert lost.file.name not in {f["path"] for f in manifest["files"]}
    assert len(manifest["files"]) == 2


def test_without_a_pg_dump_for_the_server_the_error_says_what_to_install():
    # No client of PostgreSQL 99 exists anywhere: every candidate is listed with its version.
    with pytest.raises(
        BackupError, match=r"pg_dump for PostgreSQL 99 or newer is needed \(tried .*version 18"
    ) as refused:
        find_tool("pg_dump", 99)
    assert "PG_BIN_DIR" in str(refused.value)
