"""Can generated defaulted rows be trusted? Three checks that none of the anchors reports."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class GanQuality:
    """How close generated rows are to the real rows they imitate.

    Attributes
    ----------
    c2st_auc : float
        Classifier two-sample test: cross-validated ROC-AUC of gradient boosting telling real
        rows from generated ones. 0.5 is ideal (indistinguishable), 1.0 means trivially told apart.
    ks : pandas.Series
        Kolmogorov-Smirnov distance between real and generated values, per column.
    memorized_share : float
        Share of generated rows closer to some real row than that real row is to its own
        nearest real neighbour: copies rather than new rows.
    seconds : float
        Time the checks took.
    """

    c2st_auc: float
    ks: pd.Series
    memorized_share: float
    seconds: float = 0.0

    def metrics(self, prefix: str = "gan_") -> dict[str, float]:
        """Scalar summary for MLflow."""
        return {f"{prefix}c2st_auc": self.c2st_auc, f"{prefix}ks_mean": float(self.ks.mean()),
                f"{prefix}ks_max": float(self.ks.max()),
                f"{prefix}memorized_share": self.memorized_share}


def assess(real: np.ndarray, generated: np.ndarray, names=None, seed: int = 0) -> GanQuality:
    """Compare ``generated`` rows with the ``real`` rows the GAN was trained on."""
    from scipy.stats import ks_2samp
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.neighbors import NearestNeighbors

    start = time.perf_counter()
    names = list(names) if names is not None else [f"x{i}" for i in range(real.shape[1])]
    ks = pd.Series([ks_2samp(real[:, j], generated[:, j]).statistic
                    for j in range(real.shape[1])], index=names, name="ks")

    X = np.vstack([real, generated])
    y = np.r_[np.ones(len(real)), np.zeros(len(generated))]
    folds = min(5, len(real), len(generated))
    if folds >= 2:
        scores = cross_val_predict(
            HistGradientBoostingClassifier(max_iter=100, random_state=seed), X, y,
            cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
            method="predict_proba")[:, 1]
        c2st = float(roc_auc_score(y, scores))
    else:
        c2st = float("nan")

    scale = real.std(axis=0)
    scale[scale == 0] = 1.0
    real_s, gen_s = real / scale, generated / scale
    if len(real) >= 2:
        real_nn = NearestNeighbors(n_neighbors=2).fit(real_s)
        own_gap = real_nn.kneighbors(real_s)[0][:, 1]
        gap, nearest = real_nn.kneighbors(gen_s, n_neighbors=1)
        memorized = float(np.mean(gap[:, 0] < own_gap[nearest[:, 0]]))
    else:
        memorized = float("nan")
    return GanQuality(c2st, ks, memorized, time.perf_counter() - start)
