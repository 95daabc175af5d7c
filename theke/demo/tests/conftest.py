from typing import Any

import pytest


@pytest.fixture(autouse=True)
def files_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Photos, inbound mail and var/serve.json of a test stay in its own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
