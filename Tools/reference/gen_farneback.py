"""Farneback optical flow fixture: two textured 8-bit frames and OpenCV's calcOpticalFlowFarneback
flow between them, for FarnebackFlow's agreement test (Tests/XADImageTests/MotionFarnebackTests.swift).

The first frame is Gaussian-filtered noise; the second shows it rotated by 2 degrees about the
centre and shifted by (1.6, -0.7) pixels (cubic interpolation), so the motion varies over the frame
(about 2 to 3 pixels). 80 x 64 pixels: OpenCV builds 2 pyramid levels (it stops above 32 pixels).

Writes Tests/Fixtures/flow/farneback_reference.json: `previous`, `next` (uint8 values as floats,
[64, 80]) and one flow per setting (`flow_<name>`, [64, 80, 2], (u, v) per pixel), with the
settings under `settings`. Needs numpy, scipy and opencv-python (cv2 5.1).
"""
import cv2
import numpy as np
from scipy import ndimage as ndi

from fixtures import write

rng = np.random.default_rng(7)
height, width = 64, 80
noise = ndi.gaussian_filter(rng.random((height + 40, width + 40)), 2.0)
noise = (noise - noise.min()) / (noise.max() - noise.min())
ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
first = noise[20:20 + height, 20:20 + width]
angle = np.deg2rad(2.0)
cy, cx = (height - 1) / 2, (width - 1) / 2
# The second frame at p shows what the first had at R^-1 (p - c - t) + c.
dx, dy = xs - cx - 1.6, ys - cy + 0.7
source_x = np.cos(angle) * dx + np.sin(angle) * dy + cx + 20
source_y = -np.sin(angle) * dx + np.cos(angle) * dy + cy + 20
second = ndi.map_coordinates(noise, [source_y, source_x], order=3, mode="nearest")
previous = np.round(first * 255).astype(np.uint8)
following = np.round(np.clip(second, 0, 1) * 255).astype(np.uint8)

# (pyr_scale, levels, winsize, iterations, poly_n, poly_sigma, flags): the detector's prototype
# setting (box window), and a Gaussian window with the 7-pixel expansion.
settings = {
    "box_n5": (0.5, 3, 15, 3, 5, 1.2, 0),
    "gaussian_n7": (0.5, 3, 13, 4, 7, 1.5, cv2.OPTFLOW_FARNEBACK_GAUSSIAN),
}


def compact(array, digits):
    """A {"shape", "data"} tensor entry rounded to `digits` decimals (keeps the fixture small)."""
    values = [round(float(v), digits) for v in np.asarray(array).reshape(-1)]
    return {"shape": list(np.shape(array)), "data": [int(v) if digits == 0 else v for v in values]}


entries = {"previous": compact(previous, 0), "next": compact(following, 0)}
for name, (scale, levels, window, iterations, n, sigma, flags) in settings.items():
    flow = cv2.calcOpticalFlowFarneback(previous, following, None, scale, levels, window, iterations, n, sigma, flags)
    entries[f"flow_{name}"] = compact(flow, 4)
entries["settings"] = {name: {"pyramidScale": s[0], "levels": s[1], "windowSize": s[2], "iterations": s[3],
                              "polynomialRadius": s[4], "polynomialSigma": s[5], "gaussianWindow": bool(s[6])}
                       for name, s in settings.items()}
write("flow", "farneback_reference", entries)
