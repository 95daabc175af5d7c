"""Read a PDF back for tests: each text run with its position in mm from the top left."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdf

MM_PER_POINT = 25.4 / 72


@dataclass(frozen=True)
class Run:
    text: str
    x: float  # mm from the left edge
    y: float  # mm from the top edge (of the baseline)


def pages(pdf: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def runs(page: pypdf.PageObject) -> list[Run]:
    """The page's text runs with their start positions (pypdf's text visitor)."""
    height = float(page.mediabox.height) * MM_PER_POINT
    found: list[Run] = []

    def visit(text: str, cm: list[float], tm: list[float], *_args: object) -> None:
        if not text.strip():
            return
        # The text matrix's origin mapped through the current transformation matrix.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        found.append(Run(text.strip(), x * MM_PER_POINT, height - y * MM_PER_POINT))

    page.extract_text(visitor_text=visit)
    return found


def find(page: pypdf.PageObject, text: str) -> Run:
    """The first run containing `text`; fails the test when there is none."""
    found = [run for run in runs(page) if text in run.text]
    assert found, f"{text!r} not on the page: {[run.text for run in runs(page)]}"
    return found[0]


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pages(pdf))
