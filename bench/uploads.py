#!/usr/bin/env python
"""Photo uploads: the peak memory of a worker process taking ten large uploads at once.

Ten threads each push three files through the image pipeline the photo upload uses
(theke.estimates.services.photos.process_photo: the check, the decode and the three stored
sizes; no database): the 11000 × 11000 PNG of the incident (~350 KB of zeros, 121
megapixels: refused from its header), a 24-megapixel camera JPEG (6000 × 4000) and a
36-megapixel PNG (6000 × 6000, just under the 40-megapixel limit: the largest decode allowed).

Baseline measured in the same run, on the same files: the code before the pipeline (Pillow
opens, verifies and fully decodes, then turns and shrinks to 1600 px, as
estimates/services/photos.py did), once with one upload at a time and once with ten threads
at once. That one runs with its address space capped (--naive-cap-mb, default 4096), so it
cannot take the machine with it; uploads it could not fit count as failed and its peak is a
lower bound then.

Importing Theke sets glibc's mmap threshold (theke.core.images), so the baseline processes
have it too: the "before" figures are, if anything, lower than the old code's in production.

Each measurement runs in a fresh process (Django set up, the files read) and reports its
RSS high-water mark (VmHWM of /proc/self/status): idle before the uploads, and peak.

    .venv/bin/python -P bench/uploads.py [--threads 10] [--naive-cap-mb 4096]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILES = ("huge-11000x11000.png", "camera-24mp.jpg", "large-36mp.png")
TARGET_MB = 300


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=10, help="uploads at once")
    parser.add_argument(
        "--naive-cap-mb", type=int, default=4096, help="address space of the baseline at once"
    )
    parser.add_argument("--measure", choices=["pipeline", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--inputs", help=argparse.SUPPRESS)
    parser.add_argument("--cap-mb", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args()


# --- the files ------------------------------------------------------------------------------


def huge_png(width: int = 11000, height: int = 11000) -> bytes:
    """A valid RGB PNG of zeros: ~350 KB that inflate to 363 MB of rows."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + 3 * width)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def camera_jpeg() -> bytes:
    """6000 × 4000, a gradient with fine noise: about the size of a phone's 24 MP JPEG."""
    from PIL import Image

    size = (6000, 4000)
    red = Image.linear_gradient("L").resize(size)
    green = Image.linear_gradient("L").rotate(90).resize(size)
    blue = Image.effect_noise(size, 24)
    picture = Image.merge("RGB", (red, green, blue))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=88)
    return out.getvalue()


def large_png() -> bytes:
    """6000 × 6000 with smooth areas (a scan or a rendering): within the upload limit."""
    from PIL import Image, ImageDraw

    size = (6000, 6000)
    picture = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize(size),
            Image.radial_gradient("L").resize(size),
            Image.linear_gradient("L").rotate(90).resize(size),
        ),
    )
    draw = ImageDraw.Draw(picture)
    for offset in range(0, 6000, 150):
        draw.line([(offset, 0), (6000 - offset, 6000)], fill=(255, 255, 255), width=6)
    out = io.BytesIO()
    picture.save(out, "PNG", compress_level=1)
    return out.getvalue()


def write_inputs(directory: Path) -> dict[str, int]:
    sizes = {}
    for name, make in zip(FILES, (huge_png, camera_jpeg, large_png), strict=True):
        data = make()
        (directory / name).write_bytes(data)
        sizes[name] = len(data)
    return sizes


# --- one measurement (a fresh process) ------------------------------------------------------


def rss_mb() -> float:
    """The process's RSS high-water mark. /proc's VmHWM starts afresh with the program;
    getrusage's ru_maxrss (elsewhere) keeps the parent's from before the exec."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for row in status.splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive_preview(data: bytes) -> bytes:
    """What the code before the pipeline did with an upload (core/files.py's check, then
    estimates/services/photos.py's preview): full decode, turned copy, 1600 px JPEG."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as checked:
        checked.verify()
    with Image.open(io.BytesIO(data)) as original:
        image = ImageOps.exif_transpose(original)
        assert image is not None
        image.thumbnail((1600, 1600))
        if image.mode != "RGB":
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82, optimize=True, progressive=True)
        return out.getvalue()


