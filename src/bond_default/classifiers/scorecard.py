"""The weight-of-evidence scorecard, credit scoring's classic baseline, built on optbinning."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

#: Column names of :meth:`ScorecardClassifier.scorecard_table`, from optbinning's own.
TABLE_COLUMNS = {
    "Variable": "indicator", "Bin id": "bin_id", "Bin": "bin", "Count": "count",
    "Count (%)": "count_share", "Non-event": "non_events", "Event": "events",
    "Event rate": "event_rate", "WoE": "woe", "IV": "iv", "JS": "js",
    "Coefficient": "coefficient", "Points": "points",
}
#: optbinning's two bins that every indicator has beside its own (empty when no value is
#: missing or special: the preprocess step imputes gaps).
EXTRA_BINS = ("Special", "Missing")


#: Least share of the training rows in either bin of a 0/1 flag (``min_bin_size`` does not
#: apply to flags: a gap in 2% of the rows is a bin of its own).
FLAG_MIN_SHARE = 0.001


def _auto_categorical(columns: list[str]) -> list[str]:
    """The columns the indicator catalogue calls categorical."""
    from bond_default.data.catalogue import BY_NAME

    return [c for c in columns if c in BY_NAME and BY_NAME[c].kind == "categorical"]


def _flags(columns: list[str]) -> list[str]:
    """0/1 columns by name: the catalogue's binary indicators, the preprocess step's
    missing-value flags (``missing=<column>``)."""
    from bond_default.data.catalogue import BY_NAME
    from bond_default.pipeline.preprocess import MISSING_PREFIX

    return [c for c in columns if c.startswith(MISSING_PREFIX)
            or (c in BY_NAME and BY_NAME[c].kind == "binary")]


class ScorecardClassifier(ClassifierMixin, BaseEstimator):
    """Weight-of-evidence scorecard: optimal binning, logistic regression on the WoE, points.

    Each indicator is cut into a few bins by optbinning's optimal binning (numeric ones with
    a monotonic trend of the default rate across bins, categorical ones by grouping their
    levels), every value is replaced by its bin's weight of evidence
    ``log(share of non-defaulted / share of defaulted)``, and a logistic regression is fitted
    on those. The scorecard then gives each bin its points (``pdo``/``odds`` scaling: a bond's
    points are the sum of its bins', more points means safer, ``pdo`` more points halve its
    odds of default). :meth:`scorecard_table` and :meth:`information_value` are what a
    credit analyst reads.

    The input is the preprocess step's output: a DataFrame (or an array, whose columns are
    named ``x0``, ``x1``, ...) with categorical indicators ordinal-encoded as numbers. Codes
    that are not whole numbers (SMOTE interpolates between two levels) are rounded to the
    nearest level; a level not seen in training scores as the average (WoE 0). 0/1 flags
    (the catalogue's binary indicators, the preprocess step's ``missing=<column>`` flags) are
    rounded too and may be split however rare their 1s are (down to ``FLAG_MIN_SHARE`` of the
    rows, not ``min_bin_size``): in the Polish data a gap is a sign of bankruptcy in columns
    where gaps are rare.

    Parameters
    ----------
    max_n_bins : int or None
        Most bins per indicator (``None``: no limit).
    min_bin_size : float or None
        Least share of the training rows in a bin.
    max_n_prebins : int
        Bins of the pre-binning (a decision tree) that the optimal bins merge.
    monotonic_trend : str or None
        Trend of the default rate across the bins of a numeric indicator, as optbinning's
        ``OptimalBinning``: ``"auto_asc_desc"`` (ascending or descending, whichever fits
        better: the classic scorecard), ``"auto"`` (also peaks and valleys), ``"ascending"``,
        ``"descending"``, ... or ``None`` (no constraint). Categorical indicators are
        grouped by their default rates whatever this says.
    categorical_columns : "auto" or list of str
        Columns binned as categories; ``"auto"``: those the indicator catalogue calls
        categorical (``bond_default.data.catalogue``).
    cat_cutoff : float or None
        Levels of a categorical indicator rarer than this share are grouped together.
    C : float
        Inverse L2 regularisation of the logistic regression.
    class_weight : dict, "balanced" or None
        Class weights of the logistic regression.
    max_iter : int
        Iterations of the logistic regression's solver.
    pdo : float
        Points to double the odds.
    odds : float
        Odds (non-defaulted : defaulted) at ``base_points``.
    base_points : float
        Total points at which the odds are ``odds``.
    random_state : int or None
        Seed of the logistic regression's solver.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The two class labels; the second is the event (default).
    columns_ : list of str
        Names of the input columns, as binned.
    categorical_columns_ : list of str
        The columns binned as categories.
    flag_columns_ : list of str
        The 0/1 flags, binned without the ``min_bin_size`` floor.
    n_rounded_codes_ : int
        Values of those columns in the training rows that were not whole numbers (rows a
        sampler made between two levels) and were rounded to the nearest level.
    scorecard_ : optbinning.Scorecard
        The fitted scorecard (binning process, logistic regression, points).
    binning_process_ : optbinning.BinningProcess
        Its fitted binning of every indicator.
    logistic_ : sklearn.linear_model.LogisticRegression
        Its fitted logistic regression on the WoE, one coefficient per input column.
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : numpy.ndarray
        Input column names, when fitted on a DataFrame.
    """

    def __init__(self, max_n_bins: int | None = 6, min_bin_size: float | None = 0.05,
                 max_n_prebins: int = 20, monotonic_trend: str | None = "auto_asc_desc",
                 categorical_columns="auto", cat_cutoff: float | None = None, C: float = 1.0,
                 class_weight=None, max_iter: int = 1000, pdo: float = 20.0,
                 odds: float = 50.0, base_points: float = 600.0,
                 random_state: int | None = None) -> None:
        self.max_n_bins = max_n_bins
        self.min_bin_size = min_bin_size
        self.max_n_prebins = max_n_prebins
        self.monotonic_trend = monotonic_trend
        self.categorical_columns = categorical_columns
        self.cat_cutoff = cat_cutoff
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.pdo = pdo
        self.odds = odds
        self.base_points = base_points
        self.random_state = random_state

    def fit(self, X, y):
        """Bin every column of ``X`` on the labels ``y``, fit the regression, score the bins.

        Parameters
        ----------
        X : pandas.DataFrame or numpy.ndarray of shape (n_rows, n_columns)
            Preprocessed indicators (categorical ones as numeric codes).
        y : array-like of shape (n_rows,)
            Two class labels; the larger is the event (default).

        Returns
        -------
        self : ScorecardClassifier
        """
        from optbinning import BinningProcess, Scorecard

        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns.astype(str), dtype=object)
            columns = list(self.feature_names_in_)
        else:
            columns = [f"x{i}" for i in range(np.shape(X)[1])]
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        self.columns_ = columns
        self.n_features_in_ = len(columns)
        if isinstance(self.categorical_columns, str):
            if self.categorical_columns != "auto":
                raise ValueError(f"categorical_columns={self.categorical_columns!r}; allowed: "
                                 "'auto' or a list of column names")
            categorical = _auto_categorical(columns)
        else:
            categorical = [str(c) for c in self.categorical_columns or []]
            unknown = sorted(set(categorical) - set(columns))
            if unknown:
                raise ValueError(f"categorical_columns {unknown} are not columns of X")
        self.categorical_columns_ = categorical
        self.flag_columns_ = [c for c in _flags(columns) if c not in categorical]

        y = np.asarray(y).ravel()
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(f"the scorecard needs two classes in y; got {len(self.classes_)}")
        event = (y == self.classes_[1]).astype(int)

        numeric = {c: {"monotonic_trend": self.monotonic_trend} for c in columns
                   if c not in categorical}
        flags = {c: {"min_bin_size": None, "min_prebin_size": FLAG_MIN_SHARE}
                 for c in self.flag_columns_}
        categories = {c: {"cat_cutoff": self.cat_cutoff} for c in categorical}
        binning = BinningProcess(
            columns, categorical_variables=categorical or None, max_n_bins=self.max_n_bins,
            min_bin_size=self.min_bin_size, max_n_prebins=self.max_n_prebins,
            binning_fit_params={**numeric, **flags, **categories})
        logistic = LogisticRegression(C=self.C, class_weight=self.class_weight,
                                      max_iter=self.max_iter, random_state=self.random_state)
        self.scorecard_ = Scorecard(
            binning, logistic, scaling_method="pdo_odds",
            scaling_method_params={"pdo": self.pdo, "odds": self.odds,
                                   "scorecard_points": self.base_points})
        frame, self.n_rounded_codes_ = self._frame(X, count_rounded=True)
        self.scorecard_.fit(frame, event)
        self.binning_process_ = self.scorecard_.binning_process_
        self.logistic_ = self.scorecard_.estimator_
        return self

    def _frame(self, X, count_rounded: bool = False):
        """``X`` as a DataFrame of the fitted columns; categorical codes rounded to levels
        (with ``count_rounded``, also how many values were not whole numbers)."""
        if isinstance(X, pd.DataFrame):
            frame = X.copy()
            frame.columns = frame.columns.astype(str)
            frame = frame[self.columns_]
        else:
            array = np.asarray(X)
            if array.ndim != 2 or array.shape[1] != len(self.columns_):
                raise ValueError(f"X has {np.shape(X)[-1]} columns; the scorecard was fitted "
                                 f"on {len(self.columns_)}")
            frame = pd.DataFrame(array, columns=self.columns_)
        rounded = 0
        for column in self.categorical_columns_ + self.flag_columns_:
            values = pd.to_numeric(frame[column]).to_numpy(dtype=float)
            codes = np.round(values)
            rounded += int(np.sum(np.isfinite(values) & (codes != values)))
            if column in self.flag_columns_ or not np.isfinite(codes).all():
                frame[column] = codes
            else:
                frame[column] = codes.astype(np.int64)
        return (frame, rounded) if count_rounded else frame

    def woe(self, X) -> pd.DataFrame:
        """Each value's bin weight of evidence (the regression's input), one column per input.

        Parameters
        ----------
        X : pandas.DataFrame or numpy.ndarray
            Rows with the fitted columns.
        """
        check_is_fitted(self, "scorecard_")
        frame = self._frame(X)
        return self.binning_process_.transform(frame, metric="woe")

    def decision_function(self, X) -> np.ndarray:
        """Log-odds of the event (default) for each row of ``X``."""
        check_is_fitted(self, "scorecard_")
        return self.logistic_.decision_function(self.woe(X))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns in the order of :attr:`classes_`."""
        check_is_fitted(self, "scorecard_")
        return self.logistic_.predict_proba(self.woe(X))

    def predict(self, X) -> np.ndarray:
        """The more probable class of each row."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def points(self, X) -> np.ndarray:
        """Each row's scorecard points: the sum of its bins' points (more is safer)."""
        check_is_fitted(self, "scorecard_")
        return self.scorecard_.score(self._frame(X))

    def scorecard_table(self) -> pd.DataFrame:
        """The detailed scorecard: one row per bin of each indicator.

        Returns
        -------
        pandas.DataFrame
            ``indicator``, ``bin_id``, ``bin`` (its interval or levels, as text), ``count``,
            ``count_share``, ``non_events``, ``events``, ``event_rate``, ``woe``, ``iv``,
            ``js``, ``coefficient`` and ``points``. Every indicator ends with optbinning's
            ``Special`` and ``Missing`` bins (empty here, as the preprocess step imputes gaps;
            their points are what a missing value would score).
        """
        check_is_fitted(self, "scorecard_")
        table = self.scorecard_.table(style="detailed").rename(columns=TABLE_COLUMNS)
        table = table[[c for c in TABLE_COLUMNS.values() if c in table.columns]].copy()
        table["bin"] = [_bin_text(b) for b in table["bin"]]
        return table.reset_index(drop=True)

    def information_value(self) -> pd.Series:
        """Information value of each indicator's binning, largest first.

        Returns
        -------
        pandas.Series
            IV indexed by indicator, named ``iv``. Read by the usual rule of thumb: below
            0.02 not predictive, 0.02-0.1 weak, 0.1-0.3 medium, above 0.3 strong.
        """
        check_is_fitted(self, "scorecard_")
        summary = self.binning_process_.summary()
        iv = pd.Series(summary["iv"].to_numpy(dtype=float), index=summary["name"].astype(str),
                       name="iv")
        iv.index.name = "indicator"
        return iv.sort_values(ascending=False, kind="stable")


def _bin_text(value) -> str:
    """A bin of the table as text: ``[0.53, 0.59)``, or a categorical bin's levels ``[1, 4]``."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)
