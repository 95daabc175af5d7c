"""`agent_demo` talks to the port `make run` serves on (var/serve.json), or says which --url
to pass; the base URL's host is an allowed host (a phone on the LAN opens the links)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from theke.core import serving
from theke.core.management.commands import serve


class FakeManager:
    """Stands in for honcho: records what `serve` published while it "ran"."""

    seen: dict[str, Any] | None = None

    def __init__(self) -> None:
        self.returncode = 0

    def add_process(self, name: str, command: str) -> None:
        pass

    def loop(self) -> None:
        FakeManager.seen = json.loads(serving.serve_file().read_text())


def test_serve_announces_its_port_while_it_runs(monkeypatch: Any) -> None:
    monkeypatch.setattr(serve, "Manager", FakeManager)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("serve", "--host", "0.0.0.0", "--port", "8123", stdout=out)  # noqa: S104
    assert FakeManager.seen is not None
    assert FakeManager.seen["port"] == 8123 and FakeManager.seen["pid"] == os.getpid()
    assert "http://127.0.0.1:8123" in out.getvalue()
    # The base URL is this machine's own: the output says how a phone gets to the links.
    assert "make run HOST=0.0.0.0 THEKE_BASE_URL=http://" in out.getvalue()
    assert not serving.serve_file().exists(), "removed when the server stops"


def test_agent_demo_uses_the_port_make_run_serves_on(tenant_a: Any) -> None:
    # Port 9 (discard) answers nothing: the error names the address the agent tried.
    with (
        serving.announce("0.0.0.0", 9),  # noqa: S104 - a name, nothing binds
        pytest.raises(CommandError, match=r"not reachable at http://127\.0\.0\.1:9\b"),
    ):
        call_command("agent_demo", "--tenant", "alpha", stdout=StringIO())


def test_agent_demo_without_a_running_theke_says_which_url_to_pass(tenant_a: Any) -> None:
    with pytest.raises(CommandError, match="--url http://"):
        call_command("agent_demo", "--tenant", "alpha", stdout=StringIO())


def test_a_file_left_by_a_killed_server_counts_as_not_running() -> None:
    path = serving.serve_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    entry = {"host": "127.0.0.1", "port": 8123, "base_url": "", "pid": int(dead.stdout)}
    path.write_text(json.dumps(entry))
    assert serving.running() is None


def test_the_base_url_host_is_allowed() -> None:
    script = "from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "theke.settings",
        "THEKE_BASE_URL": "http://192.168.178.20:8000",
        "THEKE_VAR_DIR": str(settings.VAR_DIR),
    }
    env.pop("THEKE_ALLOWED_HOSTS", None)
    hosts = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
    ).stdout
    assert "'192.168.178.20'" in hosts and "'127.0.0.1'" in hosts
