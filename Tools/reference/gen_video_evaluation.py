"""Video evaluation reference: frame scores and labels of four clips, and what scikit-learn says of
them: frame AUROC micro (all frames pooled, roc_auc_score), macro (the mean of roc_auc_score over
the clips holding both classes), each clip's AUROC, and the equal error rate of the pooled frames
(brentq on the interpolated ROC curve, as the video anomaly detection literature computes it).

Writes Tests/Fixtures/video/evaluation_reference.json. Needs numpy, scipy and scikit-learn.
"""
import numpy as np
from scipy.interpolate import interp1d
from scipy.optimize import brentq
from sklearn.metrics import roc_auc_score, roc_curve

from fixtures import write

rng = np.random.default_rng(31)
# (frames, anomalous frame ranges): one clip all normal, one all anomalous (left out of macro).
layout = [(30, [(10, 20)]), (25, []), (20, [(0, 8), (15, 19)]), (15, [(0, 15)])]
clips = []
for index, (count, ranges) in enumerate(layout):
    labels = np.zeros(count, dtype=bool)
    for first, last in ranges:
        labels[first:last] = True
    # Rounded to two decimals so that ties occur, within and across clips.
    scores = np.round(rng.normal(size=count) + 1.2 * labels + 0.3 * index, 2).astype(np.float32)
    clips.append({"name": f"{index + 1:02d}", "scores": [float(s) for s in scores], "labels": [bool(l) for l in labels]})

scores = np.concatenate([np.array(c["scores"], dtype=np.float64) for c in clips])
labels = np.concatenate([np.array(c["labels"]) for c in clips])
per_clip = [roc_auc_score(c["labels"], c["scores"]) if 0 < sum(c["labels"]) < len(c["labels"]) else None for c in clips]
fpr, tpr, _ = roc_curve(labels, scores)
eer = brentq(lambda x: 1.0 - x - interp1d(fpr, tpr)(x), 0.0, 1.0)
defined = [a for a in per_clip if a is not None]
write("video", "evaluation_reference", {
    "clips": clips,
    "micro": float(roc_auc_score(labels, scores)),
    "macro": float(np.mean(defined)),
    "macro_count": len(defined),
    "per_clip": per_clip,
    "eer": float(eer),
})
