from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from theke.core.tests.shared_rows import shared_rows


@pytest.fixture(autouse=True)
def files_in_tmp(request: pytest.FixtureRequest, tmp_path: Any) -> None:
    """Photos, inbound mail and var/serve.json of a test stay in its own directory (the tests
    reading the module's seeded demo use the demo's directory, see demo_rows)."""
    if "demo_rows" in request.fixturenames:
        return
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture(scope="module")
def demo_rows(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """`seed_demo` run once for the module's tests that read the demo: each of them runs in
    its own transaction inside the seeded one (theke/core/tests/shared_rows.py). Yields the
    directory of the demo's files."""
    directory = tmp_path_factory.mktemp("demo")

    def seed() -> Path:
        call_command("seed_demo", stdout=StringIO())
        return directory

    with override_settings(MEDIA_ROOT=directory / "media", VAR_DIR=directory / "var"):
        yield from shared_rows(django_db_blocker, "demo_rows", seed)


@pytest.fixture
def seeded(demo_rows: Path, db: None) -> Path:
    """The demo as `seed_demo` leaves it in an empty database (shared by the module)."""
    return demo_rows
