"""Which columns are year-level: one value per year for every row (the macro environment)."""

from __future__ import annotations

import pandas as pd

from bond_default.data.catalogue import YEAR_LEVEL


def year_level_columns(features: pd.DataFrame, year: pd.Series | None) -> list[str]:
    """Columns of ``features`` that take a single value within each year.

    The catalogue's year-level indicators (:data:`~bond_default.data.catalogue.YEAR_LEVEL`)
    count when present and, with years known, when the rows agree with it; with years
    known, any other numeric column that is constant within every year (and takes more than
    one value overall, over at least two years) counts too, so a user's own year-level
    columns are found without being declared. Without years only the catalogue's count.

    Parameters
    ----------
    features : pandas.DataFrame
        Indicator columns of the training rows.
    year : pandas.Series or None
        The rows' years (same index as ``features``).

    Returns
    -------
    list of str
        Column names, in ``features``' order.
    """
    if year is None:
        return [c for c in features.columns if c in YEAR_LEVEL]
    year = pd.Series(year.to_numpy(), index=features.index)
    if year.nunique() < 2:
        return []
    found = []
    for column in features.columns:
        values = features[column]
        if not pd.api.types.is_numeric_dtype(values) or values.isna().any():
            continue
        if values.nunique() > 1 and (values.groupby(year).nunique() == 1).all():
            found.append(column)
    return found
