"""Gaussian mixture fixture: scikit-learn's GaussianMixture (full covariances) fitted by EM from a
given start, for the attribute-based detector's own EM (Sources/XADDetect/Attributes).

Writes Tests/Fixtures/video/gmm.json: the samples, the start (weights, means, covariances), and
after exactly `iterations` EM steps (tol=0) the weights, means, covariances, the mean
log-likelihood and the per-sample log-likelihoods. Every input is float32-representable, so both
sides read the same numbers. Needs numpy and scikit-learn.
"""
import numpy as np
from sklearn.mixture import GaussianMixture

from fixtures import write

rng = np.random.default_rng(21)
centres = np.array([[0.0, 0.0, 0.0], [3.0, 1.0, -1.0], [-2.0, 3.0, 2.0]])
scales = [0.5, 1.0, 0.7]
samples = np.concatenate([rng.normal(c, s, size=(n, 3)) for c, s, n in zip(centres, scales, [120, 100, 80])])
# A correlated direction in the first cluster, so the covariances are full.
samples[:120, 1] += 0.6 * samples[:120, 0]
samples = samples.astype(np.float32).astype(np.float64)

weights = np.array([0.25, 0.25, 0.5], dtype=np.float32).astype(np.float64)
means = (centres + rng.normal(0, 0.8, size=centres.shape)).astype(np.float32).astype(np.float64)
covariances = np.stack([np.eye(3) * v for v in (1.0, 2.0, 1.5)]).astype(np.float32).astype(np.float64)
iterations = 15

mixture = GaussianMixture(n_components=3, covariance_type="full", tol=0.0, max_iter=iterations, reg_covar=1e-6,
                          weights_init=weights, means_init=means,
                          precisions_init=np.linalg.inv(covariances))
mixture.fit(samples)

write("video", "gmm", {
    "samples": samples,
    "iterations": iterations,
    "start_weights": weights,
    "start_means": means,
    "start_covariances": covariances,
    "weights": [float(v) for v in mixture.weights_],
    "means": [float(v) for v in mixture.means_.reshape(-1)],
    "covariances": [float(v) for v in mixture.covariances_.reshape(-1)],
    "mean_log_likelihood": float(mixture.score(samples)),
    "log_likelihoods": [float(v) for v in mixture.score_samples(samples)],
})
