"""A SQLite database as `manage.py migrate` makes it, for tests that start Theke's processes
on a database file of their own (workers, web servers, the mail gate).

Migrating a new database takes half a minute; the run makes one, in the shared temporary
directory (one `migrate` for every xdist worker, under a file lock), and each test copies it
into its var directory. A test that runs `migrate` itself afterwards finds nothing to do.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DATABASE = "theke.sqlite3"


def _environment(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THEKE_", "DJANGO_"))}
    env.update({"THEKE_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "theke.settings"})
    return env


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The var directory of a newly migrated database (made once per test run)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the xdist workers of this run
    template = base / "migrated-var"
    with (base / "migrated-var.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template / "done").exists():
            shutil.rmtree(template, ignore_errors=True)
            template.mkdir()
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
                cwd=ROOT,
                env=_environment(template),
                check=True,
                timeout=600,
            )
            (template / "done").touch()
    return template


def copy_migrated(template: Path, var_dir: Path) -> None:
    """Put a copy of the migrated database (and the secret key it was made with) into var_dir."""
    var_dir.mkdir(parents=True, exist_ok=True)
    # The backup API copies what the write-ahead log still holds, too.
    with (
        sqlite3.connect(template / DATABASE) as source,
        sqlite3.connect(var_dir / DATABASE) as target,
    ):
        source.backup(target)
    source.close()
    target.close()
    if (template / "secret_key").exists():
        shutil.copy2(template / "secret_key", var_dir / "secret_key")


@pytest.fixture
def migrated_var_dir(migrated_template: Path, tmp_path: Path) -> Path:
    """tmp_path holding a migrated database as var directory (THEKE_VAR_DIR)."""
    copy_migrated(migrated_template, tmp_path)
    return tmp_path
