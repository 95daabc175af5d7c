"""Server-rendered SVG charts: columns for months, horizontal bars for categories.

Pure markup, no JavaScript, no third-party requests (and no inline CSS, which the content
security policy would refuse): every size and colour is an SVG presentation attribute. A
chart scales to its container (`viewBox`, `width="100%"`), so it reads on a 390 px phone.
It is one image for assistive technology (`role="img"` named by its <title> and <desc>);
every bar has its own <title> (a tooltip on hover) and carries its value in `data-value`,
which is what a test reads to compare the drawing with the CSV of the same numbers.

The caller formats: a bar brings its short label (under a column), its full label (tooltip)
and its value's text (written at the bar) in the user's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH = 360  # viewBox units: about CSS pixels on a phone's content column
FONT = 12
CHAR = 6.6  # the average advance of a character at FONT, for fitting labels
TEXT = "#212529"  # 15:1 on white
AXIS = "#6c757d"
BAR = "#1f5f9e"  # 6.6:1 on white: bars are graphics that must stand out (3:1)


@dataclass(frozen=True)
class Bar:
    key: str  # stable label, as in the CSV ("2026-01", a location's name)
    label: str  # short label drawn at the bar ("Jan"; "\n" starts a second line)
    title: str  # full label for the tooltip ("Januar 2026")
    value: Decimal
    text: str  # the value as written ("1.234,50 €")


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    """A coordinate with at most one decimal: short markup, exact enough."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _scale(bars: Sequence[Bar], length: float) -> list[float]:
    top = max((bar.value for bar in bars), default=Decimal(0))
    if top <= 0:
        return [0.0 for _ in bars]
    return [float(max(bar.value, Decimal(0)) / top) * length for bar in bars]


def _open(uid: str, height: float, title: str, desc: str, section: str, color: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{_attr(uid)}" '
        f'viewBox="0 0 {WIDTH} {_num(height)}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{_attr(uid)}-title {_attr(uid)}-desc" '
        f'data-section="{_attr(section)}" font-family="system-ui, sans-serif" '
        f'font-size="{FONT}" fill="{TEXT}">'
        f'<title id="{_attr(uid)}-title">{escape(title)}</title>'
        f'<desc id="{_attr(uid)}-desc">{escape(desc)}</desc>'
        f'<g fill="{_attr(color)}">'
    )


def _bar(x: float, y: float, width: float, height: float, bar: Bar) -> str:
    # A zero still gets a hairline so the month is visibly there (and carries its value).
    return (
        f'<rect class="bar" x="{_num(x)}" y="{_num(y)}" width="{_num(width)}" '
        f'height="{_num(height)}" data-key="{_attr(bar.key)}" '
        f'data-value="{_attr(bar.value)}">'
        f"<title>{escape(bar.title)}: {escape(bar.text)}</title></rect>"
    )


def column_chart(
    uid: str, bars: Sequence[Bar], *, title: str, desc: str, section: str, color: str = BAR
) -> str:
    """Vertical columns, one per bar (months), the value above each, the label below."""
    count = max(len(bars), 1)
    slot = WIDTH / count
    longest = max((len(bar.text) for bar in bars), default=1) * CHAR
    # Values too wide for their column stand upright above it.
    upright = longest > slot - 2
    headroom = (longest + 6) if upright else FONT + 6
    plot = 120.0
    base = headroom + plot
    height = base + 2 * FONT + 10
    heights = _scale(bars, plot)
    parts = [_open(uid, height, title, desc, section, color)]
    labels = []
    for index, (bar, size) in enumerate(zip(bars, heights, strict=True)):
        x = index * slot
        width = slot * 0.7
        left = x + (slot - width) / 2
        middle = x + slot / 2
        drawn = max(size, 1.0)
        parts.append(_bar(left, base - drawn, width, drawn, bar))
        top = base - drawn - 4
        if upright:
            labels.append(
                f'<text x="{_num(middle + FONT / 3)}" y="{_num(top)}" '
                f'transform="rotate(-90 {_num(middle + FONT / 3)} {_num(top)})" '
                f'aria-hidden="true">{escape(bar.text)}</text>'
            )
        else:
            labels.append(
                f'<text x="{_num(middle)}" y="{_num(top)}" text-anchor="middle" '
                f'aria-hidden="true">{escape(bar.text)}</text>'
            )
        for line, text in enumerate(bar.label.split("\n")):
            labels.append(
                f'<text x="{_num(middle)}" y="{_num(base + FONT + 4 + line * (FONT + 2))}" '
                f'text-anchor="middle" aria-hidden="true">{escape(text)}</text>'
            )
    parts.append("</g>")
    parts.append(
        f'<line x1="0" y1="{_num(base + 0.5)}" x2="{WIDTH}" y2="{_num(base + 0.5)}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    )
    parts.extend(labels)
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    uid: str, bars: Sequence[Bar], *, title: str, desc: str, section: str, color: str = BAR
) -> str:
    """Horizontal bars, one row per bar (categories): the label above, the value after it."""
    row = FONT + 26.0
    longest = max((len(bar.text) for bar in bars), default=1) * CHAR
    length = WIDTH - longest - 8
    height = max(len(bars), 1) * row + 4
    widths = _scale(bars, length)
    max_chars = int(WIDTH / CHAR)
    parts = [_open(uid, height, title, desc, section, color)]
    labels = []
    for index, (bar, size) in enumerate(zip(bars, widths, strict=True)):
        y = index * row
        label = bar.label if len(bar.label) <= max_chars else bar.label[: max_chars - 1] + "…"
        labels.append(f'<text x="0" y="{_num(y + FONT)}" aria-hidden="true">{escape(label)}</text>')
        parts.append(_bar(0, y + FONT + 5, max(size, 1.0), 14, bar))
        labels.append(
            f'<text x="{_num(max(size, 1.0) + 5)}" y="{_num(y + FONT + 16)}" '
            f'aria-hidden="true">{escape(bar.text)}</text>'
        )
    parts.append("</g>")
    parts.extend(labels)
    parts.append("</svg>")
    return "".join(parts)
