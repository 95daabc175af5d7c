"""Where the running Theke (`make run`, `manage.py serve`) can be reached, for tools beside it.

`serve` writes `var/serve.json` while it runs (its address, port, base URL and process id)
and removes it when it stops; `agent_demo` reads it, so the simulated back office talks to
the port `make run` was started with. A file left by a killed server names a process that
no longer runs and counts as absent.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings

FILE_NAME = "serve.json"

# Addresses that mean "every interface": a client on this machine uses the loopback instead.
ANY_ADDRESS = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104 - names the bind-all addresses


@dataclass(frozen=True)
class Serving:
    host: str
    port: int
    base_url: str
    pid: int

    @property
    def local_url(self) -> str:
        """The URL a client on this machine reaches the server at."""
        host = "127.0.0.1" if self.host in ANY_ADDRESS else self.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"


def serve_file() -> Path:
    return Path(settings.VAR_DIR) / FILE_NAME


@contextlib.contextmanager
def announce(host: str, port: int) -> Iterator[Serving]:
    """Publish where this process serves Theke for as long as the block runs."""
    serving = Serving(host=host, port=port, base_url=settings.BASE_URL, pid=os.getpid())
    path = serve_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(serving), indent=2) + "\n", encoding="utf-8")
    try:
        yield serving
    finally:
        with contextlib.suppress(FileNotFoundError):
            current = json.loads(path.read_text(encoding="utf-8"))
            if current.get("pid") == serving.pid:  # another serve may have taken over
                path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # runs, as another user
        return True
    return True


def running() -> Serving | None:
    """The Theke that `serve` announced and that still runs, else None."""
    try:
        data = json.loads(serve_file().read_text(encoding="utf-8"))
        serving = Serving(
            host=str(data["host"]),
            port=int(data["port"]),
            base_url=str(data["base_url"]),
            pid=int(data["pid"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return serving if _alive(serving.pid) else None


def lan_address() -> str | None:
    """This machine's address in its local network (what a phone beside it reaches), if any.

    Connecting a UDP socket sends nothing; it only makes the system pick the interface."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere real
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address  # noqa: S104
