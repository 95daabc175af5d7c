"""Two web processes share the counter of unknown tokens (the default configuration).

Real processes, a real database file and real HTTP: with a per-process cache, a guesser
would get twice the attempts by alternating between two workers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from theke.core import token_pages

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"server ended: {output}")
        try:
            requests.get(url, timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise TimeoutError(url)


@pytest.fixture
def two_servers(migrated_var_dir: Path) -> Iterator[list[str]]:
    """Two `runserver` processes on one fresh SQLite database, with the default settings."""
    tmp_path = migrated_var_dir
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("THEKE_") and not key.startswith("DJANGO_")
    }
    env.update(THEKE_VAR_DIR=str(tmp_path), THEKE_DEBUG="true", PYTHONPATH=str(ROOT))
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    processes = []
    urls = []
    try:
        for _ in range(2):
            port = free_port()
            process = subprocess.Popen(
                [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            processes.append(process)
            urls.append(f"http://127.0.0.1:{port}")
            wait_until_serving(urls[-1] + "/static/theke/favicon.svg", process)
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def test_the_token_throttle_counts_across_two_web_processes(two_servers: list[str]) -> None:
    first, second = two_servers
    statuses = []
    for number in range(token_pages.INVALID_LIMIT):
        server = first if number % 2 else second
        statuses.append(requests.get(f"{server}/k/guess{number:027d}/", timeout=10).status_code)
    assert statuses == [404] * token_pages.INVALID_LIMIT
    # Each process saw only half of the guesses; together they are over the limit.
    assert requests.get(f"{first}/k/{'v' * 32}/", timeout=5).status_code == 429
    assert requests.get(f"{second}/k/{'v' * 32}/", timeout=5).status_code == 429
