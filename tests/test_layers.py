"""The apps stand in layers (STYLE.md, "Layout"): the contract in pyproject.toml holds.

``tickets`` never imports ``escalation``, ``knowledge`` or ``kpis``; a lower app that must let a
higher one react offers a registry the higher one fills at app ready.
"""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports() -> str:
    beside_python = Path(sys.executable).parent / "lint-imports"
    return str(beside_python) if beside_python.exists() else shutil.which("lint-imports") or "lint-imports"


def test_no_app_imports_from_a_layer_above_it():
    result = subprocess.run(
        [lint_imports(), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
