"""Reference values for XADMetrics: scikit-learn (AUROC, AP, ROC and PR curves), anomalib >= 2.3
(AUPRO, PRO curve, F1Max) and SciPy (EER), written to Tests/Fixtures/metrics/.

anomalib's metrics expect scores in [0, 1] (torchmetrics applies a sigmoid to anything else), so
every map is min-max normalised first; the Swift side is fed the same normalised values. Each PRO
fixture also carries a float64 NumPy evaluation of the same definition (`numpy_aupro`), which
agrees with anomalib's float32 computation to about 1e-6.
"""
import json
import warnings

import numpy as np
import torch
from PIL import Image
from scipy.ndimage import gaussian_filter
from scipy.optimize import brentq
from scipy.interpolate import interp1d
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

from anomalib.metrics.aupro import _AUPRO
from anomalib.metrics.f1_score import _F1Max

from fixtures import FIXTURES, SHARED_DATA, write

torch.set_num_threads(2)
warnings.filterwarnings("ignore")
rng = np.random.default_rng(4)


def f1max(scores, labels):
    metric = _F1Max()
    metric.update(torch.from_numpy(scores), torch.from_numpy(labels.astype(np.int64)))
    return float(metric.compute()), float(metric.threshold)


def ranking_case(scores, labels):
    """Everything scikit-learn says about one image-level ranking (float32 scores)."""
    scores = np.asarray(scores, dtype=np.float32)
    labels = np.asarray(labels, dtype=bool)
    case = {"scores": [float(s) for s in scores], "labels": [bool(v) for v in labels]}
    if not labels.all():
        normal = scores[~labels].astype(np.float64)
        case["normal_percentile"] = {str(p): float(np.percentile(normal, p)) for p in (0, 50, 95, 99, 100)}
    if labels.any() and not labels.all():
        case["auroc"] = roc_auc_score(labels, scores)
        fpr, tpr, thresholds = roc_curve(labels, scores, drop_intermediate=False)
        case["roc"] = {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": thresholds[1:].tolist()}
        # Highest reachable TPR with FPR <= rate, lowest FPR with TPR >= rate (no interpolation).
        case["tpr_at_fpr"] = {str(r): float(tpr[fpr <= r].max()) for r in (0.05, 0.1, 0.3)}
        case["fpr_at_tpr"] = {str(r): float(fpr[tpr >= r].min()) for r in (0.8, 0.95, 1.0)}
        # Equal error rate where FNR = FPR on the linearly interpolated ROC curve.
        case["eer"] = brentq(lambda x: 1.0 - x - interp1d(fpr, tpr)(x), 0.0, 1.0)
    if labels.any():
        case["average_precision"] = average_precision_score(labels, scores)
        precision, recall, thresholds = precision_recall_curve(labels, scores)
        case["pr"] = {"precision": precision.tolist(), "recall": recall.tolist(), "thresholds": thresholds.tolist()}
        case["f1max"], case["f1max_threshold"] = f1max(scores, labels)
    return case


def ranking_fixtures():
    ties = np.round(rng.random(300), 2)  # about 100 distinct values: many ties
    tie_labels = rng.random(300) < 0.3 + 0.4 * ties
    normal = rng.normal(size=120)
    write("metrics", "ranking", {
        "random_ties": ranking_case(ties, tie_labels),
        "gaussian": ranking_case(normal + (rng.random(120) < 0.5) * 0, normal > rng.normal(size=120)),
        "constant": ranking_case(np.full(10, 0.5), [True, False] * 5),
        "perfect": ranking_case([0.1, 0.2, 0.3, 0.8, 0.9], [False, False, False, True, True]),
        "all_defect": ranking_case([0.1, 0.2, 0.3], [True, True, True]),
        "negative_scores": ranking_case([-3.5, -1.0, -1.0, 2.0, 7.25, -0.0, 0.0],
                                        [False, True, False, True, True, False, True]),
    })


def pro_case(maps, masks):
    """anomalib's AUPRO / PRO curve, scikit-learn's pixel AUROC and AP, and a float64 NumPy check."""
    maps = ((maps - maps.min()) / (maps.max() - maps.min())).astype(np.float32)
    masks = masks.astype(np.float32)
    case = {"maps": maps, "masks": masks}
    for limit in (0.3, 0.05):
        metric = _AUPRO(fpr_limit=limit)
        metric.update(torch.from_numpy(maps), torch.from_numpy(masks))
        case[f"aupro_{limit}"] = float(metric.compute())
        if limit == 0.3:
            fpr, pro = metric._compute()
            case["pro_fpr"], case["pro_overlap"] = fpr.double().tolist(), pro.double().tolist()
    case["numpy_aupro_0.3"] = numpy_aupro(maps, masks, 0.3)
    flat_scores, flat_labels = maps.reshape(-1), masks.reshape(-1) > 0
    predicted = flat_scores.astype(np.float64) >= 0.5
    both = np.sum(predicted & flat_labels)
    case["iou_0.5"] = float(both / np.sum(predicted | flat_labels))
    case["dice_0.5"] = float(2 * both / (predicted.sum() + flat_labels.sum()))
    case["pixel_auroc"] = roc_auc_score(flat_labels, flat_scores)
    case["pixel_average_precision"] = average_precision_score(flat_labels, flat_scores)
    case["pixel_f1max"], case["pixel_f1max_threshold"] = f1max(flat_scores, flat_labels)
    return case


def numpy_aupro(maps, masks, limit):
    """The same definition in float64: 8-connected regions (OpenCV), mean per-region overlap."""
    import cv2
    labels, offset = [], 0
    for mask in masks:
        _, comps = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
        labels.append(np.where(comps > 0, comps + offset, 0))
        offset += comps.max()
    labels = np.concatenate([l.reshape(-1) for l in labels])
    scores = np.concatenate([m.reshape(-1) for m in maps]).astype(np.float64)
    sizes = np.bincount(labels).astype(np.float64)
    order = np.argsort(-scores, kind="stable")
    fp = np.cumsum(labels[order] == 0) / sizes[0]
    gain = np.where(labels[order] > 0, 1.0 / sizes[labels[order]], 0.0)
    pro = np.cumsum(gain) / (len(sizes) - 1)
    last = np.r_[scores[order][:-1] != scores[order][1:], True]
    fpr, pro = np.r_[0.0, fp[last]], np.r_[0.0, pro[last]]
    i = np.nonzero(fpr <= limit)[0][-1]
    if fpr[i] < limit:
        p = pro[i] + (pro[i + 1] - pro[i]) * (limit - fpr[i]) / (fpr[i + 1] - fpr[i])
        fpr, pro = np.r_[fpr[: i + 1], limit], np.r_[pro[: i + 1], p]
    else:
        fpr, pro = fpr[: i + 1], pro[: i + 1]
    return float(np.trapezoid(pro, fpr) / fpr[-1])


def synthetic_pro_fixture():
    """Rectangles and diagonal-touching blobs (8- vs 4-connectivity differ) on 4 maps of 40x48."""
    masks = np.zeros((4, 40, 48), dtype=np.float32)
    masks[0, 5:12, 5:20] = 1
    masks[0, 20:35, 30:33] = 1
    masks[1, 10:14, 10:14] = 1
    masks[1, 14:18, 14:18] = 1  # touches the square above only at a corner: one 8-connected region
    masks[2, 0:3, 40:48] = 1
    # masks[3] has no defect
    noise = np.round(rng.random(masks.shape), 2)
    maps = noise + 0.6 * gaussian_filter(masks, sigma=(0, 2, 2))
    write("metrics", "pro_synthetic", pro_case(np.round(maps, 3), masks))


def mtd_pro_fixture():
    """Real magnetic-tile defect masks (binarised at 128, downsized to at most 64 pixels a side with
    nearest neighbour) and synthetic score maps: the blurred mask plus noise, rounded (ties)."""
    picks = ["MT_Blowhole", "MT_Break", "MT_Crack", "MT_Fray", "MT_Uneven"]
    masks = []
    for category in picks:
        files = sorted((SHARED_DATA / "mtd" / category / "Imgs").glob("*.png"))
        image = Image.open(files[len(files) // 2]).convert("L")
        scale = 64 / max(image.size)
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.NEAREST)
        masks.append((np.asarray(image) >= 128).astype(np.float32))
    cases = {}
    for index, mask in enumerate(masks):
        score = gaussian_filter(mask, 1.5) + 0.35 * rng.random(mask.shape)
        cases[f"map{index}"] = np.round(score, 2)
    # Maps differ in size, so the fixture holds each pair and one reference over all of them.
    flat_maps = np.concatenate([m.reshape(-1) for m in cases.values()])
    lo, hi = flat_maps.min(), flat_maps.max()
    entries = {}
    for index, mask in enumerate(masks):
        entries[f"map{index}"] = ((cases[f"map{index}"] - lo) / (hi - lo)).astype(np.float32)
        entries[f"mask{index}"] = mask
    # anomalib needs one (B, H, W) batch: pad each pair with background (score 0) to 65x65 and
    # measure that; the unpadded, ragged set is measured with the float64 NumPy definition and
    # scikit-learn (the padding changes the values, so the two sets have separate references).
    canvas_maps = np.zeros((len(masks), 65, 65), dtype=np.float32)
    canvas_masks = np.zeros_like(canvas_maps)
    for index, mask in enumerate(masks):
        h, w = mask.shape
        canvas_maps[index, :h, :w] = entries[f"map{index}"]
        canvas_masks[index, :h, :w] = mask
    reference = pro_case(canvas_maps, canvas_masks)
    entries.update({f"padded_{k}": v for k, v in reference.items() if k not in ("maps", "masks")})
    ragged_maps = [entries[f"map{i}"] for i in range(len(masks))]
    flat_scores = np.concatenate([m.reshape(-1) for m in ragged_maps])
    flat_labels = np.concatenate([m.reshape(-1) for m in masks]) > 0
    entries["ragged_numpy_aupro_0.3"] = numpy_aupro(ragged_maps, masks, 0.3)
    entries["ragged_pixel_auroc"] = roc_auc_score(flat_labels, flat_scores)
    entries["ragged_pixel_average_precision"] = average_precision_score(flat_labels, flat_scores)
    entries["count"] = len(masks)
    write("metrics", "pro_mtd", entries)


def video_fixture():
    """Frame scores of four videos; micro AUROC over all frames, macro over videos with both classes."""
    videos, micro_scores, micro_labels, per_video = {}, [], [], []
    for index, frames in enumerate((60, 45, 80, 30)):
        labels = np.zeros(frames, dtype=bool)
        if index != 3:  # the last video is all normal: left out of the macro mean
            start = rng.integers(5, frames - 15)
            labels[start:start + 10 + index] = True
        scores = np.round(rng.random(frames) + labels * 0.4 * (index + 1), 3).astype(np.float32) * (index + 1)
        videos[f"video{index}"] = {"scores": scores.tolist(), "labels": labels.tolist()}
        micro_scores.append(scores)
        micro_labels.append(labels)
        if labels.any():
            per_video.append(roc_auc_score(labels, scores))
    scores, labels = np.concatenate(micro_scores), np.concatenate(micro_labels)
    fpr, tpr, _ = roc_curve(labels, scores, drop_intermediate=False)
    write("metrics", "video", {
        "videos": videos, "count": 4,
        "micro_auroc": roc_auc_score(labels, scores), "macro_auroc": float(np.mean(per_video)),
        "macro_videos": len(per_video),
        "micro_eer": brentq(lambda x: 1.0 - x - interp1d(fpr, tpr)(x), 0.0, 1.0),
    })


def box_iou(a, b):
    """IoU of boxes (x0, y0, x1, y1) with continuous area."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def rbdc_tbdc_brute_force(detections, tracks, frames, beta=0.1, alpha=0.1):
    """RBDC and TBDC (Ramachandra et al. 2020) by recomputing every criterion at every distinct
    detection score: an independent, slow statement of the definition the Swift code implements."""
    regions = [(k, frame, box) for k, track in enumerate(tracks) for frame, box in track]
    points_r, points_t = [(0.0, 0.0)], [(0.0, 0.0)]
    for t in sorted({d[2] for d in detections}, reverse=True):
        kept = [d for d in detections if d[2] >= t]
        hit = [any(d[0] == f and box_iou(d[1], b) >= beta for d in kept) for _, f, b in regions]
        fp = sum(1 for d in kept if not any(f == d[0] and box_iou(d[1], b) >= beta for _, f, b in regions))
        tracks_hit = 0
        for k, track in enumerate(tracks):
            count = sum(h for (kk, _, _), h in zip(regions, hit) if kk == k)
            tracks_hit += count >= alpha * len(track) - 1e-9
        points_r.append((fp / frames, sum(hit) / len(regions)))
        points_t.append((fp / frames, tracks_hit / len(tracks)))

    def area(points):
        xs, ys = np.array([p[0] for p in points]), np.array([p[1] for p in points])
        inside = xs <= 1.0
        x, y = xs[inside], ys[inside]
        if (~inside).any():
            j = np.nonzero(~inside)[0][0]
            y_at = ys[j - 1] + (ys[j] - ys[j - 1]) * (1.0 - xs[j - 1]) / (xs[j] - xs[j - 1])
            x, y = np.r_[x, 1.0], np.r_[y, y_at]
        else:
            x, y = np.r_[x, 1.0], np.r_[y, y[-1]]
        return float(np.trapezoid(y, x))

    return area(points_r), area(points_t)


def rbdc_fixture():
    """Five tracks of moving boxes over 40 frames; detections near them (some too far off) plus
    clutter, scores rounded (ties). Two detector variants: one with few false positives (curve
    held level to FPR 1) and one with many (curve cut at 1)."""
    frames = 40
    tracks = []
    for _ in range(5):
        start, length = int(rng.integers(0, 30)), int(rng.integers(3, 12))
        x, y = rng.uniform(0, 200, 2)
        tracks.append([(f, [x + 3 * i, y + 2 * i, x + 3 * i + 30, y + 2 * i + 40])
                       for i, f in enumerate(range(start, min(frames, start + length)))])
    cases = {}
    for name, clutter in (("sparse", 10), ("cluttered", 90)):
        detections = []
        for track in tracks:
            for frame, box in track:
                if rng.random() < 0.7:
                    jitter = rng.normal(0, 8, 4)
                    detections.append((frame, [box[0] + jitter[0], box[1] + jitter[1], box[2] + jitter[2],
                                               box[3] + jitter[3]], round(float(rng.uniform(0.3, 1.0)), 2)))
        for _ in range(clutter):
            x, y = rng.uniform(0, 300, 2)
            detections.append((int(rng.integers(0, frames)), [x, y, x + 25, y + 25], round(float(rng.uniform(0, 0.8)), 2)))
        rbdc, tbdc = rbdc_tbdc_brute_force(detections, tracks, frames)
        cases[name] = {"detections": [{"frame": f, "box": b, "score": s} for f, b, s in detections],
                       "rbdc": rbdc, "tbdc": tbdc}
    write("metrics", "rbdc", {"frames": frames, "tracks": [[{"frame": f, "box": b} for f, b in t] for t in tracks],
                              **cases})


def npy_fixtures():
    """Small .npy files in every dtype and header version the reader accepts, and some it refuses."""
    folder = FIXTURES / "metrics" / "npy"
    folder.mkdir(parents=True, exist_ok=True)
    values = np.array([[0.5, -1.25, 3.0], [7.0, 0.0, 1e-3]])
    arrays = {
        "f4": values.astype("<f4"), "f8": values.astype("<f8"), "u1": np.array([[0, 7, 255]], dtype=np.uint8),
        "b1": np.array([True, False, True]), "i4": np.array([[-3, 4]], dtype="<i4"),
        "i8": np.array([[2**40, -5]], dtype="<i8"), "scalar": np.array(2.5, dtype="<f4"),
    }
    expected = {}
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", array)
        expected[name] = {"shape": list(array.shape), "data": [float(v) for v in array.reshape(-1)]}
    for version in ((2, 0), (3, 0)):
        with open(folder / f"v{version[0]}.npy", "wb") as file:
            np.lib.format.write_array(file, values.astype("<f4"), version=version)
        expected[f"v{version[0]}"] = expected["f4"]
    np.save(folder / "fortran.npy", np.asfortranarray(values.astype("<f4")))
    np.save(folder / "big_endian.npy", values.astype(">f4"))
    (folder / "truncated.npy").write_bytes((folder / "f4.npy").read_bytes()[:-5])
    (folder / "npy.json").write_text(json.dumps(expected))


if __name__ == "__main__":
    npy_fixtures()
    ranking_fixtures()
    synthetic_pro_fixture()
    mtd_pro_fixture()
    video_fixture()
    rbdc_fixture()
