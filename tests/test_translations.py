"""zh_Hans stays complete: every string in the code is in the catalogue and translated."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _environment() -> dict:
    """Point the copy at this test run's servers, so that it starts no embedded ones of its own."""
    db = settings.DATABASES["default"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }


def test_every_entry_is_translated():
    catalogue = polib.pofile(str(CATALOGUE))

    assert catalogue.untranslated_entries() == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert len(catalogue.translated_entries()) > 50


def test_catalogue_holds_every_translatable_string(tmp_path):
    """Run makemessages on a copy of the code and compare its msgids with the committed ones."""
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "node_modules", "*.mo"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--no-obsolete", "--no-location",
         "--ignore", "tests/*", "--ignore", "bench/*"],
        cwd=copy, env=_environment(), check=True, capture_output=True,
    )  # fmt: skip
    fresh = {entry.msgid for entry in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    committed = {entry.msgid for entry in polib.pofile(str(CATALOGUE))}

    missing = sorted(fresh - committed)
    assert missing == [], f"run `make messages` and translate: {missing}"
