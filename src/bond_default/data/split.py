"""Train/test splits: stratified (the paper) or out-of-time by outcome year."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

from bond_default.data.dataset import BondData
from bond_default.errors import InputError


class StratifiedSplit:
    """Stratified random split (``split=paper``: 70/30, seeded).

    Parameters
    ----------
    test_size : float
        Share of rows in the test split, in (0, 1).
    """

    def __init__(self, test_size: float = 0.3) -> None:
        self.test_size = test_size

    def split(self, data: BondData, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """Row positions of the train and test splits."""
        if not 0 < self.test_size < 1:
            raise InputError(f"split.test_size={self.test_size} must lie strictly between 0 and 1")
        positions = np.arange(len(data))
        if data.label.value_counts().min() < 2:
            raise InputError(f"{data.name} has fewer than 2 defaulted rows; a stratified split "
                             "needs at least 2")
        train, test = train_test_split(positions, test_size=self.test_size,
                                       stratify=data.label.to_numpy(), random_state=seed)
        return np.sort(train), np.sort(test)


class OutOfTimeSplit:
    """Train on outcome years before ``test_from_year``, test on that year and later.

    Parameters
    ----------
    test_from_year : int
        First outcome year of the test split.
    """

    def __init__(self, test_from_year: int = 2020) -> None:
        self.test_from_year = test_from_year

    def split(self, data: BondData, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """Row positions of the train and test splits (``seed`` is unused: the split is fixed)."""
        if data.year is None:
            raise InputError(f"split=out_of_time needs a year column, and {data.name} has none; "
                             "set data.year to the column holding the outcome year")
        years = data.year.to_numpy()
        train = np.flatnonzero(years < self.test_from_year)
        test = np.flatnonzero(years >= self.test_from_year)
        for part, rows in (("training", train), ("test", test)):
            if len(rows) == 0 or data.label.iloc[rows].nunique() < 2:
                raise InputError(
                    f"split.test_from_year={self.test_from_year} leaves the {part} split of "
                    f"{data.name} without both classes (years {years.min()}-{years.max()})"
                )
        return train, test
