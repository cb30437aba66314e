"""Reference fixtures for the Mahalanobis detector: scikit-learn's LedoitWolf.

Writes Tests/Fixtures/mahalanobis/ledoit_wolf.json: two sets of seeded, correlated samples (more
samples than dimensions, 40 x 6; fewer, 8 x 12), queries, and scikit-learn's `LedoitWolf` fit
(location, shrinkage, covariance, precision) and `mahalanobis(queries)` (squared distances).
"""
import numpy as np
from sklearn.covariance import LedoitWolf

from fixtures import write

rng = np.random.default_rng(0)
entries = {}
for name, (count, dims) in {"tall": (40, 6), "wide": (8, 12)}.items():
    mixing = rng.normal(size=(dims, dims))
    samples = (rng.normal(size=(count, dims)) @ mixing + rng.normal(size=dims)).astype(np.float32)
    queries = (rng.normal(size=(4, dims)) @ mixing).astype(np.float32)
    model = LedoitWolf().fit(samples.astype(np.float64))
    entries.update({f"{name}_samples": samples, f"{name}_queries": queries, f"{name}_location": model.location_,
                    f"{name}_shrinkage": float(model.shrinkage_), f"{name}_precision": model.precision_,
                    f"{name}_distances": model.mahalanobis(queries.astype(np.float64))})
write("mahalanobis", "ledoit_wolf", entries)
