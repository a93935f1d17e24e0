"""``threshold=cost``: the decision threshold that minimises the cost of wrong decisions."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix, make_scorer


def negative_cost(y_true, y_pred, cost_fn: float = 10.0, cost_fp: float = 1.0) -> float:
    """Minus the mean cost per bond: ``cost_fn`` per missed default, ``cost_fp`` per bond
    flagged that did not default (a score to maximise)."""
    tn, fp, fn, tp = confusion_matrix(np.asarray(y_true).astype(int),
                                      np.asarray(y_pred).astype(int), labels=[0, 1]).ravel()
    return -(cost_fn * fn + cost_fp * fp) / max(len(y_true), 1)


def cost_scorer(cost_fn: float = 10.0, cost_fp: float = 1.0):
    """A scikit-learn scorer of :func:`negative_cost` for ``TunedThresholdClassifierCV``."""
    if cost_fn < 0 or cost_fp < 0 or cost_fn + cost_fp == 0:
        from bond_default.errors import InputError

        raise InputError(f"threshold.cost_fn={cost_fn} and threshold.cost_fp={cost_fp}: costs "
                         "must be 0 or more, and not both 0")
    return make_scorer(negative_cost, cost_fn=float(cost_fn), cost_fp=float(cost_fp))
