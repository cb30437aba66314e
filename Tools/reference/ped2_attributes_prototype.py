"""The attribute detector's scoring steps prototyped on UCSD Ped2 with OpenCV and PyTorch, to choose
what to build in Swift (Sources/XADDetect/Attributes/README.md cites the numbers, measured over the
12 test clips; note that comparing settings on the test clips risks optimism, see the README).

Objects as in ped2_speed_baseline_opencv.py (half-size frames, median background, differencing,
3 x 3 opening, 8-connected regions of 20+ pixels, Farneback flow, speed = 90th percentile of the
region's flow lengths, row prior 0.8 H / (0.3 H + bottom)); training clips at every 2nd frame.
Appearance: each object's square crop (side 1.2 max(w, h) + 8 around the box centre, edges
repeated) resized to CROP x CROP, EfficientNet-Lite0 stage2 + stage3 (timm, the weights of
gen_backbone.py) averaged over the crop; score the distance to the nearest training crop
(leave-one-clip-out for the training objects' calibration). Tracks: each object continues the
previous frame's object of largest box IoU (at least 0.1); an object's score is the median over
it and up to TRACK - 1 predecessors. Fragments: scores times min(1, area / median training area)
(areas at the reference row). Each attribute calibrated (s - min) / (p99.9 - min) on the training
objects; frame score = max over objects of the sum, Gaussian smoothing sigma 3.

Usage: ped2_attributes_prototype.py [CROP [TRACK]]  (defaults 32 8). Needs numpy, scipy,
scikit-learn, opencv-python, torch and timm; about 15 minutes on 2 loaded cores.
"""
import glob
import re
import sys

import cv2
import numpy as np
import torch
from scipy.ndimage import gaussian_filter1d
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors

from fixtures import SHARED_DATA
from gen_backbone import load, normalise
from ped2_speed_baseline_opencv import regions_and_flow

torch.set_num_threads(2)
root = SHARED_DATA / "ucsd_ped2"
ranges = [(int(a), int(b)) for a, b in re.findall(r"gt_frame = \[(\d+):(\d+)\]", (root / "UCSDped2.m").read_text())]
crop_side = int(sys.argv[1]) if len(sys.argv) > 1 else 32
track_length = int(sys.argv[2]) if len(sys.argv) > 2 else 8
backbone = load("lite0", 1.0)[1].float()


def measure(folder, stride):
    """Per object (frame, x, y, w, h, speed, area) in full-size pixels, and its crop features."""
    full = [cv2.imread(f, 0).astype(np.float32) / 255 for f in sorted(glob.glob(str(folder / "*.jpg")))]
    frames = [cv2.resize(f, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA) for f in full]
    background = np.median(np.stack(frames[::max(1, len(frames) // 25)]), 0)
    objects, crops = [], []
    for t in range(0, len(frames), stride):
        for box, inside, length in regions_and_flow(frames, t, background):
            y0, y1, x0, x1 = box[0].start * 2, box[0].stop * 2, box[1].start * 2, box[1].stop * 2
            objects.append((t, x0, y0, x1 - x0, y1 - y0, np.percentile(length[box][inside], 90), inside.sum() * 4))
            side = int(round(1.2 * max(x1 - x0, y1 - y0) + 8))
            left, top = (x0 + x1) // 2 - side // 2, (y0 + y1) // 2 - side // 2
            rows = np.clip(np.arange(top, top + side), 0, full[t].shape[0] - 1)
            columns = np.clip(np.arange(left, left + side), 0, full[t].shape[1] - 1)
            crops.append(cv2.resize(full[t][np.ix_(rows, columns)], (crop_side, crop_side), interpolation=cv2.INTER_AREA))
    features = np.zeros((0, 152), np.float32)
    if crops:
        with torch.no_grad():
            x = torch.from_numpy(normalise(np.stack(crops)[:, None].repeat(3, 1)).astype(np.float32))
            maps = [backbone(x[k:k + 256]) for k in range(0, len(x), 256)]
            features = np.concatenate([torch.cat([m[1].mean((2, 3)), m[2].mean((2, 3))], 1).numpy() for m in maps])
    return np.array(objects, np.float32).reshape(-1, 7), features, len(frames)


def row_factor(o, height=240):
    return 0.8 * height / np.maximum(0.3 * height + o[:, 2] + o[:, 4], 0.2 * height)


def track_medians(o, values):
    """Median of `values` over each object and up to track_length - 1 predecessors (IoU >= 0.1)."""
    t = o[:, 0].astype(int)
    previous = -np.ones(len(o), int)
    for i in range(len(o)):
        candidates = np.flatnonzero(t == t[i] - 1) if t[i] > 0 else []
        if len(candidates):
            b = o[candidates, 1:5]
            ix = np.clip(np.minimum(o[i, 1] + o[i, 3], b[:, 0] + b[:, 2]) - np.maximum(o[i, 1], b[:, 0]), 0, None)
            iy = np.clip(np.minimum(o[i, 2] + o[i, 4], b[:, 1] + b[:, 3]) - np.maximum(o[i, 2], b[:, 1]), 0, None)
            iou = ix * iy / (o[i, 3] * o[i, 4] + b[:, 2] * b[:, 3] - ix * iy)
            if iou.max() >= 0.1:
                previous[i] = candidates[np.argmax(iou)]
    out = np.empty(len(o))
    for i in range(len(o)):
        chain, j = [values[i]], i
        while len(chain) < track_length and previous[j] >= 0:
            j = previous[j]
            chain.append(values[j])
        out[i] = np.sort(chain)[len(chain) // 2]
    return out


train = [measure(folder, 2) for folder in sorted((root / "training" / "frames").iterdir())]
test = [measure(folder, 1) for folder in sorted((root / "testing" / "frames").iterdir())]
speed = lambda o: o[:, 5] * row_factor(o)
area = lambda o: o[:, 6] * row_factor(o) ** 2
typical = np.median(np.concatenate([area(o) for o, _, _ in train]))
held_out = np.concatenate([NearestNeighbors(n_neighbors=1).fit(np.concatenate([f for j, (_, f, _) in enumerate(train) if j != k]))
                           .kneighbors(train[k][1])[0][:, 0] for k in range(len(train))])
train_speed = np.concatenate([speed(o) for o, _, _ in train])
calibrate = lambda s, raw: (s - raw.min()) / (np.percentile(raw, 99.9) - raw.min())
bank = NearestNeighbors(n_neighbors=1).fit(np.concatenate([f for _, f, _ in train]))
scores, labels = [], []
for (o, f, n), (first, last) in zip(test, ranges):
    weight = np.minimum(1, area(o) / typical)
    velocity = track_medians(o, calibrate(speed(o), train_speed)) * weight
    appearance = track_medians(o, calibrate(bank.kneighbors(f)[0][:, 0], held_out)) * weight
    frame = np.zeros(n)
    np.maximum.at(frame, o[:, 0].astype(int), velocity + appearance)
    scores.append(gaussian_filter1d(frame, 3, mode="nearest"))
    labels.append(np.zeros(n, int))
    labels[-1][first - 1:last] = 1
per_clip = [roc_auc_score(y, s) for y, s in zip(labels, scores) if 0 < y.sum() < len(y)]
print(f"micro {roc_auc_score(np.concatenate(labels), np.concatenate(scores)):.4f} macro {np.mean(per_clip):.4f}")
