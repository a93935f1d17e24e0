"""Can generated defaulted rows be trusted? Three checks that none of the anchors reports."""

from __future__ import annotations

import time
from collections import Counter
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
        nearest real neighbour: near-copies rather than new rows. Not 0 for an ideal
        generator (a fresh real row is often that near a training row):
        ``memorized_share_real`` is the level to read it against, above it is copying, below
        it rows farther from the real ones than real rows are. A collapsed generator (every
        row near one point) can score high here too; ``spread_ratio`` tells them apart.
    memorized_share_real : float
        The same share for the real rows themselves, each taken out in turn and judged as a
        new row against the others (on the default market 0.41-0.44, where the test split's
        real defaulted rows, never learned from, score 0.38-0.49).
    spread_ratio : float
        Mean over columns of the generated rows' standard deviation over the real rows'
        (1 for a generator that keeps the spread; near 0 for one that has collapsed).
    distinct_share : float
        Share of generated rows that are distinct from each other (collapse: few).
    year_consistency : float
        Share of generated rows whose year-level columns take a combination some real year
        has (NaN without year-level columns).
    memorized_share_generated_columns, memorized_share_real_generated_columns : float
        ``memorized_share`` and its real rows' level judged on the generated columns alone,
        where a sampler takes some columns from a real row (year-level ones, discrete ones:
        ``copied_positions``): a row whose copied columns equal its source row's is near
        that row by construction, so the whole-row figure overstates copying. NaN when no
        column is copied.
    copied_unique_share : float
        Share of generated rows whose values in the copied columns are those of exactly one
        real row: rows that carry one real bond's profile in those columns (with discrete
        columns taken from real rows, its ratings, type, term, industry and year), the rest
        generated beside it. Near 0 when only year-level columns are copied (many bonds
        share a year); NaN when no column is copied.
    pair_consistency : float
        Share of generated rows in which every pair of discrete columns (at most 20 levels
        among all training rows, year-level columns aside) takes a pair of values some
        training row has: a row with a bond type and a term no bond ever had fails. NaN with
        fewer than two discrete columns.
    seconds : float
        Time the checks took.
    """

    c2st_auc: float
    ks: pd.Series
    memorized_share: float
    spread_ratio: float = float("nan")
    memorized_share_real: float = float("nan")
    distinct_share: float = float("nan")
    year_consistency: float = float("nan")
    seconds: float = 0.0
    memorized_share_generated_columns: float = float("nan")
    memorized_share_real_generated_columns: float = float("nan")
    copied_unique_share: float = float("nan")
    pair_consistency: float = float("nan")

    def metrics(self, prefix: str = "sampler_") -> dict[str, float]:
        """Scalar summary for MLflow (year-consistency only where there are year columns, the
        real rows' near-copies only where there are three real rows or more)."""
        out = {f"{prefix}c2st_auc": self.c2st_auc, f"{prefix}ks_mean": float(self.ks.mean()),
               f"{prefix}ks_max": float(self.ks.max()),
               f"{prefix}memorized_share": self.memorized_share,
               f"{prefix}spread_ratio": self.spread_ratio,
               f"{prefix}distinct_share": self.distinct_share}
        if not np.isnan(self.memorized_share_real):
            out[f"{prefix}memorized_share_real"] = self.memorized_share_real
        if not np.isnan(self.year_consistency):
            out[f"{prefix}year_consistency"] = self.year_consistency
        if not np.isnan(self.memorized_share_generated_columns):
            out[f"{prefix}memorized_share_generated_columns"] = \
                self.memorized_share_generated_columns
            out[f"{prefix}memorized_share_real_generated_columns"] = \
                self.memorized_share_real_generated_columns
        if not np.isnan(self.copied_unique_share):
            out[f"{prefix}copied_unique_share"] = self.copied_unique_share
        if not np.isnan(self.pair_consistency):
            out[f"{prefix}pair_consistency"] = self.pair_consistency
        return out


def year_consistency(generated: np.ndarray, every: np.ndarray, positions) -> float:
    """Share of ``generated`` rows whose values at ``positions`` match a row of ``every``."""
    positions = np.asarray(positions, dtype=int)
    if positions.size == 0:
        return float("nan")
    real_years = {tuple(row) for row in np.round(every[:, positions], 9)}
    return float(np.mean([tuple(row) in real_years
                          for row in np.round(generated[:, positions], 9)]))


def pair_consistency(generated: np.ndarray, every: np.ndarray, skip=(),
                     max_levels: int = 20) -> float:
    """Share of ``generated`` rows whose every pair of discrete columns of ``every`` (at most
    ``max_levels`` levels; ``skip`` aside) is a pair some row of ``every`` has."""
    skipped = set(np.asarray(skip, dtype=int).tolist())
    discrete = [j for j in range(every.shape[1])
                if j not in skipped and len(np.unique(every[:, j])) <= max_levels]
    if len(discrete) < 2:
        return float("nan")
    real, new = np.round(every, 9), np.round(generated, 9)
    consistent = np.ones(len(generated), dtype=bool)
    for position, a in enumerate(discrete):
        for b in discrete[position + 1:]:
            seen = set(zip(real[:, a], real[:, b], strict=True))
            pairs = zip(new[:, a], new[:, b], strict=True)
            consistent &= np.fromiter((pair in seen for pair in pairs), dtype=bool,
                                      count=len(new))
    return float(consistent.mean())


def copied_unique_share(real: np.ndarray, generated: np.ndarray, positions) -> float:
    """Share of ``generated`` rows whose values at ``positions`` match exactly one row of
    ``real``; NaN without positions."""
    positions = np.asarray(positions, dtype=int)
    if positions.size == 0:
        return float("nan")
    counts = Counter(map(tuple, np.round(real[:, positions], 9)))
    return float(np.mean([counts.get(tuple(row), 0) == 1
                          for row in np.round(generated[:, positions], 9)]))


def near_copies(real: np.ndarray, generated: np.ndarray) -> tuple[float, float]:
    """Share of ``generated`` rows nearer some real row than that row is to its own nearest
    real neighbour, and the same share for the real rows (each taken out and judged as new);
    columns scaled by the real rows' standard deviation; NaN with too few real rows."""
    from sklearn.neighbors import NearestNeighbors

    scale = real.std(axis=0)
    scale[scale == 0] = 1.0
    real_s, gen_s = real / scale, generated / scale
    memorized = memorized_real = float("nan")
    if len(real) >= 2:
        real_nn = NearestNeighbors(n_neighbors=min(3, len(real))).fit(real_s)
        distance, index = real_nn.kneighbors(real_s)
        own_gap = distance[:, 1]
        gap, nearest = real_nn.kneighbors(gen_s, n_neighbors=1)
        memorized = float(np.mean(gap[:, 0] < own_gap[nearest[:, 0]]))
        if len(real) >= 3:
            # row i taken out and judged as new: its nearest other row j, and j's own gap
            # to its nearest neighbour other than i
            rows, other = np.arange(len(real)), index[:, 1]
            other_gap = np.where(index[other, 1] == rows, distance[other, 2],
                                 distance[other, 1])
            memorized_real = float(np.mean(distance[:, 1] < other_gap))
    return memorized, memorized_real


def assess(real: np.ndarray, generated: np.ndarray, names=None, seed: int = 0,
           year_positions=(), every: np.ndarray | None = None,
           copied_positions=()) -> GanQuality:
    """Compare ``generated`` rows with the ``real`` rows the sampler learned from.

    ``year_positions`` are the year-level columns, checked against the years of ``every``
    (all training rows; default ``real``); ``copied_positions`` the columns the sampler took
    from real rows rather than generated (near-copies are also judged without them).
    """
    from scipy.stats import ks_2samp
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

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

    memorized, memorized_real = near_copies(real, generated)
    kept_columns = np.setdiff1d(np.arange(real.shape[1]), np.asarray(copied_positions, int))
    memorized_kept = memorized_real_kept = float("nan")
    if 0 < len(kept_columns) < real.shape[1]:
        memorized_kept, memorized_real_kept = near_copies(real[:, kept_columns],
                                                          generated[:, kept_columns])
    real_sd = real.std(axis=0)
    kept = real_sd > 0
    spread = float(np.mean(generated.std(axis=0)[kept] / real_sd[kept])) if kept.any() \
        else float("nan")
    distinct = len(np.unique(np.round(generated, 9), axis=0)) / max(len(generated), 1)
    years = year_consistency(generated, real if every is None else every, year_positions)
    return GanQuality(c2st, ks, memorized, spread, memorized_real, distinct, years,
                      time.perf_counter() - start, memorized_kept, memorized_real_kept,
                      copied_unique_share(real, generated, copied_positions),
                      pair_consistency(generated, real if every is None else every,
                                       skip=year_positions))
