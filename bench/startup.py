#!/usr/bin/env python
"""How long a new Theke process takes to start: `django.setup()` and the URL configuration
loaded, as the web server, the worker and the mail gate (one process per incoming e-mail)
do before their first piece of work.

Each figure is the wall time of a fresh interpreter (median of `--runs`), so it includes
Python's own start. Printed side by side, measured in the same run:

- *baseline*: `import django` alone: the floor no Theke change can go below;
- *Theke*: `django.setup()` and every URL pattern resolved (`get_resolver().url_patterns`),
  the modules a request needs;
- *Theke with fpdf2*: the same plus `import fpdf`, which Theke loads only in a process that
  writes a PDF (`core.pdf.new_letter`); the difference is what every start would cost if a
  module imported it at the top.

It also prints which of the heaviest libraries a start loads (fpdf must not be among them).

    .venv/bin/python -P bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETUP = (
    "import django; django.setup(); "
    "from django.urls import get_resolver; get_resolver().url_patterns"
)
HEAVY = ("fpdf", "fontTools", "holidays", "icalendar", "pillow_heif", "requests", "phonenumbers")
REPORT = "import sys; print(' '.join(m for m in {heavy!r} if m in sys.modules))"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()


def environment(var_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THEKE_", "DJANGO_"))}
    env.update({"THEKE_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "theke.settings"})
    return env


def run(code: str, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, result.stdout.strip()


def median_seconds(code: str, env: dict[str, str], runs: int) -> float:
    return statistics.median(run(code, env)[0] for _ in range(runs))


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        env = environment(var_dir)
        run(SETUP, env)  # the first start writes the secret key and compiles byte code
        baseline = median_seconds("import django", env, args.runs)
        theke = median_seconds(SETUP, env, args.runs)
        with_fpdf = median_seconds(SETUP + "; import fpdf", env, args.runs)
        _, loaded = run(SETUP + "; " + REPORT.format(heavy=HEAVY), env)
    print(f"process start, median of {args.runs} (wall time, fresh interpreter each):")
    print(f"  baseline: import django          {baseline * 1000:8.0f} ms")
    print(f"  Theke: django.setup() + URLs     {theke * 1000:8.0f} ms")
    print(f"  Theke with fpdf2 at the top      {with_fpdf * 1000:8.0f} ms")
    print(f"  fpdf2 kept out of the start saves {(with_fpdf - theke) * 1000:7.0f} ms per process")
    print(f"  ratio Theke / baseline: {theke / baseline:.1f}")
    print(f"  heavy libraries loaded at start: {loaded or 'none'}")
    if "fpdf" in loaded.split():
        raise SystemExit("fpdf is loaded at start-up: a module imports it at the top")


if __name__ == "__main__":
    main()
