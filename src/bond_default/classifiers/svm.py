"""The paper's SVM baseline, exact on the paper's data size and approximated above a limit."""

from __future__ import annotations

import logging

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.kernel_approximation import Nystroem
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC, LinearSVC
from sklearn.utils.validation import check_is_fitted, validate_data

log = logging.getLogger(__name__)


class ScalableSVC(ClassifierMixin, BaseEstimator):
    """RBF support vector machine whose training time stays near-linear on large data.

    Up to ``max_exact_rows`` training rows it is scikit-learn's exact ``SVC`` (whose time
    grows about quadratically with the rows: ~8 s at the paper's 17,737 here, hours at 10x).
    Above, the RBF kernel is approximated by ``Nystroem`` features (``n_components`` of them)
    and a ``LinearSVC`` is trained on those, which grows linearly. Either way probabilities
    come from sigmoid calibration on ``cv`` folds (scikit-learn deprecates
    ``SVC(probability=True)``). :attr:`method_` says which was used; the run logs it as the
    tag ``classifier_method``.

    Parameters
    ----------
    C : float
        Regularisation (both methods).
    gamma : "scale" or float
        RBF kernel width; ``"scale"`` is ``1 / (n_features * X.var())`` as in ``SVC``.
    max_exact_rows : int
        Largest training set fitted with the exact SVC.
    n_components : int
        Nystroem features of the approximation.
    cv : int
        Calibration folds.
    random_state : int or None
        Seed of the approximation, the linear solver and the SVC.

    Attributes
    ----------
    method_ : str
        ``"exact SVC"`` or ``"Nystroem(n) + LinearSVC"``.
    calibrated_ : CalibratedClassifierCV
        The fitted model.
    """

    def __init__(self, C: float = 1.0, gamma="scale", max_exact_rows: int = 20_000,
                 n_components: int = 500, cv: int = 3, random_state: int | None = None) -> None:
        self.C = C
        self.gamma = gamma
        self.max_exact_rows = max_exact_rows
        self.n_components = n_components
        self.cv = cv
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the exact or the approximated SVM, by the number of rows of ``X``."""
        X, y = validate_data(self, X, y)
        self.classes_ = np.unique(y)
        if len(X) <= self.max_exact_rows:
            model = SVC(kernel="rbf", C=self.C, gamma=self.gamma, random_state=self.random_state)
            self.method_ = "exact SVC"
        else:
            gamma = (1.0 / (X.shape[1] * X.var()) if self.gamma == "scale"
                     else float(self.gamma))
            model = make_pipeline(
                Nystroem(kernel="rbf", gamma=gamma, n_components=self.n_components,
                         random_state=self.random_state),
                LinearSVC(C=self.C, random_state=self.random_state))
            self.method_ = f"Nystroem({self.n_components}) + LinearSVC"
            log.info("svm: %d training rows > max_exact_rows=%d, so the RBF kernel is "
                     "approximated: %s (the exact SVC grows quadratically)", len(X),
                     self.max_exact_rows, self.method_)
        self.calibrated_ = CalibratedClassifierCV(model, method="sigmoid", cv=self.cv,
                                                  ensemble=False).fit(X, y)
        return self

    def predict_proba(self, X):
        """Calibrated class probabilities, columns as ``classes_``."""
        check_is_fitted(self, "calibrated_")
        return self.calibrated_.predict_proba(validate_data(self, X, reset=False))

    def predict(self, X):
        """Most probable class."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
