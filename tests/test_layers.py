"""The layer rule (pyproject.toml, import-linter): each folder of the package imports only the folders below it,
only ui/ imports streamlit, and the runtime never imports the benchmark tooling.

A lower layer importing a higher one fails here, in CI.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_the_layer_contracts_hold() -> None:
    run = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_a_lower_layer_importing_a_higher_one_breaks_the_contract(tmp_path: Path) -> None:
    """The contract is not vacuous: a copy of the package where the contract layer imports ui/ breaks it."""
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "earnings", copy / "earnings", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    vocab = copy / "earnings" / "contract" / "vocab.py"
    vocab.write_text(vocab.read_text() + "\nfrom earnings.ui import components  # a wrong-way import\n")
    run = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=copy, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "earnings.contract is not allowed to import earnings.ui" in run.stdout
