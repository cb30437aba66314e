"""Pillow's decoding speed on the same 1024 x 1024 PNG and JPEG files `xad-benchmarks images` times.

Reads the files that run wrote to $TMPDIR/xad-benchmark-images/; when they are missing, builds the
identical test image (same integer formula as Benchmarks/ImageBenchmarks.swift) and encodes it
with Pillow (PNG default level, JPEG quality 90, 4:2:0), which the result's "source" records.
"""
import io
import pathlib
import tempfile

import numpy as np
from PIL import Image

from timing import cpu_seconds, median_seconds

SIDE = 1024
FOLDER = pathlib.Path(tempfile.gettempdir()) / "xad-benchmark-images"


def test_image(side=SIDE):
    y, x = np.mgrid[0:side, 0:side].astype(np.int64)
    blob = np.maximum(0, 90 - ((x - 512) ** 2 + (y - 400) ** 2) // 1200)
    inside = (x >= 600) & (x < 900) & (y >= 100) & (y < 400)
    checker = np.where(inside & ((x // 32 + y // 48) % 2 == 0), 50, 0)
    planes = []
    for channel in range(3):
        gradient = (x * (channel + 1) + 2 * y) // (8 + 4 * channel)
        hashed = (x * 73856093) ^ (y * 19349663) ^ (channel * 83492791)
        noise = ((hashed & 0xFFFFFFFF) >> 13) % 21 - 10
        planes.append(np.clip(40 + gradient % 160 + blob + checker + noise, 0, 255))
    return np.stack(planes, axis=-1).astype(np.uint8)


def encoded_files():
    png, jpeg = FOLDER / "natural1024.png", FOLDER / "natural1024.jpg"
    if png.exists() and jpeg.exists():
        return png.read_bytes(), jpeg.read_bytes(), "xad-benchmarks files"
    image = Image.fromarray(test_image())
    png_buffer, jpeg_buffer = io.BytesIO(), io.BytesIO()
    image.save(png_buffer, format="PNG")
    image.save(jpeg_buffer, format="JPEG", quality=90)
    return png_buffer.getvalue(), jpeg_buffer.getvalue(), "pillow-encoded"


def decode(data):
    with Image.open(io.BytesIO(data)) as image:
        image.load()


def run():
    png, jpeg, source = encoded_files()
    megapixels = SIDE * SIDE / 1e6
    results = {"source": source}
    for name, data in (("png", png), ("jpeg", jpeg)):
        seconds = median_seconds(lambda: decode(data), repetitions=9)
        results[f"{name}_decode_megapixels_per_s"] = round(megapixels / seconds, 1)
        results[f"{name}_decode_cpu_ms"] = round(cpu_seconds(lambda: decode(data), repetitions=15) * 1000, 2)
        results[f"{name}_bytes"] = len(data)
    return results


if __name__ == "__main__":
    print(run())
