"""Small generated defect photos for the demo (seed_demo and agent_demo): no files shipped."""

from __future__ import annotations

import io
import zlib

from PIL import Image, ImageDraw


def demo_photo(caption: str, size: tuple[int, int] = (640, 480)) -> bytes:
    """A PNG of a worn part (a disc with scores) with the caption; the colours follow the
    caption, so the photos of one estimate differ."""
    width, height = size
    tint = zlib.crc32(caption.encode()) % 60
    image = Image.new("RGB", size, (60 + tint, 64 + tint // 2, 72))
    draw = ImageDraw.Draw(image)
    cx, cy, r = width // 2, height // 2 - 10, min(width, height) // 3
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(200, 200, 205), width=18)
    draw.ellipse((cx - r // 4, cy - r // 4, cx + r // 4, cy + r // 4), fill=(40, 40, 45))
    for offset in range(0, 60, 12):
        box = (
            cx - r + 30 + offset,
            cy - r + 30 + offset,
            cx + r - 30 - offset,
            cy + r - 30 - offset,
        )
        draw.arc(box, 20 + tint, 140 + tint, (150 + tint, 90, 60), 3)
    draw.text((20, height - 30), caption, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
