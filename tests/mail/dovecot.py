"""A real Dovecot IMAP server of a test's own: its config, users and maildirs in a temporary
directory, listening on 127.0.0.1 and a free port (``make system-packages`` installs Debian's
dovecot-imapd; the system service stays stopped, nothing here uses its config or ports).

Started as root (CI containers) the server drops to the ``dovecot``/``dovenull`` accounts the
package creates, and mail is owned by ``dovecot``; started as anyone else it runs entirely as
that user (Dovecot's "rootless" mode).
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "helpdesk"
PASSWORD = "imap-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def available() -> bool:
    return Path(DOVECOT).exists()


class Dovecot:
    """``start()``, ``stop()``; ``append(raw)`` puts a message in a folder as a mail client would."""

    def __init__(self, *, security: str = "none"):
        """``security``: "none" (plain IMAP), "ssl" (implicit TLS) or "starttls" (required before login)."""
        # Not under pytest's tmp_path: its parents are private (0700) to the user running the
        # tests, and Dovecot's auth and mail processes run as other accounts when started as root.
        self.directory = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
        self.directory.chmod(0o755)
        self.port = free_port()
        self.security = security
        self.process: subprocess.Popen | None = None
        if os.geteuid() == 0:
            self.login_user, self.internal_user, self.mail_user = "dovenull", "dovecot", "dovecot"
        else:
            me = pwd.getpwuid(os.geteuid()).pw_name
            self.login_user = self.internal_user = self.mail_user = me
        self.mail_uid = pwd.getpwnam(self.mail_user).pw_uid
        self.mail_gid = pwd.getpwnam(self.mail_user).pw_gid

    @property
    def config_path(self) -> Path:
        return self.directory / "dovecot.conf"

    @property
    def log_path(self) -> Path:
        return self.directory / "dovecot.log"

    def _write_config(self) -> None:
        run, mail = self.directory / "run", self.directory / "mail"
        for folder in (run, mail, self.directory / "state"):
            folder.mkdir(parents=True, exist_ok=True)
        os.chown(mail, self.mail_uid, self.mail_gid)
        (self.directory / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        ssl_lines = "ssl = no\n"
        listener = f"inet_listener imap {{\n    address = 127.0.0.1\n    port = {self.port}\n  }}\n"
        listener += "  inet_listener imaps {\n    port = 0\n  }\n"
        if self.security != "none":
            cert, key = self._self_signed_certificate()
            ssl_lines = f"ssl = required\nssl_cert = <{cert}\nssl_key = <{key}\n"
        if self.security == "ssl":
            listener = "inet_listener imap {\n    port = 0\n  }\n"
            listener += (
                f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {self.port}\n    ssl = yes\n  }}\n"
            )
        self.config_path.write_text(
            f"""
base_dir = {run}
state_dir = {self.directory / "state"}
log_path = {self.log_path}
protocols = imap
listen = 127.0.0.1
default_login_user = {self.login_user}
default_internal_user = {self.internal_user}
first_valid_uid = 1
disable_plaintext_auth = no
auth_mechanisms = plain login
{ssl_lines}
mail_location = maildir:{mail}/%u
mail_uid = {self.mail_uid}
mail_gid = {self.mail_gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.directory / "users"}
}}
userdb {{
  driver = static
  args = uid={self.mail_uid} gid={self.mail_gid} home={mail}/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  {listener}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
        )

    def _self_signed_certificate(self) -> tuple[Path, Path]:
        cert, key = self.directory / "cert.pem", self.directory / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        return cert, key

    def start(self) -> None:
        # A missing server fails the test: CI runs every one (make system-packages installs it).
        assert available(), f"{DOVECOT} is missing: run make system-packages (Debian's dovecot-imapd)"
        self._write_config()
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.config_path)],
            stdout=subprocess.DEVNULL,
            stderr=open(self.directory / "dovecot.stderr", "w"),  # noqa: SIM115 - the process keeps it
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dovecot did not start:\n{self.diagnostics()}")
            time.sleep(0.1)

    def diagnostics(self) -> str:
        parts = []
        for path in (self.directory / "dovecot.stderr", self.log_path):
            if path.exists():
                parts.append(path.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None
        shutil.rmtree(self.directory, ignore_errors=True)

    def connect(self) -> imaplib.IMAP4:
        import ssl

        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        if self.security == "ssl":
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=context, timeout=10)
        else:
            client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
            if self.security == "starttls":
                client.starttls(ssl_context=context)
        client.login(USER, PASSWORD)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.connect()
        try:
            client.create(folder) if folder != "INBOX" else None
            status, _data = client.append(folder, None, None, raw)
            assert status == "OK", _data
        finally:
            client.logout()

    def folder_messages(self, folder: str) -> list[tuple[bytes, bytes]]:
        """(flags, raw) of every message in ``folder``; [] when the folder does not exist.

        One FETCH for all: the poll under test may move messages away while we read.
        """
        client = self.connect()
        try:
            status, _data = client.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            _status, data = client.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
            return [(item[0], item[1]) for item in data or () if isinstance(item, tuple)]
        finally:
            client.logout()

    def count(self, folder: str) -> int:
        """How many messages ``folder`` holds (0 when it does not exist)."""
        client = self.connect()
        try:
            status, data = client.status(f'"{folder}"', "(MESSAGES)")
            if status != "OK":
                return 0
            return int(data[0].split(b"MESSAGES ")[1].rstrip(b")"))
        finally:
            client.logout()
