"""Turn a raw table into validated :class:`BondData`, with one clear sentence per problem."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bond_default.data.catalogue import BY_NAME, NAMES, RATING_SCALE
from bond_default.data.dataset import BondData
from bond_default.errors import InputError

MISSING_POLICIES = ("drop", "impute")
INDICATOR_MODES = ("auto", "catalogue", "generic")


def _example(values: pd.Series) -> str:
    return repr(values.iloc[0].item() if hasattr(values.iloc[0], "item") else values.iloc[0])


def _as_label(raw: pd.Series, column: str, source: str) -> pd.Series:
    """0/1 integers from 0/1, '0'/'1', booleans or b'0'/b'1'; anything else is an error."""
    values = raw.map(lambda v: v.decode() if isinstance(v, bytes) else v)
    if values.isna().any():
        raise InputError(
            f"label column '{column}' in {source} has {int(values.isna().sum())} empty values; "
            "every row needs a 0/1 label"
        )
    numeric = pd.to_numeric(values.astype(str).str.strip().replace({"True": 1, "False": 0}),
                            errors="coerce")
    bad = values[numeric.isna() | ~numeric.isin([0, 1])]
    if len(bad):
        shown = ", ".join(repr(v) for v in pd.unique(bad)[:3])
        raise InputError(
            f"label column '{column}' in {source} must hold 0/1 values (1 = defaulted); "
            f"found {shown}"
        )
    label = numeric.astype(int)
    if label.nunique() < 2:
        raise InputError(
            f"label column '{column}' in {source} holds only the class {int(label.iloc[0])}; "
            "both defaulted (1) and non-defaulted (0) rows are needed"
        )
    return label.rename("default")


def _ratings_to_codes(col: pd.Series, column: str, source: str) -> pd.Series:
    """Map rating strings (AAA, AA+, ...) onto the catalogue's ordinal codes (0 = AAA)."""
    if pd.api.types.is_numeric_dtype(col):
        return col
    text = col.astype("string").str.strip().str.upper()
    codes = text.map({r: i for i, r in enumerate(RATING_SCALE)})
    unknown = text[text.notna() & codes.isna()]
    if len(unknown):
        raise InputError(
            f"column '{column}' in {source} has {len(unknown)} values that are not ratings "
            f"(e.g. {unknown.iloc[0]!r}); allowed: {', '.join(RATING_SCALE)} or their codes 0-18"
        )
    return codes.astype("float64")


def _check_numeric(frame: pd.DataFrame, columns: list[str], source: str) -> pd.DataFrame:
    for column in columns:
        raw = frame[column]
        if raw.dtype == object or pd.api.types.is_string_dtype(raw):
            raw = raw.map(lambda v: v.decode() if isinstance(v, bytes) else v)
        converted = pd.to_numeric(raw, errors="coerce")
        bad = raw[converted.isna() & raw.notna()]
        if len(bad):
            raise InputError(
                f"column '{column}' in {source} has {len(bad)} non-numeric values "
                f"(e.g. {_example(bad)}); indicators must be numbers (fix those cells, or "
                "ignore the column with data.drop_columns)"
            )
        n_inf = int(np.isinf(converted.to_numpy(dtype="float64", na_value=np.nan)).sum())
        if n_inf:
            raise InputError(
                f"column '{column}' in {source} has {n_inf} infinite values; replace them "
                "(e.g. by an empty cell) or remove those rows"
            )
        frame[column] = converted.astype("float64")
    return frame


