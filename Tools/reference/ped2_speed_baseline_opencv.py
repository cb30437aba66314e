"""The attribute detector's training-free speed baseline prototyped with OpenCV on UCSD Ped2, to
choose its settings (Sources/XADDetect/Attributes/README.md cites the numbers).

Per test clip: half-size frames (INTER_AREA), background = median of every 7th frame, foreground =
|frame - background| >= 0.08 or |frame - previous| >= 0.06, optionally closed (CLOSE x CLOSE),
opened 3 x 3, 8-connected regions of at least 20 pixels; Farneback flow (OpenCV defaults of the
AI-VAD fallback: 0.5, 3, 15, 3, 5, 1.2) from each frame to the next; a region's speed is the mean
or a percentile (STAT) of its pixels' flow lengths, divided by the row prior 0.3 + bottom / H or by
a line fitted to the clip's own (bottom row, height) pairs (PERSPECTIVE = fit); frame score = the
fastest region, Gaussian smoothing sigma 3; frame AUROC against UCSDped2.m.

Usage: ped2_speed_baseline_opencv.py CLOSE STAT PERSPECTIVE  (e.g. `0 90 prior`, `5 mean prior`).
Needs numpy, scipy, scikit-learn and opencv-python.
"""
import glob
import re
import sys

import cv2
import numpy as np
from scipy import ndimage as ndi
from scipy.ndimage import gaussian_filter1d
from sklearn.metrics import roc_auc_score

from fixtures import SHARED_DATA

root = SHARED_DATA / "ucsd_ped2"
ranges = [(int(a), int(b)) for a, b in re.findall(r"gt_frame = \[(\d+):(\d+)\]", (root / "UCSDped2.m").read_text())]


def regions_and_flow(frames, t, background, close=0):
    """Frame t's regions of 20+ pixels, each (slices of its box, its pixels inside the box, the
    frame's Farneback flow lengths in full-size pixels)."""
    mask = np.abs(frames[t] - background) >= 0.08
    if t:
        mask |= np.abs(frames[t] - frames[t - 1]) >= 0.06
    if close:
        mask = ndi.binary_closing(mask, np.ones((close, close)))
    mask = ndi.binary_opening(mask, np.ones((3, 3)))
    labels, _ = ndi.label(mask, np.ones((3, 3)))
    a, b = (t, t + 1) if t + 1 < len(frames) else (t - 1, t)
    flow = cv2.calcOpticalFlowFarneback((frames[a] * 255).astype(np.uint8), (frames[b] * 255).astype(np.uint8),
                                        None, 0.5, 3, 15, 3, 5, 1.2, 0)
    length = np.hypot(flow[..., 0], flow[..., 1]) * 2
    found = [(box, labels[box] == i + 1) for i, box in enumerate(ndi.find_objects(labels))]
    return [(box, inside, length) for box, inside in found if inside.sum() >= 20]


def clip_scores(index):
    files = sorted(glob.glob(str(root / "testing" / "frames" / f"{index + 1:02d}" / "*.jpg")))
    frames = [cv2.resize(cv2.imread(f, 0).astype(np.float32) / 255, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
              for f in files]
    background = np.median(np.stack(frames[::7]), 0)
    height = frames[0].shape[0]
    objects = []
    for t in range(len(frames)):
        for box, inside, length in regions_and_flow(frames, t, background, close):
            values = length[box][inside]
            speed = values.mean() if stat == "mean" else np.percentile(values, float(stat))
            objects.append((t, speed, box[0].stop, box[0].stop - box[0].start))
    if perspective == "fit":
        pairs = np.array([(bottom, h) for _, _, bottom, h in objects], float)
        slope, intercept = np.polyfit(pairs[:, 0], pairs[:, 1], 1)
        reference = pairs[:, 1].mean()
        factor = lambda bottom: reference / max(intercept + slope * bottom, reference / 4)
    else:
        factor = lambda bottom: 1 / (0.3 + bottom / height)
    scores = np.zeros(len(frames))
    for t, speed, bottom, _ in objects:
        scores[t] = max(scores[t], speed * factor(bottom))
    labels = np.zeros(len(frames), int)
    first, last = ranges[index]
    labels[first - 1:last] = 1
    return gaussian_filter1d(scores, 3, mode="nearest"), labels


if __name__ == "__main__":
    close, stat, perspective = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    scores, labels, per_clip = [], [], []
    for index in range(len(ranges)):
        s, y = clip_scores(index)
        scores.append(s)
        labels.append(y)
        if 0 < y.sum() < len(y):
            per_clip.append(roc_auc_score(y, s))
    print(f"micro {roc_auc_score(np.concatenate(labels), np.concatenate(scores)):.4f} macro {np.mean(per_clip):.4f} ({len(per_clip)} clips)")
