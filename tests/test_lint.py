"""The repository is ruff-clean: lint and format (configuration in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).parent / "ruff"


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_ruff(args):
    if not RUFF.exists():
        pytest.skip(f"ruff is not installed next to {sys.executable} (pip install -r requirements-dev.txt)")
    proc = subprocess.run(
        [str(RUFF), *args, "--no-cache", "."], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
