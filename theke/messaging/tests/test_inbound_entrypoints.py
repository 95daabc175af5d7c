"""The ways in: `mailgate` (stdin, also as a real subprocess) and `fetch_mail` against a real
IMAP server (pymap, pure Python, started by the test)."""

from __future__ import annotations

import io
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django_scopes import scopes_disabled
from imap_tools import AND, MailBoxUnencrypted

from theke.messaging.management.commands import fetch_mail, mailgate
from theke.messaging.models import ConversationMessage, InboundEmail, InboundStatus
from theke.messaging.services import conversations
from theke.messaging.tests.conftest import free_port
from theke.messaging.tests.mailtools import Thread, mail, make_thread

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def thread(tenant_a: Any, media_root: Any) -> Thread:
    return make_thread(tenant_a)


def rows() -> list[InboundEmail]:
    with scopes_disabled():
        return list(InboundEmail.objects.order_by("id"))


# --- mailgate ------------------------------------------------------------------------------


def test_mailgate_files_a_reply_from_stdin(thread):
    reply = mail(to=conversations.reply_address(thread.conversation), text="Passt!")
    out = io.StringIO()
    call_command("mailgate", stdin=io.BytesIO(reply.as_bytes()), stdout=out)
    [row] = rows()
    assert row.source == "mailgate"
    assert row.status == InboundStatus.PROCESSED
    assert out.getvalue().strip() == f"mailgate: stored as #{row.pk}: processed"
    with scopes_disabled():
        assert ConversationMessage.objects.get().body == "Passt!"


def test_mailgate_exits_0_when_the_mail_is_quarantined(db, media_root):
    out = io.StringIO()
    call_command("mailgate", stdin=io.BytesIO(b"\x00\x01 not a mail"), stdout=out)
    assert rows()[0].status == InboundStatus.QUARANTINED
    assert "quarantined" in out.getvalue()


def test_mailgate_exits_75_when_the_database_is_unavailable(
    db, media_root, monkeypatch: pytest.MonkeyPatch
):
    def database_down(raw: bytes, source: str) -> Any:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(mailgate, "receive_email", database_down)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("mailgate", stdin=io.BytesIO(b"Subject: x\n\ny"), stderr=err)
    assert exit_.value.code == mailgate.EX_TEMPFAIL == 75
    assert "try again later" in err.getvalue()


def subprocess_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THEKE_")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update({"THEKE_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "theke.settings"})
    env.update(extra)
    return env


def manage(
    args: list[str], env: dict[str, str], stdin: Any = None, data: bytes | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdin=stdin,
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_mailgate_as_an_mta_pipe_stores_the_mail_in_a_fresh_database(migrated_var_dir):
    tmp_path = migrated_var_dir  # a copy of a newly migrated database: migrate finds it done
    env = subprocess_env(tmp_path)
    assert manage(["migrate", "--no-input", "-v", "0"], env).returncode == 0
    message = mail(to="reply+unbekannt00000000000000000000@reply.theke.localhost")
    eml = tmp_path / "reply.eml"
    eml.write_bytes(message.as_bytes())
    with eml.open("rb") as stdin:  # python manage.py mailgate < reply.eml
        result = manage(["mailgate"], env, stdin=stdin)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "theke.sqlite3") as db:
        status, raw_name, subject = db.execute(
            "SELECT status, raw, subject FROM messaging_inboundemail"
        ).fetchone()
    assert (status, subject) == ("quarantined", "Re: Reparatur Sprinter B-AB 123")
    assert (tmp_path / "media" / raw_name).read_bytes() == message.as_bytes()


def test_mailgate_as_an_mta_pipe_asks_to_retry_when_the_database_is_down(tmp_path):
    env = subprocess_env(tmp_path, THEKE_DATABASE_URL=f"postgres://x@127.0.0.1:{free_port()}/x")
    result = manage(["mailgate"], env, data=b"Subject: x\n\ny")
    assert result.returncode == 75, result.stderr
    assert not (tmp_path / "media" / "inbound").exists()


# --- fetch_mail against a real IMAP server --------------------------------------------------


