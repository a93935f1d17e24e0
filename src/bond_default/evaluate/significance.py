"""Honest uncertainty: DeLong's test between two ROC-AUCs, and seed grids as mean, std, CI."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class DeLongResult:
    """Two correlated ROC-AUCs on the same rows, their difference and its p-value."""

    auc_a: float
    auc_b: float
    z: float
    p_value: float


def delong_test(y_true, scores_a, scores_b) -> DeLongResult:
    """DeLong's test of equal ROC-AUC for two scores of the same rows (two-sided).

    Uses the fast structural-component form of Sun and Xu (2014), *Fast implementation of
    DeLong's algorithm for comparing the areas under correlated receiver operating
    characteristic curves*, IEEE Signal Processing Letters 21(11).
    """
    from scipy.stats import norm, rankdata

    y = np.asarray(y_true).astype(bool)
    m, n = int(y.sum()), int((~y).sum())
    if m == 0 or n == 0:
        raise ValueError("DeLong's test needs both classes among the rows")
    aucs, v01, v10 = [], [], []
    for scores in (np.asarray(scores_a, float), np.asarray(scores_b, float)):
        pos, neg = scores[y], scores[~y]
        tx, ty = rankdata(pos), rankdata(neg)
        tz = rankdata(np.concatenate([pos, neg]))
        aucs.append(tz[:m].sum() / (m * n) - (m + 1) / (2 * n))
        v01.append((tz[:m] - tx) / n)
        v10.append(1.0 - (tz[m:] - ty) / m)
    cov = np.cov(np.vstack(v01)) / m + np.cov(np.vstack(v10)) / n
    variance = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    difference = aucs[0] - aucs[1]
    if variance <= 1e-15:
        return DeLongResult(aucs[0], aucs[1], 0.0, 1.0)
    z = difference / np.sqrt(variance)
    return DeLongResult(float(aucs[0]), float(aucs[1]), float(z), float(2 * norm.sf(abs(z))))


#: Below this, DeLong's p-value is printed as "< 0.001": the test is a normal approximation
#: of the AUC difference, whose far tail a test split with tens of defaulted rows does not
#: pin down (a p of 1e-193 from 9 defaulted rows is a number, not a finding).
P_FLOOR = 0.001


def format_p(p) -> str:
    """DeLong's p-value to the precision the test supports: two significant digits, and
    ``< 0.001`` below :data:`P_FLOOR`; empty where there is none."""
    if p is None or pd.isna(p):
        return ""
    if p < P_FLOOR:
        return f"< {P_FLOOR:g}"
    return f"{p:.2g}" if p < 0.1 else f"{p:.2f}"


def delong_against_reference(table: pd.DataFrame, predictions: dict,
                             reference=("cnn", "gan"),
                             keys=("seed", "data", "ratio")) -> pd.Series:
    """DeLong's p of each row's ROC-AUC against the ``reference`` cell (classifier, sampler)
    of the same ``keys``, on the same test rows. ``predictions`` maps a row's index to its
    frame of ``row``, ``y_true``, ``score``; rows without a reference or predictions get NaN.
    """
    p = pd.Series(float("nan"), index=table.index)
    keys = [k for k in keys if k in table]
    for _, group in table.groupby(keys, sort=False, dropna=False):
        ref = group[(group["classifier"] == reference[0])
                    & (group["sampler"] == reference[1])].index
        if len(ref) != 1 or ref[0] not in predictions:
            continue
        base = predictions[ref[0]]
        for index in group.index.drop(ref[0]):
            if index in predictions:
                both = base.merge(predictions[index], on="row", suffixes=("_ref", ""))
                p[index] = delong_test(both["y_true"], both["score"], both["score_ref"]).p_value
    return p


def seed_summary(table: pd.DataFrame, metrics=("roc_auc", "balanced_accuracy", "recall",
                                                "precision", "pr_auc")) -> pd.DataFrame:
    """One row per cell over its seeds: mean, std and 95% t-interval of each metric.

    ``table`` has one row per (cell, seed) with columns ``classifier``, ``sampler``, ``ratio``,
    ``data``, ``status`` and the metrics; failed seeds are left out and counted.
    """
    from scipy.stats import t

    keys = ["classifier", "sampler", "ratio", "data"]
    rows = []
    for cell, group in table.groupby(keys, sort=False, dropna=False):  # an unset ratio too
        done = group[group["status"] == "FINISHED"]
        row = dict(zip(keys, cell, strict=True))
        row["seeds"] = len(done)
        row["failed"] = len(group) - len(done)
        for metric in metrics:
            values = done[metric].astype(float).to_numpy()
            mean = float(np.mean(values)) if len(values) else np.nan
            std = float(np.std(values, ddof=1)) if len(values) > 1 else np.nan
            half = (float(t.ppf(0.975, len(values) - 1) * std / np.sqrt(len(values)))
                    if len(values) > 1 else np.nan)
            row.update({f"{metric}_mean": mean, f"{metric}_std": std,
                        f"{metric}_ci_low": mean - half, f"{metric}_ci_high": mean + half})
        if "delong_p" in done:
            p = done["delong_p"].astype(float).dropna()
            row["delong_p_median"] = float(p.median()) if len(p) else np.nan
            row["delong_p_below_05"] = f"{int((p < 0.05).sum())}/{len(p)}" if len(p) else ""
        rows.append(row)
    return pd.DataFrame(rows)
