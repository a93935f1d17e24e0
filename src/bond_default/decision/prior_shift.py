"""``calibration=prior``: scores mapped back to the training rows' default rate."""

from __future__ import annotations

import logging

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

log = logging.getLogger(__name__)


def shift_prior(scores, fit_rate: float, true_rate: float) -> np.ndarray:
    """Probabilities of a model fitted at default rate ``fit_rate``, at rate ``true_rate``.

    Bayes' rule under a change of class priors (Saerens, Latinne and Decaestecker 2002): the
    odds are multiplied by ``(true_rate / (1 - true_rate)) / (fit_rate / (1 - fit_rate))``.
    Exact when resampling changed only how many rows of each class the model saw.
    """
    p = np.clip(np.asarray(scores, dtype=float), 0.0, 1.0)
    up = true_rate / fit_rate
    down = (1.0 - true_rate) / (1.0 - fit_rate)
    with np.errstate(invalid="ignore", divide="ignore"):
        shifted = p * up / (p * up + (1.0 - p) * down)
    return np.where(np.isfinite(shifted), shifted, p)


class PriorShiftCalibration(ClassifierMixin, BaseEstimator):
    """A classifier whose probabilities are mapped from the resampled rows' default rate
    back to the training rows' (the prior-shift correction; no extra data is used).

    Over-sampling to 1 defaulted per 10 non-defaulted rows makes a model's probabilities
    several times too high for a market where 1.6% of bonds default. After fitting
    ``estimator`` on the training rows, the default rate the classifier saw is read from the
    pipeline's ``count`` step
    (:class:`bond_default.pipeline.fit_row_counter.FitRowCounter`, the rows handed to the
    classifier after resampling), the true one from the training labels, and
    :func:`shift_prior` maps every score. The ranking (ROC-AUC) does not change.

    Parameters
    ----------
    estimator : estimator
        The pipeline (or any classifier with ``predict_proba``); cloned and fitted.
    fit_rate : "auto" or float
        Default rate of the rows the classifier was fitted on; ``auto`` reads it from the
        pipeline's ``count`` step (no correction, and said, when there is none).

    Attributes
    ----------
    estimator_ : estimator
        The fitted estimator.
    fit_rate_ : float
        Default rate the classifier was fitted at.
    true_rate_ : float
        Default rate of the training rows.
    classes_ : ndarray
        ``[0, 1]``.
    """

    def __init__(self, estimator, fit_rate="auto") -> None:
        self.estimator = estimator
        self.fit_rate = fit_rate

    def fit(self, X, y, **params):
        """Fit the estimator, then read both default rates."""
        labels = np.asarray(y).astype(int)
        self.estimator_ = clone(self.estimator).fit(X, labels, **params)
        self.classes_ = np.asarray(self.estimator_.classes_)
        self.true_rate_ = float(labels.mean())
        if self.fit_rate == "auto":
            counter = getattr(self.estimator_, "named_steps", {}).get("count")
            if counter is None:
                log.warning("calibration=prior: %s has no count step to read the resampled "
                            "default rate from; probabilities are left as they are",
                            type(self.estimator_).__name__)
                self.fit_rate_ = self.true_rate_
            else:
                self.fit_rate_ = counter.n_defaulted_ / counter.n_rows_
        else:
            self.fit_rate_ = float(self.fit_rate)
        return self

    def predict_proba(self, X):
        """The estimator's probabilities at the training rows' default rate."""
        check_is_fitted(self, "estimator_")
        p = shift_prior(self.estimator_.predict_proba(X)[:, 1], self.fit_rate_,
                        self.true_rate_)
        return np.column_stack([1.0 - p, p])

    def predict(self, X):
        """Defaulted (1) where the shifted probability is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)
