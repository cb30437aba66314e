"""Video label fixtures: MAT v5 files (scipy.io.savemat, compressed and not), a MNAD-style .npy of
frame labels, and zlib streams (Python's zlib), with the values they hold as JSON.

Writes Tests/Fixtures/video/: labels_plain.mat, labels_compressed.mat, frame_labels.npy,
mat_reference.json, inflate_cases.json. Needs numpy and scipy only.
"""
import base64
import zlib

import numpy as np
import scipy.io

from fixtures import FIXTURES, write

rng = np.random.default_rng(12)
folder = FIXTURES / "video"
folder.mkdir(parents=True, exist_ok=True)

# Avenue-style mask volume: 1 x 4 cell of 6 x 9 masks; frames 2 and 4 (1-based) have an object.
masks = [np.zeros((6, 9), dtype=np.uint8) for _ in range(4)]
masks[1][2:4, 3:7] = 1
masks[3][0, 8] = 1
vol_label = np.empty((1, 4), dtype=object)
for i, mask in enumerate(masks):
    vol_label[0, i] = mask

# Frame-prediction-style ranges: one 2 x K array of [first; last] per clip.
gt = np.empty((1, 3), dtype=object)
gt[0, 0] = np.array([[3], [5]], dtype=np.float64)
gt[0, 1] = np.array([[1, 7], [2, 8]], dtype=np.float64)
gt[0, 2] = np.zeros((2, 0), dtype=np.float64)

variables = {
    "d": rng.normal(size=(3, 4)),
    "s": rng.normal(size=(2, 3)).astype(np.float32),
    "u": rng.integers(0, 256, size=(2, 3, 4)).astype(np.uint8),
    "i": rng.integers(-30000, 30000, size=(1, 5)).astype(np.int16),
    "b": rng.random((3, 2)) > 0.5,
    "volLabel": vol_label,
    "gt": gt,
    "title": "avenue test",
    "info": {"clips": np.array([[21.0]]), "fps": np.array([[25.0]])},
}
for name, compressed in [("labels_plain.mat", False), ("labels_compressed.mat", True)]:
    scipy.io.savemat(folder / name, variables, do_compression=compressed)
    # The header's text carries the creation time: fix it so that regenerating changes nothing.
    data = bytearray((folder / name).read_bytes())
    data[:116] = b"MATLAB 5.0 MAT-file, written by Tools/reference/gen_video.py (scipy.io.savemat)".ljust(116)
    (folder / name).write_bytes(bytes(data))

# What the reader must give: every array as a row-major tensor with MATLAB's shape.
reference = {name: variables[name] for name in ["d", "s", "u", "i"]}
reference["b"] = variables["b"].astype(np.float32)
for i, mask in enumerate(masks):
    reference[f"volLabel{i}"] = mask.astype(np.float32)
reference["gt1"] = gt[0, 1]
entries = {k: np.asarray(v, dtype=np.float32) for k, v in reference.items()}
entries["volLabelFlags"] = [bool(m.any()) for m in masks]
write("video", "mat_reference", entries)

# MNAD's frame_labels_*.npy: shape [1, N], 0/1 over all test frames clip after clip.
labels = np.zeros((1, 12), dtype=np.int64)
labels[0, [2, 3, 4, 8, 9]] = 1
np.save(folder / "frame_labels.npy", labels)

# zlib streams: stored (level 0), fixed Huffman (short text), dynamic Huffman with long matches.
text = b"the quick brown fox jumps over the lazy dog; " * 40
mixed = bytes(rng.integers(0, 8, size=6000).astype(np.uint8)) + text + bytes(3000) + text[:999]
cases = {
    "stored": zlib.compress(mixed[:3000], 0),
    "fixed": zlib.compress(b"abcabcabcabcabc anomaly", 9),
    "dynamic": zlib.compress(mixed, 9),
}
write("video", "inflate_cases", {
    name: {"compressed": base64.b64encode(data).decode(), "plain": base64.b64encode(zlib.decompress(data)).decode()}
    for name, data in cases.items()
})

# Motion primitives: morphology and connected components by scipy.ndimage on a blobby random
# mask; the exact per-pixel median of a few frames by NumPy.
from scipy import ndimage  # noqa: E402

noise = ndimage.gaussian_filter(rng.random((30, 40)), 1.2)
mask = noise > np.quantile(noise, 0.7)
mask[3, 35] = True          # an isolated speck
square3, square5 = np.ones((3, 3), bool), np.ones((5, 5), bool)


def erode(m, s):
    return ndimage.binary_erosion(m, s, border_value=1)


def dilate(m, s):
    return ndimage.binary_dilation(m, s, border_value=0)


motion = {
    "mask": mask,
    "eroded3": erode(mask, square3),
    "dilated3": dilate(mask, square3),
    "opened3": dilate(erode(mask, square3), square3),
    "closed3": erode(dilate(mask, square3), square3),
    "opened5": dilate(erode(mask, square5), square5),
    "closed5": erode(dilate(mask, square5), square5),
}
entries = {k: v.astype(np.float32) for k, v in motion.items()}
for name, structure in [("eight", square3), ("four", ndimage.generate_binary_structure(2, 1))]:
    labels, count = ndimage.label(mask, structure)
    regions = []
    for index, box in enumerate(ndimage.find_objects(labels), start=1):
        ys, xs = np.nonzero(labels == index)
        regions.append({"x1": box[1].start, "y1": box[0].start, "x2": box[1].stop, "y2": box[0].stop,
                        "area": int(len(xs)), "cx": float(xs.mean()), "cy": float(ys.mean()),
                        "first": int(np.flatnonzero((labels == index).reshape(-1))[0])})
    entries[f"regions_{name}"] = sorted(regions, key=lambda r: r["first"])
frames = rng.random((6, 7, 9)).astype(np.float32)
entries["median_frames"] = frames
entries["median_odd"] = np.median(frames[:5], axis=0)
entries["median_even"] = np.median(frames, axis=0)
write("video", "motion_reference", entries)