@dataclass
class ImapServer:
    port: int
    user: str = "theke"
    password: str = "imap-secret"

    def box(self) -> MailBoxUnencrypted:
        return MailBoxUnencrypted("127.0.0.1", self.port).login(self.user, self.password)

    def deliver(self, *messages: Any) -> None:
        with self.box() as box:
            for message in messages:
                box.append(message.as_bytes(), "INBOX")

    def unseen(self) -> list[str]:
        with self.box() as box:
            return list(box.uids(AND(seen=False)))


@pytest.fixture
def imap_server(settings: Any) -> Iterator[ImapServer]:
    """pymap's in-memory IMAP server on a free local port; settings IMAP_* point to it."""
    executable = Path(sys.executable).with_name("pymap")
    if not executable.exists():
        pytest.skip("pymap is not installed (the dev dependencies bring it)")
    server = ImapServer(free_port())
    process = subprocess.Popen(
        [
            *(str(executable), "--host", "127.0.0.1", "--port", str(server.port), "--no-tls"),
            *("dict", "--demo-user", server.user, "--demo-password", server.password),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        settings.IMAP_HOST = "127.0.0.1"
        settings.IMAP_PORT = server.port
        settings.IMAP_SSL = False
        settings.IMAP_USER = server.user
        settings.IMAP_PASSWORD = server.password
        settings.IMAP_FOLDER = "INBOX"
        already = server.unseen()  # pymap may start with demo mail: mark it seen
        if already:
            with server.box() as box:
                box.flag(already, "\\Seen", True)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_fetch_mail_once_stores_every_unseen_mail_and_marks_it_seen(thread, imap_server):
    reply = mail(to=conversations.reply_address(thread.conversation), text="Per IMAP")
    stray = mail(to="irgendwer@example.net", text="Werbung")
    imap_server.deliver(reply, stray)
    assert len(imap_server.unseen()) == 2
    out = io.StringIO()
    call_command("fetch_mail", "--once", stdout=out)
    assert "2 message(s) stored" in out.getvalue()
    assert [(r.source, r.status) for r in rows()] == [
        ("imap", InboundStatus.PROCESSED),
        ("imap", InboundStatus.QUARANTINED),
    ]
    assert rows()[0].raw.read() == reply.as_bytes().replace(b"\n", b"\r\n")  # as the server sent
    assert imap_server.unseen() == []
    call_command("fetch_mail", "--once", stdout=io.StringIO())
    assert len(rows()) == 2  # nothing fetched twice
    with scopes_disabled():
        assert ConversationMessage.objects.get().body == "Per IMAP"


def test_a_mail_that_could_not_be_stored_stays_unseen(
    thread, imap_server, monkeypatch: pytest.MonkeyPatch
):
    imap_server.deliver(mail(to=conversations.reply_address(thread.conversation)))

    def database_down(raw: bytes, source: str) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(fetch_mail, "receive_email", database_down)
    with pytest.raises(CommandError, match="database is locked"):
        call_command("fetch_mail", "--once", stdout=io.StringIO())
    assert len(imap_server.unseen()) == 1
    monkeypatch.undo()
    call_command("fetch_mail", "--once", stdout=io.StringIO())
    assert imap_server.unseen() == []
    assert [r.status for r in rows()] == [InboundStatus.PROCESSED]


def test_the_polling_loop_survives_a_failed_round(thread, imap_server):
    imap_server.deliver(mail(to=conversations.reply_address(thread.conversation), text="Eins"))
    calls = []

    def flaky_connect() -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionRefusedError("server restarting")
        if len(calls) == 3:
            imap_server.deliver(
                mail(to=conversations.reply_address(thread.conversation), text="Zwei")
            )
        return fetch_mail.connect()

    total = fetch_mail.poll(flaky_connect, interval=0, rounds=3)
    assert total == 2
    with scopes_disabled():
        assert list(ConversationMessage.objects.values_list("body", flat=True)) == [
            "Eins",
            "Zwei",
        ]


def test_the_polling_loop_stops_when_asked(thread, imap_server):
    stop = threading.Event()
    worker = threading.Thread(
        target=fetch_mail.poll, kwargs={"interval": 30, "stop": stop}, daemon=True
    )
    worker.start()
    time.sleep(0.5)
    stop.set()
    worker.join(timeout=5)
    assert not worker.is_alive()


def test_fetch_mail_needs_an_imap_host(settings):
    settings.IMAP_HOST = ""
    with pytest.raises(CommandError, match="IMAP_HOST"):
        call_command("fetch_mail", "--once")
