"""A process's start-up loads no library it needs only for a rare piece of work."""

import subprocess
import sys

from theke.core.tests.test_worker import ROOT, theke_env

START = (
    "import sys, django; django.setup(); "
    "from django.urls import get_resolver; get_resolver().url_patterns; "
    "print(' '.join(sorted(m for m in ('fpdf', 'fontTools') if m in sys.modules)))"
)


def test_starting_theke_does_not_load_fpdf(tmp_path):
    """fpdf2 and fontTools take seconds to import: only a process that writes a PDF loads
    them (core.pdf.new_letter), not the web server, the worker or the mail gate."""
    result = subprocess.run(
        [sys.executable, "-c", START],
        cwd=ROOT,
        env=theke_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == ""
