"""Reference values for the explanation-quality measures (XADExplain/Quality) and SLIC's colour
conversion. Quantus is not installed in the venv, so the published formulas are implemented here
in NumPy exactly as Quantus states them, with SciPy / scikit-learn / scikit-image for the parts
they provide (correlations, entropy, AUROC, CIELAB)."""
import numpy as np
from scipy import stats
from skimage.color import rgb2lab
from sklearn.metrics import roc_auc_score

from fixtures import write


def pointing_game(a, s):
    # Quantus PointingGame: hit when any maximum lies in the mask.
    return float(np.any(s[a == a.max()]))


def relevance_mass_accuracy(a, s):
    return float(a[s].sum() / a.sum())


def relevance_rank_accuracy(a, s):
    k = int(s.sum())
    order = np.argsort(-a.reshape(-1), kind="stable")[:k]  # ties: earlier pixel first
    return float(s.reshape(-1)[order].sum() / k)


def sparseness(a):
    # Quantus Sparseness (Gini index of |a| + 1e-7).
    a = np.sort(np.abs(a.reshape(-1)).astype(np.float64) + 1e-7)
    n = a.size
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * a) / (n * np.sum(a)))


def complexity(a):
    a = np.abs(a.reshape(-1)).astype(np.float64)
    return float(stats.entropy(a / a.sum()))


def main():
    rng = np.random.default_rng(6)
    # A 16x16 map, rounded to 2 decimals so that ties occur, and a 5x6 defect.
    a = np.round(rng.random((16, 16)), 2).astype(np.float32)
    a[3:8, 9:15] += 0.3
    s = np.zeros((16, 16), dtype=bool)
    s[2:7, 8:14] = True
    signed = (rng.standard_normal((16, 16))).astype(np.float32)
    x = np.round(rng.standard_normal(40), 1)  # ties for Spearman
    y = x + rng.standard_normal(40)
    rgb = np.array([[[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [0.2, 0.5, 0.7], [0.03, 0.02, 0.01]]])
    write("quality", "measures", {
        "map": a, "mask": s.astype(np.float32), "signed": signed,
        "pointing_game": pointing_game(a, s),
        "relevance_mass_accuracy": relevance_mass_accuracy(a.astype(np.float64), s),
        "relevance_rank_accuracy": relevance_rank_accuracy(a, s),
        "pixel_auroc": float(roc_auc_score(s.reshape(-1), a.reshape(-1))),
        "sparseness": sparseness(signed), "entropy": complexity(signed),
        "x": x.tolist(), "y": y.tolist(),
        "pearson": float(stats.pearsonr(x, y)[0]), "spearman": float(stats.spearmanr(x, y)[0]),
        "rgb": np.asarray(rgb, dtype=np.float32), "lab": rgb2lab(rgb).astype(np.float32),
    })


if __name__ == "__main__":
    main()
