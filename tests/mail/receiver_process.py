"""``manage.py mail_receiver`` as a real process on a free port, reading the test's database."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from tests.conftest import ROOT, _database_url
from tests.mail.dovecot import free_port


class ReceiverProcess:
    def __init__(self, log_path: Path, *, protocol: str = "lmtp", env: dict | None = None):
        self.port = free_port()
        self.protocol = protocol
        self.log_path = log_path
        self.env = env or {}
        self.process: subprocess.Popen | None = None

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def start(self) -> ReceiverProcess:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        arguments = [sys.executable, "manage.py", "mail_receiver", "--host", "127.0.0.1",
                     "--port", str(self.port), "--protocol", self.protocol]  # fmt: skip
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(arguments, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while "Receiving" not in self.log:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"mail_receiver did not start:\n{self.log[-3000:]}")
            time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", self.port), timeout=5):
            pass
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def send(self, raw: bytes, *, mail_from: str, to: list[str]) -> dict:
        """Deliver as an MTA does; returns smtplib's refused-recipients dict, raises on a refusal of all."""
        import smtplib

        client = (
            smtplib.LMTP("127.0.0.1", self.port) if self.protocol == "lmtp" else smtplib.SMTP("127.0.0.1", self.port)
        )
        try:
            return client.sendmail(mail_from, to, raw)
        finally:
            with contextlib.suppress(smtplib.SMTPServerDisconnected):
                client.quit()
