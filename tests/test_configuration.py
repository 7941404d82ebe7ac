"""Start-up with bad configuration fails with one clear line; production settings pass --deploy."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("not a url", "DATABASE_URL"),
        ("mysql://user@localhost/helpdesk", "must point to PostgreSQL"),
        ("postgres://postgres@127.0.0.1:5432/", "no database name"),
    ],
)
def test_invalid_database_url_gives_one_clear_line(database_url, expected):
    result = _manage("check", DATABASE_URL=database_url, REDIS_URL=settings.REDIS_URL)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert expected in lines[0]


def test_unreachable_database_gives_one_clear_line():
    result = _manage("migrate", DATABASE_URL="postgres://postgres@127.0.0.1:1/helpdesk", REDIS_URL=settings.REDIS_URL)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("helpdesk: cannot use the database:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_production_without_database_url_refuses_to_start():
    result = _manage("check", DJANGO_ENV="production", SECRET_KEY="x" * 60, ALLOWED_HOSTS="helpdesk.example.com")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "helpdesk: configuration error: DATABASE_URL must be set in production "
        "(e.g. postgres://user:pass@host:5432/helpdesk)"
    ]


def test_production_settings_pass_check_deploy():
    db = settings.DATABASES["default"]
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY="k3y-" + "q8Zr!x2Lp@w7Vn#c4Ty$m9Hb&s1Jd*f6Gk" * 2,
        MAIL_ENCRYPTION_KEY="bWFpbC1rZXktZm9yLXRoZS1jaGVjay0tZGVwbG95LXQ=",
        ALLOWED_HOSTS="helpdesk.example.com",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": False, "pool": False}),
        (
            {"DB_CONN_MAX_AGE": "0", "DB_HEALTH_CHECKS": "1"},
            {"CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": True, "pool": False},
        ),
        (
            {"DB_POOL": "1", "DB_POOL_SIZE": "4"},
            {"CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "pool": {"max_size": 4}},
        ),
    ],
)
def test_connections_are_kept_per_process_or_pooled(env, expected):
    db = settings.DATABASES["default"]
    code = (
        "import json; from django.conf import settings; d = settings.DATABASES['default']; "
        "pool = d['OPTIONS'].get('pool'); "
        "print(json.dumps({'CONN_MAX_AGE': d['CONN_MAX_AGE'], 'CONN_HEALTH_CHECKS': d['CONN_HEALTH_CHECKS'], "
        "'pool': {'max_size': pool['max_size']} if pool else False}))"
    )
    result = _manage(
        "shell",
        "-c",
        code,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        **env,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"REDIS_URL": "redis://redis.example:6379/0"},
            ["redis://redis.example:6379/0", "redis://redis.example:6379/1"],
        ),
        (
            {"REDIS_URL": "redis://redis.example:6379/0", "REDIS_CACHE_URL": "redis://cache.example:6379/0"},
            ["redis://redis.example:6379/0", "redis://cache.example:6379/0"],
        ),
    ],
)
def test_the_cache_and_the_broker_are_in_separate_redis_databases(env, expected):
    """Clearing the cache (FLUSHDB) must never drop the broker's queue."""
    db = settings.DATABASES["default"]
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.CELERY_BROKER_URL, settings.CACHES['default']['LOCATION']]))"
    )
    result = _manage(
        "shell", "-c", code, DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}", **env
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == expected


def test_a_broker_in_the_last_database_needs_a_cache_url():
    db = settings.DATABASES["default"]
    result = _manage(
        "check",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL="redis://redis.example:6379/15",
    )

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "helpdesk: configuration error: set REDIS_CACHE_URL: the cache goes in the next Redis database "
        "after REDIS_URL's, and there is none"
    ]
