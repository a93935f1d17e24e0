"""Test metrics of a scored split, named honestly (ROC-AUC from scores vs balanced accuracy)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

METRIC_NAMES = ("accuracy", "precision", "recall", "f1", "roc_auc", "balanced_accuracy",
                "pr_auc", "ks", "brier")


def evaluate(y_true, scores, threshold: float = 0.5) -> dict[str, float]:
    """The contract's test metrics and the confusion counts.

    Parameters
    ----------
    y_true : array-like of 0/1
        True labels of the test rows.
    scores : array-like of float
        Predicted default probabilities.
    threshold : float
        A row is predicted defaulted when its score is at least ``threshold``.

    Returns
    -------
    dict
        ``accuracy``, ``precision``, ``recall``, ``f1`` and ``balanced_accuracy`` at the
        threshold (the paper's "AUC" equals balanced accuracy); ``roc_auc`` and ``pr_auc``
        (average precision) from the scores; ``ks`` = max(TPR - FPR); ``brier``; ``tp``,
        ``fp``, ``fn``, ``tn``.
    """
    y_true = np.asarray(y_true).astype(int)
    scores = np.asarray(scores, dtype=float)
    predicted = (scores >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y_true, predicted, labels=[0, 1]).ravel()
    fpr, tpr, _ = roc_curve(y_true, scores)
    return {
        "accuracy": accuracy_score(y_true, predicted),
        "precision": precision_score(y_true, predicted, zero_division=0),
        "recall": recall_score(y_true, predicted, zero_division=0),
        "f1": f1_score(y_true, predicted, zero_division=0),
        "roc_auc": roc_auc_score(y_true, scores),
        "balanced_accuracy": balanced_accuracy_score(y_true, predicted),
        "pr_auc": average_precision_score(y_true, scores),
        "ks": float(np.max(tpr - fpr)),
        "brier": brier_score_loss(y_true, np.clip(scores, 0, 1)),
        "tp": int(tp), "fp": int(fp), "fn": int(fn), "tn": int(tn),
    }


#: Bins of the calibration figures: equal numbers of test rows (deciles of the predicted
#: probability), since at a 1.6% default rate equal-width bins would put almost every row in
#: the first.
CALIBRATION_BINS = 10


def calibration_bins(y_true, scores, n_bins: int = CALIBRATION_BINS) -> tuple[np.ndarray, ...]:
    """Per bin of equal row counts (by predicted probability): rows, mean predicted and
    observed default rate."""
    y_true = np.asarray(y_true).astype(float)
    scores = np.clip(np.asarray(scores, dtype=float), 0, 1)
    order = np.argsort(scores, kind="stable")
    bins = np.array_split(order, min(n_bins, len(order)))
    rows = np.array([len(b) for b in bins])
    predicted = np.array([scores[b].mean() for b in bins])
    observed = np.array([y_true[b].mean() for b in bins])
    return rows, predicted, observed


def calibration_metrics(y_true, scores, n_bins: int = CALIBRATION_BINS) -> dict[str, float]:
    """How right the probabilities of default are.

    Returns
    -------
    dict
        ``ece``: expected calibration error, the row-weighted mean of |mean predicted -
        observed default rate| over deciles of the prediction; ``brier_reliability`` (0 is
        perfect: predicted and observed rates agree bin by bin), ``brier_resolution`` (how far
        the bins' observed rates spread from the overall rate: higher separates better) and
        ``brier_uncertainty`` (the base rate's own variance), Murphy's decomposition on the
        same bins (``brier`` ~ reliability - resolution + uncertainty); ``mean_pd`` and
        ``default_rate``, the mean predicted and the observed default rate, and ``pd_ratio``,
        their ratio (1 is right; 5 means five times too high).
    """
    rows, predicted, observed = calibration_bins(y_true, scores, n_bins)
    weight = rows / rows.sum()
    rate = float(np.mean(np.asarray(y_true).astype(float)))
    mean_pd = float(np.mean(np.clip(np.asarray(scores, dtype=float), 0, 1)))
    return {
        "ece": float(np.sum(weight * np.abs(predicted - observed))),
        "brier_reliability": float(np.sum(weight * (predicted - observed) ** 2)),
        "brier_resolution": float(np.sum(weight * (observed - rate) ** 2)),
        "brier_uncertainty": rate * (1 - rate),
        "mean_pd": mean_pd,
        "default_rate": rate,
        "pd_ratio": mean_pd / rate if rate > 0 else float("nan"),
    }


def population_stability(expected, actual, n_bins: int = 10) -> float:
    """Population stability index of ``actual`` scores against ``expected`` ones.

    Bins are the deciles of ``expected`` (the training years' scores); PSI = sum over bins of
    (a - e) ln(a / e), shares floored at 1e-4. Read as: below 0.1 stable, 0.1-0.25 a shift
    worth a look, above 0.25 a population the model was not built on.
    """
    expected = np.asarray(expected, dtype=float)
    actual = np.asarray(actual, dtype=float)
    edges = np.unique(np.quantile(expected, np.linspace(0, 1, n_bins + 1)[1:-1]))
    e = np.bincount(np.searchsorted(edges, expected, side="right"),
                    minlength=len(edges) + 1) / len(expected)
    a = np.bincount(np.searchsorted(edges, actual, side="right"),
                    minlength=len(edges) + 1) / len(actual)
    e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))
