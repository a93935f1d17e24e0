"""Units of a file's columns: declared in a header (``票面利率(%)``), in ``data.units``, or read
from the range of the values, and converted to the unit the catalogue holds the indicator in.

A column whose range fits neither its catalogue unit nor the one a file commonly uses instead
(a fraction written in percent, or the reverse) is refused with a sentence: the unit is then
declared, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bond_default.data.catalogue import BY_NAME
from bond_default.errors import InputError

#: Units a header may name in its trailing parentheses, and the unit each means.
HEADER_UNITS: dict[str, str] = {
    "%": "percent", "％": "percent", "percent": "percent", "pct": "percent",
    "倍": "times", "times": "times", "x": "times",
    "亿元": "rmb_100m", "亿": "rmb_100m", "万元": "rmb_10k", "万": "rmb_10k", "元": "rmb",
    "年": "years", "years": "years", "月": "months", "months": "months", "天": "days",
    "日": "days", "days": "days",
}

#: A file's unit -> {catalogue unit: factor that converts it}.
CONVERSIONS: dict[str, dict[str, float]] = {
    "percent": {"fraction": 0.01},
    "fraction": {"percent": 100.0},
    "rmb_10k": {"rmb_100m": 1e-4},
    "rmb": {"rmb_100m": 1e-8},
    "months": {"years": 1 / 12},
    "days": {"years": 1 / 365},
}

#: Units ``data.units`` accepts for a column (the catalogue's own ones and those above).
FILE_UNITS = ("fraction", "percent", "times", "rmb_100m", "rmb_10k", "rmb", "years", "months",
              "days", "index", "rmb_per_usd", "code")

_HEADER_UNIT = re.compile(r"^(?P<name>.*?)\s*[(（]\s*(?P<unit>[^()（）]+?)\s*[)）]\s*$")

#: Median absolute value a fraction indicator stays below (a median growth of 150% is not a
#: market), and the one a percent indicator stays above (a median coupon of 0.5% neither).
FRACTION_MEDIAN_AT_MOST = 1.0
PERCENT_MEDIAN_AT_LEAST = 0.5
#: Shares (catalogue kind ratio_0_1) above this, given as fractions, mean a mixed column.
SHARE_AT_MOST = 1.5


def split_header_unit(header: str) -> tuple[str, str | None]:
    """``"票面利率(%)"`` -> ``("票面利率", "percent")``; a header without a known unit as it is."""
    match = _HEADER_UNIT.match(str(header))
    if match:
        unit = HEADER_UNITS.get(match["unit"].strip().lower())
        if unit and match["name"]:
            return match["name"], unit
    return str(header), None


@dataclass(frozen=True)
class UnitReading:
    """How a column's numbers were read: the unit in the file, where that was said, the factor.

    Parameters
    ----------
    unit : str
        Unit of the values in the file.
    source : str
        ``catalogue`` (as the catalogue holds it), ``header``, ``data.units``, ``range``
        (read from the values) or ``training`` (scoring: as the model's training file).
    factor : float
        Multiplier that turns the file's values into the catalogue unit (1 = none).
    """

    unit: str
    source: str
    factor: float = 1.0

    @property
    def converted(self) -> bool:
        """Whether the values were changed."""
        return self.factor != 1.0


def _converting(unit: str, target: str, source: str, column: str, origin: str,
                option: str) -> UnitReading:
    if unit == target:
        return UnitReading(unit, source)
    factor = CONVERSIONS.get(unit, {}).get(target)
    if factor is None:
        raise InputError(
            f"column {column} in {origin} is given in {unit} ({source}), which cannot be "
            f"converted to the catalogue's {target}; fix the header's unit or declare the "
            f"column's unit with {option}")
    return UnitReading(unit, source, factor)


def read_unit(name: str, values: pd.Series, *, column: str, origin: str,
              header_unit: str | None = None, declared: str | None = None,
              declared_source: str = "data.units", option: str = "data.units") -> UnitReading:
    """The unit of catalogue indicator ``name`` in a file, and how to convert it.

    Parameters
    ----------
    name : str
        Catalogue name of the indicator.
    values : pandas.Series
        The column's numbers as given in the file (gaps as NaN).
    column : str
        How error messages name the column (header and catalogue name).
    origin : str
        The file, for error messages.
    header_unit : str, optional
        Unit the file's header names.
    declared : str, optional
        Unit declared for the column (``data.units``, or the training file's when scoring);
        it wins over the header's.
    declared_source, option : str
        What ``declared`` is called in the profile, and the option error messages advise.
    """
    target = BY_NAME[name].unit
    if declared is not None:
        if declared not in FILE_UNITS:
            raise InputError(f"{option} gives {name} the unit {declared!r}; allowed: "
                             f"{', '.join(FILE_UNITS)}")
        return _converting(declared, target, declared_source, column, origin, option)
    if header_unit is not None:
        reading = _converting(header_unit, target, "header", column, origin, option)
        if {header_unit, target} == {"percent", "fraction"}:
            _check_header_agrees(name, values, reading, column, origin, option)
        return reading
    if target not in ("fraction", "percent"):
        return UnitReading(target, "catalogue")
    return _read_from_range(name, values, column, origin, option)


def _median_abs(values: pd.Series) -> float:
    finite = values.to_numpy(dtype="float64", na_value=np.nan)
    finite = finite[np.isfinite(finite)]
    return float(np.median(np.abs(finite))) if len(finite) else float("nan")


def _check_header_agrees(name: str, values: pd.Series, reading: UnitReading, column: str,
                         origin: str, option: str) -> None:
    """A header saying (%) over values that are fractions (or the reverse) is contradictory."""
    median = _median_abs(values)
    if np.isnan(median):
        return
    says_percent = reading.unit == "percent"
    if says_percent and BY_NAME[name].unit == "fraction" and median <= FRACTION_MEDIAN_AT_MOST:
        raise InputError(
            f"column {column} in {origin} says (%) in its header but its values look like "
            f"fractions (median {median:.3g}); declare its unit with {option}.{name}=fraction "
            "or percent")


def _read_from_range(name: str, values: pd.Series, column: str, origin: str,
                     option: str) -> UnitReading:
    target = BY_NAME[name].unit
    median = _median_abs(values)
    if np.isnan(median):
        return UnitReading(target, "catalogue")
    finite = values.to_numpy(dtype="float64", na_value=np.nan)
    low, high = np.nanmin(finite), np.nanmax(finite)
    ambiguous = InputError(
        f"column {column} in {origin} has values from {low:.4g} to {high:.4g} (median "
        f"|value| {median:.3g}), which fit neither a fraction (0.36) nor a percent (36) "
        f"throughout; declare its unit with {option}.{name}=fraction or percent")
    if target == "fraction":
        if median <= FRACTION_MEDIAN_AT_MOST:
            if BY_NAME[name].kind == "ratio_0_1" and high > SHARE_AT_MOST:
                raise ambiguous  # most rows are fractions, some are not
            return UnitReading("fraction", "catalogue")
        if median >= 2 * FRACTION_MEDIAN_AT_MOST:
            return UnitReading("percent", "range", 0.01)
        raise ambiguous
    if median >= PERCENT_MEDIAN_AT_LEAST:
        return UnitReading("percent", "catalogue")
    if median <= PERCENT_MEDIAN_AT_LEAST / 2:
        return UnitReading("fraction", "range", 100.0)
    raise ambiguous
