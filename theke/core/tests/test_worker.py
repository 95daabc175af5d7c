"""The worker: tasks enqueued with the django.tasks API run in `manage.py run_worker`."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.tasks import task

ROOT = Path(__file__).resolve().parents[3]


@task
def write_marker(path: str, text: str) -> None:
    """Test task: proves the worker process ran it."""
    Path(path).write_text(text, encoding="utf-8")


def theke_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THEKE_")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update({"THEKE_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "theke.settings"})
    env.update(extra)
    return env


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_enqueued_task_runs_in_the_worker_process(tmp_path, queue):
    extra = {"THEKE_QUEUE_NAME": f"theke-test-{uuid.uuid4().hex}"}
    if queue == "redis":
        extra["THEKE_REDIS_URL"] = "redis://127.0.0.1:6379/15"
    env = theke_env(tmp_path, **extra)
    marker = tmp_path / "marker.txt"
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        enqueue = (
            "from theke.core.tests.test_worker import write_marker; "
            f"write_marker.enqueue({str(marker)!r}, 'ran in worker')"
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", enqueue],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        # Generous: on a loaded CI machine (two test workers, browsers) the worker process
        # may need long to boot Django and take its first task.
        deadline = time.monotonic() + 90
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.read_text(encoding="utf-8") == "ran in worker"
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
