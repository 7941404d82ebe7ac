#!/usr/bin/env python3
"""Capture real Alertmanager webhook bodies for the intake tests (docs/monitoring.md).

Starts the ``alertmanager`` binary found on PATH (Debian: ``apt-get install prometheus-alertmanager``)
in a temporary directory, with a route whose receiver is a webhook to a small HTTP server run
here, then through Alertmanager's own API (``POST /api/v2/alerts``):

1. posts an alert and captures the "firing" notification;
2. posts the same alert with a changed annotation and captures the next notification carrying
   it (the repeat, sent after ``repeat_interval``): the "update";
3. posts the alert with ``endsAt`` in the past and captures the "resolved" notification.

Each body is saved exactly as received (only pretty-printed) as
``tests/monitoring/data/alertmanager-<version>-{firing,update,resolved}.json``.

Usage: python3 scripts/capture_alertmanager_payloads.py [--binary PATH] [--out DIR]
Only the standard library is used; nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import json
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tests" / "monitoring" / "data"

CONFIG = """\
route:
  receiver: helpdesk
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 4s
receivers:
  - name: helpdesk
    webhook_configs:
      - url: http://127.0.0.1:{hook_port}/hook
        send_resolved: true
"""

LABELS = {
    "alertname": "DiskSpaceLow",
    "instance": "db1.internal:9100",
    "job": "node",
    "mountpoint": "/var/lib/postgresql",
    "service": "database",
    "severity": "critical",
}
GENERATOR_URL = (
    "http://prometheus.internal:9090/graph?g0.expr=node_filesystem_avail_bytes+%2F+"
    "node_filesystem_size_bytes+%3C+0.05&g0.tab=1"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Hook(BaseHTTPRequestHandler):
    received: queue.Queue = queue.Queue()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.received.put(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args) -> None:  # quiet
        pass


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def post_alerts(api: str, alerts: list[dict]) -> None:
    request = urllib.request.Request(
        f"{api}/api/v2/alerts",
        data=json.dumps(alerts).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise RuntimeError(f"Alertmanager refused the alert: HTTP {response.status}")


def wait_for(predicate, what: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            body = Hook.received.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if predicate(body):
            return body
    raise RuntimeError(f"no {what} notification within {timeout:.0f}s")


def wait_until_ready(api: str, process: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("alertmanager exited at start")
        try:
            with urllib.request.urlopen(f"{api}/-/ready", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("alertmanager did not become ready")


def alertmanager_version(binary: str) -> str:
    output = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    match = re.search(r"version (\d+\.\d+)", output.stdout + output.stderr)
    if not match:
        raise RuntimeError("cannot read the alertmanager version")
    return match.group(1)


def capture(binary: str, out: Path) -> list[Path]:
    version = alertmanager_version(binary)
    hook_port, api_port = free_port(), free_port()
    server = HTTPServer(("127.0.0.1", hook_port), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api = f"http://127.0.0.1:{api_port}"
    with (
        tempfile.TemporaryDirectory(prefix="alertmanager-") as workdir,
        open(f"{workdir}/alertmanager.log", "w") as log,
    ):
        config = Path(workdir) / "alertmanager.yml"
        config.write_text(CONFIG.format(hook_port=hook_port))
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.path={workdir}/data",
                f"--web.listen-address=127.0.0.1:{api_port}",
                "--web.external-url=http://alertmanager.internal:9093",
                "--cluster.listen-address=",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_ready(api, process)
            started = datetime.now(UTC) - timedelta(seconds=30)
            alert = {
                "labels": LABELS,
                "annotations": {
                    "summary": "Disk almost full on db1.internal",
                    "description": "Only 4.2% space left on /var/lib/postgresql of db1.internal:9100.",
                },
                "startsAt": iso(started),
                "generatorURL": GENERATOR_URL,
            }
            post_alerts(api, [alert])
            firing = wait_for(lambda body: body["status"] == "firing", "firing")

            changed = {**alert, "annotations": {**alert["annotations"], "description": "Only 1.9% space left."}}
            post_alerts(api, [changed])
            update = wait_for(
                lambda body: (
                    body["status"] == "firing"
                    and body["alerts"][0]["annotations"].get("description") == "Only 1.9% space left."
                ),
                "update",
            )

            post_alerts(api, [{**changed, "endsAt": iso(datetime.now(UTC) - timedelta(seconds=1))}])
            resolved = wait_for(lambda body: body["status"] == "resolved", "resolved")
        finally:
            process.terminate()
            process.wait(timeout=10)
            server.shutdown()
    written = []
    for name, body in (("firing", firing), ("update", update), ("resolved", resolved)):
        path = out / f"alertmanager-{version}-{name}.json"
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=shutil.which("alertmanager") or shutil.which("prometheus-alertmanager"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if not args.binary:
        print("alertmanager not found: apt-get install prometheus-alertmanager, or pass --binary", file=sys.stderr)
        return 1
    for path in capture(args.binary, args.out):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
