"""Each installation makes its own SECRET_KEY under var/; the environment's wins; production needs one."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from helpdesk.settings import installation_secret_key

ROOT = Path(__file__).resolve().parent.parent.parent


def _settings_key(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DJANGO_ENV"}
    }
    environment.update(
        HELPDESK_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://helpdesk@127.0.0.1:1/helpdesk",
        REDIS_URL="redis://127.0.0.1:1/0",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", "import helpdesk.settings as s; print(s.SECRET_KEY)"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_two_fresh_installations_get_different_keys_kept_in_a_private_file(tmp_path):
    first = installation_secret_key(tmp_path / "one")
    second = installation_secret_key(tmp_path / "two")

    assert first != second
    assert len(first) >= 50
    assert stat.S_IMODE((tmp_path / "one" / "secret_key").stat().st_mode) == 0o600


def test_the_same_installation_keeps_its_key(tmp_path):
    assert installation_secret_key(tmp_path) == installation_secret_key(tmp_path)


def test_settings_use_the_installation_key_not_one_from_the_source(tmp_path):
    result = _settings_key(tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (tmp_path / "secret_key").read_text().strip()
    assert "development-only" not in result.stdout


def test_secret_key_in_the_environment_wins(tmp_path):
    result = _settings_key(tmp_path, SECRET_KEY="from-the-environment-" + "x" * 40)

    assert result.stdout.strip() == "from-the-environment-" + "x" * 40
    assert not (tmp_path / "secret_key").exists()


def test_production_still_requires_secret_key(tmp_path):
    result = _settings_key(tmp_path, DJANGO_ENV="production", ALLOWED_HOSTS="helpdesk.example.com")

    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_processes_starting_at_once_share_one_whole_key(tmp_path: Path):
    # make run starts web, worker, beat and the mail receiver together.
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DJANGO_ENV"}
    }
    environment.update(
        HELPDESK_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://helpdesk@127.0.0.1:1/helpdesk",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    started = [
        subprocess.Popen(
            [sys.executable, "-c", "import helpdesk.settings as s; print(s.SECRET_KEY)"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in started}
    assert len(keys) == 1
    assert len(keys.pop()) >= 50
    assert not list(tmp_path.glob(".secret_key.*"))  # no draft left behind
