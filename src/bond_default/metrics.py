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
