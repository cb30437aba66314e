"""Bootstrap references (Tests/Fixtures/metrics/bootstrap.json): numpy percentiles and scipy's
percentile-bootstrap intervals of a mean and of an AUROC, for XADMetrics' Bootstrap."""
import numpy as np
from scipy import stats
from sklearn.metrics import roc_auc_score

from fixtures import write

rng = np.random.default_rng(15)
values = rng.gamma(2.0, 0.2, size=40)
percents = [0, 2.5, 10, 50, 97.5, 100]

# scipy's percentile bootstrap of the mean (many resamples: its Monte Carlo error is small).
mean = stats.bootstrap((values,), np.mean, n_resamples=20000, confidence_level=0.95, method="percentile",
                       random_state=np.random.default_rng(0)).confidence_interval

# The same bootstrap of an AUROC over 60 scored items (30 normal, 30 anomalous), resampling items.
labels = np.array([0] * 30 + [1] * 30)
scores = np.concatenate([rng.normal(0, 1, 30), rng.normal(1, 1, 30)])
auroc_rng = np.random.default_rng(1)
aurocs = []
for _ in range(20000):
    picked = auroc_rng.integers(0, 60, 60)
    if labels[picked].min() != labels[picked].max():
        aurocs.append(roc_auc_score(labels[picked], scores[picked]))
auroc = np.percentile(aurocs, [2.5, 97.5])

write("metrics", "bootstrap", {
    "values": [float(v) for v in values],
    "percents": percents,
    "percentiles": [float(np.percentile(values, p)) for p in percents],
    "mean_interval": [float(mean.low), float(mean.high)],
    "scores": [float(s) for s in scores],
    "labels": [int(l) for l in labels],
    "auroc_interval": [float(a) for a in auroc],
})
