"""The dependency rules (import-linter contracts in pyproject.toml) hold for the tree, and an
import that breaks one fails `lint-imports`, naming the contract and the import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent))


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """Run the linter as `make lint` does, in `project` (its theke and pyproject.toml)."""
    assert LINT_IMPORTS, "lint-imports is not installed next to this Python"
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        # Wide and plain, so an import chain stays on one line of the report.
        env={**os.environ, "COLUMNS": "300", "NO_COLOR": "1", "TERM": "dumb"},
    )


def _not_python(directory: str, names: list[str]) -> set[str]:
    return {
        name
        for name in names
        if name == "__pycache__"
        or (not name.endswith(".py") and not Path(directory, name).is_dir())
    }


# (module the probe lands in, what it imports, the contract that must then break)
PROBES = [
    ("estimates", "theke.appointments.models", "The products do not import each other"),
    ("messaging", "theke.estimates.models", "The shared domains import no product"),
    ("core", "theke.customers.models", "core imports no other theke package"),
    ("tenants", "theke.accounts.models", "tenants and audit import nothing above them"),
    ("customers", "theke.messaging.models", "customers imports no channel"),
    ("orders", "theke.api.resources", "Only a domain's api.py router imports the API door"),
]


@pytest.fixture(scope="module")
def probed() -> Iterator[subprocess.CompletedProcess[str]]:
    """The linter's answer for a copy of the tree (Python files and contracts) with one
    breaking module per contract; the real tree is never touched."""
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        shutil.copytree(ROOT / "theke", project / "theke", ignore=_not_python)
        shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
        for module, imports, _contract in PROBES:
            (project / "theke" / module / "contract_probe.py").write_text(f"import {imports}\n")
        yield lint_imports(project)


def test_the_tree_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "imports", "contract"), PROBES, ids=[p[0] for p in PROBES])
def test_a_breaking_import_fails_its_contract(
    probed: subprocess.CompletedProcess[str], module: str, imports: str, contract: str
) -> None:
    assert probed.returncode == 1, probed.stdout + probed.stderr
    assert f"{contract} BROKEN" in probed.stdout
    assert f"theke.{module}.contract_probe -> {imports}" in probed.stdout


def test_every_contract_has_a_probe_that_breaks_it(
    probed: subprocess.CompletedProcess[str],
) -> None:
    assert f"Contracts: 0 kept, {len(PROBES)} broken." in probed.stdout, probed.stdout
