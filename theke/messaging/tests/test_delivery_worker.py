"""The worker process: killed in the middle of sending, the message is neither lost nor doubled;
the sweeper and the huey periodic task are wired up."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from theke.core.tests.test_worker import ROOT, theke_env

from .conftest import SmtpPeer


def run_script(command: str, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "theke.messaging.tests.outbox_script", command, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def test_worker_killed_while_sending_loses_nothing_and_sends_once(migrated_var_dir):
    tmp_path = migrated_var_dir  # the worker's database, migrated
    peer = SmtpPeer().start()
    peer.recorder.block_next = True  # the first DATA hangs until the worker is dead
    env = theke_env(
        tmp_path,
        THEKE_EMAIL_BACKEND="smtp",
        THEKE_EMAIL_HOST="127.0.0.1",
        THEKE_EMAIL_PORT=str(peer.port),
        THEKE_OUTBOX_LEASE_SECONDS="3",
        THEKE_OUTBOX_SWEEP_SECONDS="1",
        THEKE_QUEUE_NAME=f"theke-test-{uuid.uuid4().hex}",
    )
    log = tmp_path / "worker.log"
    second = None
    try:
        message_id = int(run_script("setup", env))

        first = start_worker(env, log)
        assert peer.recorder.arrived.wait(60), log.read_text()
        os.kill(first.pid, signal.SIGKILL)  # in the middle of sending
        first.wait(timeout=10)
        peer.recorder.release.set()

        [row] = read_outbox(tmp_path)
        assert row["id"] == message_id
        assert row["status"] == "sending"
        assert row["attempts"] == 1
        assert peer.recorder.envelopes == []

        # Another worker takes the message over once the dead worker's lease has run out.
        second = start_worker(env, log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if peer.recorder.envelopes and read_outbox(tmp_path)[0]["status"] == "sent":
                break
            time.sleep(0.5)
        time.sleep(1.5)  # a sweep or two more: nothing may go out again

        rows = read_outbox(tmp_path)
        assert len(rows) == 1, rows
        assert rows[0]["status"] == "sent", (rows, log.read_text())
        assert rows[0]["attempts"] == 2
        assert len(peer.recorder.envelopes) == 1
        assert peer.messages[0]["Message-ID"] == rows[0]["provider_id"]
    finally:
        peer.recorder.release.set()
        if second is not None:
            second.send_signal(signal.SIGINT)
            try:
                second.wait(timeout=15)
            except subprocess.TimeoutExpired:
                second.kill()
        peer.stop()


def read_outbox(var_dir: Path) -> list[dict[str, Any]]:
    """The worker's outbox rows, read straight from its SQLite file (a script run with
    Django's start-up would take seconds on a busy machine)."""
    from theke.messaging.models import OutboundMessage

    table = OutboundMessage._meta.db_table
    with contextlib.closing(sqlite3.connect(var_dir / "theke.sqlite3", timeout=10)) as db:
        db.row_factory = sqlite3.Row
        query = f"SELECT id, status, attempts, provider_id FROM {table} ORDER BY id"  # noqa: S608
        return [dict(row) for row in db.execute(query)]


def stop(worker: subprocess.Popen[bytes] | None) -> None:
    if worker is None:
        return
    worker.send_signal(signal.SIGINT)
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()


def test_worker_killed_mid_batch_repeats_at_most_the_message_in_flight(migrated_var_dir):
    """SIGKILL while a batch of 60 e-mails goes out, then a new worker: nothing lost, at most
    one e-mail twice (each message is marked sent right after its own SMTP transaction)."""
    tmp_path = migrated_var_dir  # the worker's database, migrated
    peer = SmtpPeer().start()
    peer.recorder.data_seconds = 0.03  # a batch takes about two seconds
    env = theke_env(
        tmp_path,
        THEKE_EMAIL_BACKEND="smtp",
        THEKE_EMAIL_HOST="127.0.0.1",
        THEKE_EMAIL_PORT=str(peer.port),
        THEKE_OUTBOX_LEASE_SECONDS="3",
        THEKE_OUTBOX_SWEEP_SECONDS="1",
        THEKE_QUEUE_NAME=f"theke-test-{uuid.uuid4().hex}",
    )
    log = tmp_path / "worker.log"
    second = None
    try:
        assert run_script("setup", env, "60") == "60"
        first = start_worker(env, log)
        deadline = time.monotonic() + 60
        while len(peer.recorder.envelopes) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)  # in the middle of the batch
        first.wait(timeout=10)
        received_before_kill = len(peer.recorder.envelopes)
        assert 20 <= received_before_kill < 60, log.read_text()
        marked = [row for row in read_outbox(tmp_path) if row["status"] == "sent"]
        assert len(marked) >= received_before_kill - 1

        second = start_worker(env, log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(row["status"] == "sent" for row in read_outbox(tmp_path)):
                break
            time.sleep(0.2)
        time.sleep(1.5)  # a sweep or two more: nothing may go out again

        rows = read_outbox(tmp_path)
        assert len(rows) == 60
        assert {row["status"] for row in rows} == {"sent"}, log.read_text()
        received = Counter(message["Message-ID"] for message in peer.messages)
        lost = {row["provider_id"] for row in rows} - set(received)
        duplicates = sum(count - 1 for count in received.values())
        assert lost == set()
        assert duplicates <= 1, received.most_common(3)
    finally:
        stop(second)
        peer.stop()


def test_huey_runs_the_outbox_sweep_as_a_periodic_task(settings, tmp_path):
    settings.HUEY_SQLITE_PATH = tmp_path / "huey.sqlite3"
    from theke.core import tasks_backend

    tasks_backend.get_huey.cache_clear()
    tasks_backend._huey_runner.cache_clear()
    tasks_backend._periodic_tasks.cache_clear()
    try:
        huey = tasks_backend.register_huey_tasks()
        names = {task.name for task in huey._registry.periodic_tasks}
        assert "theke.sweep_outbox" in names
    finally:
        tasks_backend.get_huey.cache_clear()
        tasks_backend._huey_runner.cache_clear()
        tasks_backend._periodic_tasks.cache_clear()


# The sweeper closes stale connections, as a worker thread must: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_the_sweeper_thread_delivers_due_messages(smtp_peer, tenant_a, monkeypatch):
    from theke.core.management.commands.run_worker import OutboxSweeper
    from theke.messaging.services import outbox
    from theke.messaging.services.outbox import queue_message
    from theke.tenants.scoping import tenant_scope

    monkeypatch.setattr(outbox, "_kick_worker", lambda message_id: None)

    with tenant_scope(tenant_a):
        queue_message(
            tenant_a,
            channel="email",
            purpose="test",
            recipient="klara@kunde.test",
            dedupe_key="sweep",
            subject="Hallo",
            text="Hallo",
        )
    OutboxSweeper(interval=30).sweep()
    assert len(smtp_peer.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_sweep_is_logged_and_the_sweeper_lives_on(monkeypatch, caplog):
    from theke.core.management.commands.run_worker import OutboxSweeper
    from theke.messaging.services import delivery

    def broken(limit: int | None = None) -> int:
        raise RuntimeError("database gone")

    monkeypatch.setattr(delivery, "deliver_due", broken)
    OutboxSweeper(interval=30).sweep()
    assert "outbox sweep failed" in caplog.text
