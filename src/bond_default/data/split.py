"""Train/test splits: stratified (the paper), out-of-time by outcome year, or walk-forward
(one fold per test year, trained on the earlier years).

Every split has ``folds(data, seed)``: a list of ``(test_year, train, test)`` row positions
(``test_year`` is None for a single split); a cell fits one model per fold.
"""

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

    def folds(self, data: BondData, seed: int) -> list[tuple[int | None, np.ndarray, np.ndarray]]:
        """The one fold of this split."""
        return [(None, *self.split(data, seed))]


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

    def folds(self, data: BondData, seed: int) -> list[tuple[int | None, np.ndarray, np.ndarray]]:
        """The one fold of this split."""
        return [(None, *self.split(data, seed))]


class WalkForwardSplit:
    """A backtest: for each outcome year from ``first_test_year`` to the last, train on all
    earlier years and test on that year.

    Parameters
    ----------
    first_test_year : int
        The first outcome year tested; every later year in the data is tested too.
    """

    def __init__(self, first_test_year: int = 2017) -> None:
        self.first_test_year = first_test_year

    def folds(self, data: BondData, seed: int) -> list[tuple[int | None, np.ndarray, np.ndarray]]:
        """``(year, rows of earlier years, rows of that year)`` for every test year
        (``seed`` is unused: the folds are fixed)."""
        if data.year is None:
            raise InputError(f"split=walk_forward needs a year column, and {data.name} has "
                             "none; set data.year to the column holding the outcome year")
        years = data.year.to_numpy()
        labels = data.label.to_numpy()
        test_years = sorted(int(y) for y in np.unique(years) if y >= self.first_test_year)
        if not test_years or int(years.min()) >= self.first_test_year:
            raise InputError(
                f"split.first_test_year={self.first_test_year} leaves no earlier year to train "
                f"on or no year to test in {data.name} (outcome years {int(years.min())}-"
                f"{int(years.max())}); choose a year after {int(years.min())}")
        folds = []
        for year in test_years:
            train, test = np.flatnonzero(years < year), np.flatnonzero(years == year)
            for part, rows in (("training", train), ("test", test)):
                if len(np.unique(labels[rows])) < 2:
                    raise InputError(
                        f"split=walk_forward: the {part} rows of test year {year} in "
                        f"{data.name} hold only one class; set split.first_test_year later "
                        f"than {year}")
            folds.append((year, train, test))
        return folds

    def split(self, data: BondData, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """The last fold: every test year's rows are in some fold, the last trains on most."""
        _, train, test = self.folds(data, seed)[-1]
        return train, test