def measure(kind: str, inputs: Path, threads: int, cap_mb: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "theke.settings")
    import django

    django.setup()
    refusal: type[Exception] = LookupError  # none: the code before refused nothing itself
    if kind == "pipeline":
        from theke.core.images import ImageError
        from theke.estimates.services.photos import process_photo

        refusal = ImageError
    files = [(inputs / name).read_bytes() for name in FILES]
    idle = rss_mb()
    if cap_mb:
        cap = cap_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    outcome = {"stored": 0, "refused": 0, "failed": 0}
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def upload() -> None:
        start.wait()
        for data in files:
            try:
                if kind == "pipeline":
                    process_photo(data)
                else:
                    naive_preview(data)
                result = "stored"
            except refusal:
                result = "refused"
            except (MemoryError, OSError, ValueError):
                result = "failed"
            with lock:
                outcome[result] += 1

    warnings.simplefilter("ignore")  # Pillow's DecompressionBombWarning for the naive code
    began = time.perf_counter()
    workers = [threading.Thread(target=upload) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {
        "idle": idle,
        "peak": rss_mb(),
        "seconds": time.perf_counter() - began,
        **outcome,
    }


def run(kind: str, inputs: Path, threads: int, cap_mb: int = 0) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", kind, "--inputs", str(inputs)]
    command += ["--threads", str(threads), "--cap-mb", str(cap_mb)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["killed"])[-1]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def line(label: str, result: dict[str, Any]) -> str:
    if "error" in result:
        return f"  {label:<44} failed: {result['error']}"
    counts = f"{result['stored']} stored, {result['refused']} refused"
    if result["failed"]:
        counts += f", {result['failed']} failed"
    return (
        f"  {label:<44} peak {result['peak']:7.0f} MB   (idle {result['idle']:4.0f} MB)   "
        f"{result['seconds']:5.1f} s   {counts}"
    )


def main() -> None:
    args = parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, Path(args.inputs), args.threads, args.cap_mb)))
        return
    os.environ.setdefault("THEKE_VAR_DIR", tempfile.mkdtemp(prefix="theke-bench-"))
    with tempfile.TemporaryDirectory(prefix="theke-uploads-") as directory:
        inputs = Path(directory)
        began = time.perf_counter()
        sizes = write_inputs(inputs)
        files = ", ".join(f"{name} {size / 1024:,.0f} KB" for name, size in sizes.items())
        print(
            f"uploads: {args.threads} threads × 3 files ({files}), {os.cpu_count()} CPUs, "
            f"load {os.getloadavg()[0]:.1f} (setup {time.perf_counter() - began:.1f} s)"
        )
        naive_one = run("naive", inputs, 1)
        naive_all = run("naive", inputs, args.threads, args.naive_cap_mb)
        pipeline = run("pipeline", inputs, args.threads)
    print(line("before: one upload at a time (baseline)", naive_one))
    capped = f"{args.threads} at once, ≤ {args.naive_cap_mb} MB address space"
    print(line(f"before: {capped}", naive_all))
    print(line(f"pipeline: {args.threads} at once", pipeline))
    if "error" not in pipeline and "error" not in naive_one:
        ratio = pipeline["peak"] / naive_one["peak"]
        verdict = "within" if pipeline["peak"] < TARGET_MB else "ABOVE"
        extra = ""
        if "error" not in naive_all:
            extra = f", {pipeline['peak'] / naive_all['peak']:.2f} of the ten at once before"
        print(
            f"  pipeline peak {pipeline['peak']:.0f} MB ({verdict} the target < {TARGET_MB} MB): "
            f"{ratio:.2f} of one upload before{extra}"
        )


if __name__ == "__main__":
    main()
