"""The in-memory form every data source returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from bond_default.data.profile import DataProfile

LABEL = "default"
YEAR = "year"


@dataclass
class BondData:
    """Indicators, the 0/1 default label and, where known, the year of the outcome.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per bond, one column per indicator (catalogue names where they apply).
    label : pandas.Series or None
        1 if the bond defaulted in the outcome year, else 0 (integer dtype); None for new
        bonds read to be scored.
    year : pandas.Series or None
        Outcome year t of each row (features are of year t-1); needed by ``split=out_of_time``.
    name : str
        Short name of the data set, logged as the ``dataset`` tag.
    true_drivers : list of str or None
        Synthetic data only: indicators that truly drive default, most influential first.
    rows_before_missing_policy : int
        Rows read before rows with gaps were removed (equal to ``len(features)`` otherwise).
    profile : DataProfile or None
        Data read from a file: every column's role and what reading it changed.
    """

    features: pd.DataFrame
    label: pd.Series | None
    year: pd.Series | None
    name: str
    true_drivers: list[str] | None = None
    rows_before_missing_policy: int = 0
    profile: DataProfile | None = None

    def __len__(self) -> int:
        return len(self.features)

    @property
    def n_defaulted(self) -> int:
        """Number of defaulted rows."""
        return int(self.label.sum())