def validate_table(
    table: pd.DataFrame,
    *,
    source: str,
    name: str,
    label: str | None = "default",
    year: str | None = None,
    missing: str = "drop",
    indicators: str = "auto",
    drop_columns: list[str] | tuple[str, ...] = (),
    true_drivers: list[str] | None = None,
) -> BondData:
    """Check a raw table and return it as :class:`BondData`.

    Parameters
    ----------
    table : pandas.DataFrame
        Raw rows: indicator columns, the label column and optionally a year column.
    source : str
        Where the table came from (a path), quoted in every error message.
    name : str
        Data set name for tags.
    label, year : str
        Column names of the 0/1 default label and of the outcome year (optional). A label
        of ``None`` reads new bonds to score: no label column, ``BondData.label`` is None.
    missing : {"drop", "impute"}
        ``drop`` removes rows with any gap (the paper); ``impute`` keeps them and lets the
        pipeline's preprocessing fill gaps from training rows.
    indicators : {"auto", "catalogue", "generic"}
        ``catalogue`` requires the 51 catalogue columns; ``generic`` takes every other column
        as a numeric indicator; ``auto`` picks ``catalogue`` when any catalogue column is present.
    drop_columns : sequence of str
        Columns to ignore (identifiers, text).
    true_drivers : list of str, optional
        Ground truth of a synthetic source, passed through.
    """
    if missing not in MISSING_POLICIES:
        raise InputError(f"data.missing={missing!r} is not a missing-value policy; "
                         f"allowed: {', '.join(MISSING_POLICIES)}")
    if indicators not in INDICATOR_MODES:
        raise InputError(f"data.indicators={indicators!r} is not allowed; "
                         f"allowed: {', '.join(INDICATOR_MODES)}")
    required = ([label] if label else []) + ([year] if year else []) + list(drop_columns)
    absent = [c for c in required if c not in table.columns]
    if absent:
        raise InputError(f"{source} has no column {', '.join(repr(c) for c in absent)}; "
                         f"its columns are {', '.join(map(str, table.columns[:8]))}"
                         + (" ..." if len(table.columns) > 8 else ""))
    if table.empty:
        raise InputError(f"{source} has no rows")

    frame = table.drop(columns=list(drop_columns)).copy()
    frame.columns = [str(c) for c in frame.columns]
    label_values = _as_label(frame.pop(label), label, source) if label else None
    year_values = None
    if year:
        year_values = frame.pop(year)
        _check_numeric(pd.DataFrame({year: year_values}), [year], source)

    present = [c for c in frame.columns if c in BY_NAME]
    mode = indicators if indicators != "auto" else ("catalogue" if present else "generic")
    if mode == "catalogue":
        absent = [n for n in NAMES if n not in frame.columns]
        if absent:
            raise InputError(
                f"{source} lacks {len(absent)} of the 51 catalogue indicators: "
                f"{', '.join(absent[:6])}{' ...' if len(absent) > 6 else ''}; map its headers "
                "onto catalogue names in data.columns, or set data.indicators=generic"
            )
        extra = [c for c in frame.columns if c not in BY_NAME]
        frame = frame[list(NAMES) + extra]
        for column in ("issuer_rating", "bond_rating"):
            frame[column] = _ratings_to_codes(frame[column], column, source)
    # Catalogue categories may come as text (one-hot or ordinal-encoded later); everything
    # else must be numeric and becomes float64, so that gaps stay representable.
    text_categories = [c for c in frame.columns if c in BY_NAME
                       and BY_NAME[c].kind == "categorical"
                       and not pd.api.types.is_numeric_dtype(frame[c])]
    frame = _check_numeric(frame, [c for c in frame.columns if c not in text_categories],
                           source)
    if frame.shape[1] == 0:
        raise InputError(f"{source} has no indicator columns"
                         + (f" besides the label '{label}'" if label else ""))

    n_read = len(frame)
    if missing == "drop":
        complete = frame.notna().all(axis=1).to_numpy().copy()
        if year_values is not None:
            complete &= pd.to_numeric(year_values, errors="coerce").notna().to_numpy()
        frame = frame[complete]
        label_values = label_values[complete] if label_values is not None else None
        year_values = year_values[complete] if year_values is not None else None
        if label_values is not None and label_values.nunique() < 2:
            raise InputError(
                f"after removing rows with missing values (data.missing=drop), {source} keeps "
                f"{len(frame)} rows of a single class; use data.missing=impute"
            )
    index = pd.RangeIndex(len(frame))
    return BondData(
        features=frame.set_axis(index),
        label=label_values.set_axis(index) if label_values is not None else None,
        year=(pd.to_numeric(year_values).astype(int).set_axis(index).rename("year")
              if year_values is not None else None),
        name=name,
        true_drivers=true_drivers,
        rows_before_missing_policy=n_read,
    )
