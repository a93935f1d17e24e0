"""The pipeline step that keeps real rows out of training, for a network's early stopping."""

from __future__ import annotations

import logging

import numpy as np
from sklearn.base import BaseEstimator

log = logging.getLogger(__name__)


def stratified_holdout(y, fraction: float, seed) -> tuple[np.ndarray, np.ndarray] | None:
    """Row positions to train on and to validate on, with the classes' shares kept.

    ``None`` when the rows are too few for a slice with at least one row of each class on
    both sides (the caller then trains without validation, and says so).
    """
    from sklearn.model_selection import train_test_split

    labels = np.asarray(y)
    _, counts = np.unique(labels, return_counts=True)
    if len(counts) < 2 or counts.min() < 2 or not 0 < fraction < 1:
        return None
    positions = np.arange(len(labels))
    try:
        return tuple(train_test_split(positions, test_size=fraction, stratify=labels,
                                      random_state=None if seed is None else int(seed)))
    except ValueError:  # a slice too small to hold every class
        return None


def take_rows(X, positions):
    """Rows of an array or DataFrame by position."""
    return X.iloc[positions] if hasattr(X, "iloc") else X[positions]


class ValidationHoldout(BaseEstimator):
    """Pipeline step before the samplers: a stratified slice of real rows is held out.

    Over-samplers make rows that resemble defaulted bonds; a network judged on those would
    be judged on the generator's work, so the rows that decide when a network stops training
    are cut here, before any resampling, from the real training rows, and handed to the
    classifier by :class:`bond_default.pipeline.bond_pipeline.BondPipeline`. The step sits after the
    preprocessing (the held-out rows are scaled and encoded like every other row; the scaler
    saw their features, never their labels). Like every sampler it acts only while the
    pipeline is fitted: prediction passes by it.

    Parameters
    ----------
    fraction : float
        Share of the rows held out (``trainer.validation_fraction``).
    random_state : int or None
        Seed of the stratified split.

    Attributes
    ----------
    n_rows_, n_defaulted_ : int
        Rows held out, and of those defaulted (label 1); 0 when the rows were too few.
    """

    def __init__(self, fraction: float = 0.2, random_state=None) -> None:
        self.fraction = fraction
        self.random_state = random_state

    def fit(self, X, y):
        """Same as :meth:`fit_resample`, for scikit-learn's API."""
        self.fit_resample(X, y)
        return self

    def fit_resample(self, X, y):
        """The rows to train on; the held-out slice is kept until :meth:`take`."""
        split = stratified_holdout(y, float(self.fraction), self.random_state)
        if split is None:
            log.warning("too few rows of each class for a validation slice of %.0f%%: the "
                        "network trains its full epochs without one", 100 * self.fraction)
            self._held = None
            self.n_rows_ = self.n_defaulted_ = 0
            return X, y
        keep, held = split
        y = np.asarray(y)
        self._held = (take_rows(X, held), y[held])
        self.n_rows_, self.n_defaulted_ = len(held), int((y[held] == 1).sum())
        return take_rows(X, keep), y[keep]

    def take(self):
        """The held-out ``(X, y)``, once (``None`` without a slice); not kept in the model."""
        held, self._held = getattr(self, "_held", None), None
        return held
