"""Reference values for concept activation vectors (XADExplain/Concepts): scikit-learn's
LogisticRegression (L2, lbfgs, run to a tight tolerance) on small seeded two-class sets, and
scipy.stats.ttest_ind (Student's two-sided t-test, equal variances) on seeded samples."""
import numpy as np
from scipy import stats
from sklearn.linear_model import LogisticRegression

from fixtures import write

rng = np.random.default_rng(6)

# Logistic regression: concept (label 1) vs random (label 0) "activations", overlapping classes
# so the optimum is interior, and one well-separated case where the L2 penalty bounds w.
cases = {}
for name, (n, d, shift, c) in {"overlap": (30, 6, 0.8, 1.0), "separated": (24, 5, 3.0, 1.0),
                               "weak_penalty": (40, 4, 0.5, 10.0)}.items():
    positive = rng.normal(size=(n // 2, d)) + shift * rng.normal(size=d)
    negative = rng.normal(size=(n - n // 2, d))
    x = np.concatenate([positive, negative]).astype(np.float32)
    y = np.concatenate([np.ones(n // 2), np.zeros(n - n // 2)])
    model = LogisticRegression(C=c, tol=1e-12, max_iter=100000).fit(x.astype(np.float64), y)
    cases[f"{name}_x"] = x
    cases[f"{name}_y"] = y.astype(np.float32)
    cases[f"{name}_c"] = c
    cases[f"{name}_coef"] = model.coef_.reshape(-1).astype(np.float32)
    cases[f"{name}_intercept"] = float(model.intercept_[0])
write("concepts", "logistic", cases)

# Student's t-test: (n1, n2, mean difference) from clear to none.
tests = []
for n1, n2, difference in [(10, 10, 2.0), (10, 10, 0.1), (5, 7, 1.0), (10, 9, 6.0), (3, 3, 0.5)]:
    a = rng.normal(size=n1) + difference
    b = rng.normal(size=n2)
    result = stats.ttest_ind(a, b)
    tests.append({"a": [float(v) for v in a], "b": [float(v) for v in b],
                  "t": float(result.statistic), "p": float(result.pvalue)})
# Incomplete-beta corner values for the Student's t CDF: (t, df, two-sided p).
tails = [{"t": t, "df": df, "p": float(2 * stats.t.sf(abs(t), df))}
         for t, df in [(0.0, 4), (1.0, 1), (2.5, 18), (-3.2, 7), (12.0, 30), (0.3, 200)]]
write("concepts", "ttest", {"tests": tests, "tails": tails})
