"""One file's columns read into numbers, each with its data-profile entry.

A :class:`ColumnReader` holds what reading a file needs beside the cells (the file, the
setting names for messages, blank markers, decimal mark, level names, units) and reads an
indicator, the label or the year by its kind: ratings, yes/no, levels or numbers with units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from bond_default.data.catalogue import BY_NAME
from bond_default.data.cell_values import (
    blank_mask,
    changed_note,
    read_binary,
    read_label,
    read_levels,
    read_numbers,
    read_ratings,
)
from bond_default.data.column_roles import Column
from bond_default.data.units import read_unit
from bond_default.errors import InputError

RATINGS = ("issuer_rating", "bond_rating")


@dataclass
class ColumnReader:
    """Reads the columns of one file.

    Parameters
    ----------
    origin : str
        The file, quoted in messages.
    options : dict
        Names of the settings in messages (``data.units`` or the scoring command's).
    catalogue : bool
        Catalogue mode: indicators are read by their catalogue kind and unit.
    na_values : tuple of str
        Blank markers besides the built-in ones.
    decimal : str
        Decimal mark of text cells.
    levels : dict
        Per categorical indicator, level text -> catalogue level.
    units : dict
        Indicator -> declared unit in the file (``data.units``).
    training_units : dict, optional
        Scoring: indicator -> the unit the training file had (used where no header says one).
    """

    origin: str
    options: dict[str, str]
    catalogue: bool
    na_values: tuple[str, ...] = ()
    decimal: str = "."
    levels: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    training_units: dict | None = None

    def entry(self, column: Column, cells: pd.Series) -> dict:
        """The column's data-profile entry before it is read."""
        return {"position": column.position + 1, "header": column.header, "role": column.role,
                "name": column.name, "type": "", "unit_in_file": "", "unit_from": "",
                "share_missing": round(float(blank_mask(cells, self.na_values).mean()), 4),
                "changed": ""}

    def indicator(self, column: Column, cells: pd.Series, entry: dict) -> pd.Series:
        """An indicator's numbers (codes for ratings, flags and levels); fills ``entry``."""
        name = column.name
        shown = repr(column.header) if column.header == name else f"{column.header!r} ({name})"
        where = {"column": shown, "origin": self.origin, "na_values": self.na_values}
        indicator = BY_NAME.get(name) if self.catalogue else None
        kind = indicator.kind if indicator is not None else None
        if name in RATINGS and indicator is not None:
            values, changes = read_ratings(cells, **where)
            entry.update(type="rating", unit_in_file="code", unit_from="catalogue")
        elif kind == "binary":
            values, changes = read_binary(cells, **where)
            entry.update(type="yes/no", unit_in_file="code", unit_from="catalogue")
        elif kind == "categorical":
            values, changes = read_levels(cells, name, levels=self.levels.get(name),
                                          option=self.options["levels"], **where)
            entry.update(type="levels", unit_in_file="code", unit_from="catalogue")
        else:
            scale = 1.0 if indicator is not None and indicator.unit == "percent" else 0.01
            values, changes = read_numbers(
                cells, decimal=self.decimal, percent_scale=scale, **where,
                advice=f"fix those cells, or declare the column with {self.options['id']} or "
                       f"{self.options['drop']}")
            entry["type"] = "number"
            if indicator is not None:
                values = self._in_catalogue_unit(name, values, changes, entry, column, shown)
        entry["changed"] = changed_note(changes)
        return values

    def _in_catalogue_unit(self, name: str, values: pd.Series, changes: dict, entry: dict,
                           column: Column, shown: str) -> pd.Series:
        percent_cells = sum(n for what, n in changes.items() if what.startswith("percent sign"))
        filled = int(values.notna().sum())
        if percent_cells:
            if percent_cells < filled:
                raise InputError(
                    f"column {shown} in {self.origin} writes {percent_cells} of its {filled} "
                    "values with a percent sign and the others without; write all of them "
                    "one way")
            entry.update(unit_in_file="percent", unit_from="percent sign")
            return values
        declared, source = self.units.get(name), self.options["units"]
        if declared is None and self.training_units is not None and column.header_unit is None:
            declared, source = self.training_units.get(name), "training"
        reading = read_unit(name, values, column=shown, origin=self.origin,
                            header_unit=column.header_unit, declared=declared,
                            declared_source=source, option=self.options["units"])
        entry.update(unit_in_file=reading.unit, unit_from=reading.source)
        if not reading.converted:
            return values
        changes[f"{reading.unit} -> {BY_NAME[name].unit} (x{reading.factor:g}, unit from "
                f"{reading.source})"] = filled
        return values * reading.factor

    def label(self, column: Column, cells: pd.Series, entry: dict) -> pd.Series:
        """The 0/1 label; fills ``entry``."""
        label, changes = read_label(cells, column=repr(column.header), origin=self.origin)
        entry.update(type="0/1 label", changed=changed_note(changes))
        return label

    def year(self, column: Column, cells: pd.Series, entry: dict, missing: str) -> pd.Series:
        """The outcome year (whole numbers 1900-2100; no gaps under ``impute``)."""
        values, changes = read_numbers(cells, column=repr(column.header), origin=self.origin,
                                       na_values=self.na_values, decimal=self.decimal)
        filled = values.dropna()
        bad = filled[(filled != filled.round()) | (filled < 1900) | (filled > 2100)]
        if len(bad):
            raise InputError(f"year column {column.header!r} in {self.origin} has values that "
                             f"are not years (e.g. {bad.iloc[0]:g}); {self.options['year']} "
                             "names the outcome year")
        if missing == "impute" and values.isna().any():
            raise InputError(f"year column {column.header!r} in {self.origin} has "
                             f"{int(values.isna().sum())} empty values; with data.missing=impute "
                             "every row needs its year (years are not imputed)")
        entry.update(type="year", changed=changed_note(changes))
        return values


def refuse_empty_indicators(frame: pd.DataFrame, headers: dict[str, str], origin: str,
                            advice: str | None) -> None:
    """An indicator empty in every row is refused, named (not imputed into a constant)."""
    empty = [c for c in frame.columns if frame[c].isna().all()]
    if empty:
        header = headers[empty[0]]
        shown = repr(header) if header == empty[0] else f"{header!r} ({empty[0]})"
        raise InputError(f"column {shown} in {origin} is empty in every row; an indicator "
                         f"needs values (fill it{', or ' + advice if advice else ''})")


def refuse_row_counters(frame: pd.DataFrame, origin: str, options: dict[str, str]) -> None:
    """An integer column holding each of k, k+1, ..., k+n-1 once numbers rows, not bonds."""
    n = len(frame)
    for column in frame.columns:
        values = frame[column]
        if n < 20 or values.isna().any() or (values != values.round()).any():
            continue
        if values.nunique() == n and values.max() - values.min() == n - 1:
            raise InputError(f"column {column!r} in {origin} numbers the rows ({values.min():g} "
                             f"to {values.max():g}, each once), so it is no indicator; declare "
                             f"it with {options['id']} or ignore it with {options['drop']}")
