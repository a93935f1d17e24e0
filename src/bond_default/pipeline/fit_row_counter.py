"""A pass-through pipeline step that records how many rows reach the classifier."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator


class FitRowCounter(BaseEstimator):
    """Last resampling step of every pipeline: passes rows through and counts them.

    Samplers run only while the pipeline is fitted, so the counts are those of the rows handed
    to the classifier after over- and under-sampling (``n_fit``, ``n_fit_defaulted``), whatever
    the sampler did; prediction never passes through this step.

    Attributes
    ----------
    n_rows_ : int
        Rows handed to the classifier.
    n_defaulted_ : int
        Of which defaulted (label 1).
    """

    def fit(self, X, y):
        """Record the counts (also done by :meth:`fit_resample`)."""
        self.fit_resample(X, y)
        return self

    def fit_resample(self, X, y):
        """Return ``X, y`` unchanged after counting their rows."""
        labels = np.asarray(y)
        self.n_rows_ = int(labels.shape[0])
        self.n_defaulted_ = int((labels == 1).sum())
        return X, y
