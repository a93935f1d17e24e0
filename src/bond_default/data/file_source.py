"""Bond (or any financial-distress) data from a user's file: CSV, Excel, Parquet or ARFF.

Nothing enters the model that the configuration did not declare: every column has a role
(:mod:`~bond_default.data.column_roles`), every value a reading
(:mod:`~bond_default.data.cell_values`, :mod:`~bond_default.data.units`), and what was changed
is in the data profile (:mod:`~bond_default.data.profile`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from bond_default.data.catalogue import NAMES
from bond_default.data.column_reader import (
    ColumnReader,
    refuse_empty_indicators,
    refuse_row_counters,
)
from bond_default.data.column_roles import assign_roles
from bond_default.data.dataset import LABEL, BondData
from bond_default.data.profile import DataProfile
from bond_default.data.table_reader import read_raw
from bond_default.errors import InputError

log = logging.getLogger(__name__)

MISSING_POLICIES = ("drop", "impute")
INDICATOR_MODES = ("auto", "catalogue", "generic")

#: How messages name each setting, for training (data.*) and for the scoring command.
TRAINING_OPTIONS = {k: f"data.{v}" for k, v in {
    "label": "label", "year": "year", "id": "id_columns", "drop": "drop_columns",
    "columns": "columns", "levels": "levels", "units": "units", "sheet": "sheet",
    "encoding": "encoding", "header_row": "header_row", "missing": "missing",
    "indicators": "indicators"}.items()}
SCORING_OPTIONS = {**TRAINING_OPTIONS, "id": "--id-column", "drop": "--drop-column",
                   "sheet": "--sheet", "encoding": "--encoding", "header_row": "--header-row",
                   "columns": "the training run's mapping, data/mapping.yaml",
                   "levels": "its data/mapping.yaml",
                   "units": "the units of its data/profile.csv"}


def _load_mapping_file(path: str, option: str) -> tuple[dict, dict]:
    """``columns`` and ``levels`` from a YAML file (a flat header -> name mapping also works)."""
    import yaml

    file = Path(path).expanduser()
    if not file.is_file():
        raise InputError(f"{option}={path}: no such file")
    try:
        content = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise InputError(f"{option}={path} is not a UTF-8 YAML file: "
                         f"{str(err).splitlines()[0]}") from None
    if not isinstance(content, dict):
        raise InputError(f"{option}={path} must hold a mapping of headers onto indicator names")
    if "columns" in content or "levels" in content:
        unknown = set(content) - {"columns", "levels"}
        if unknown:
            raise InputError(f"{option}={path} has the keys {sorted(unknown)}; allowed: "
                             "columns, levels")
        return dict(content.get("columns") or {}), dict(content.get("levels") or {})
    return content, {}


class FileSource:
    """Load indicators and default labels from a file, every column declared.

    Parameters
    ----------
    path : str
        CSV (.csv, .txt, .tsv), Excel (.xlsx), Parquet or ARFF file.
    label : str
        Header of the column holding 1 (or 是, Y, true) for a bond that defaulted in the
        outcome year, else 0.
    year : str, optional
        Header of the outcome year (needed by ``split=out_of_time``); never an indicator.
    columns : dict, optional
        File header -> catalogue name (a header's trailing unit, ``(%)``, may be left out).
    columns_file : str, optional
        YAML file with more of ``columns`` (and ``levels``): for non-ASCII headers, which
        Hydra's command line cannot take as keys.
    missing : {"drop", "impute"}
        Rows with gaps are dropped (the paper) or kept for the pipeline to impute.
    indicators : {"auto", "catalogue", "generic"}
        ``catalogue``: exactly the 51 catalogue indicators, every other column declared;
        ``generic``: every undeclared numeric column is an indicator; ``auto``: catalogue
        when any header is a catalogue name.
    id_columns, drop_columns : list of str, optional
        Headers carried along as identifiers, and headers ignored.
    levels : dict, optional
        Per categorical indicator, the file's level text -> catalogue level name (公司债 ->
        corporate_bond).
    units : dict, optional
        Indicator -> the unit its values have in the file (percent, fraction, rmb_10k...),
        when neither the header nor the range says it.
    na_values : list of str, optional
        Blank markers besides ``--``, ``-``, ``N/A`` and empty cells.
    sheet : str or int, optional
        Excel: the sheet's name or position (1 = first); needed when several hold data.
    header_row : int, optional
        Row number of the header (1 = first row) instead of finding it.
    encoding, delimiter, decimal : str, optional
        CSV: instead of detecting them (UTF-8, UTF-8 with BOM, GB18030; , ; tab |).
    name : str, optional
        Data set name for tags; defaults to the file's stem.
    """

    def __init__(self, path: str, label: str = "default", year: str | None = None,
                 columns: dict | None = None, missing: str = "drop", indicators: str = "auto",
                 drop_columns: list[str] | None = None, name: str | None = None,
                 id_columns: list[str] | None = None, columns_file: str | None = None,
                 levels: dict | None = None, units: dict | None = None,
                 na_values: list[str] | None = None, sheet: str | int | None = None,
                 header_row: int | None = None, encoding: str | None = None,
                 delimiter: str | None = None, decimal: str | None = None) -> None:
        self.path = path
        self.label = label
        self.year = year
        self.columns = columns
        self.missing = missing
        self.indicators = indicators
        self.drop_columns = drop_columns
        self.name = name
        self.id_columns = id_columns
        self.columns_file = columns_file
        self.levels = levels
        self.units = units
        self.na_values = na_values
        self.sheet = sheet
        self.header_row = header_row
        self.encoding = encoding
        self.delimiter = delimiter
        self.decimal = decimal

    def mapping(self) -> tuple[dict, dict]:
        """Header mapping and level names: ``columns``/``levels`` and ``columns_file``'s."""
        columns, levels = dict(self.columns or {}), {k: dict(v or {}) for k, v in
                                                     dict(self.levels or {}).items()}
        if self.columns_file:
            more_columns, more_levels = _load_mapping_file(self.columns_file,
                                                           "data.columns_file")
            columns.update(more_columns)
            for indicator, names in more_levels.items():
                levels.setdefault(indicator, {}).update(dict(names or {}))
        return columns, levels

    def load(self) -> BondData:
        """Read the file, give every column its role, read every value; the data profile."""
        if self.missing not in MISSING_POLICIES:
            raise InputError(f"data.missing={self.missing!r} is not a missing-value policy; "
                             f"allowed: {', '.join(MISSING_POLICIES)}")
        if self.label is None:
            raise InputError("data.label is required: the header of the 0/1 default column")
        if self.year is not None and str(self.year) == str(self.label):
            raise InputError(f"data.year and data.label both name {self.label!r}; the year and "
                             "the default label are two columns")
        for role, header in (("label", self.label), ("year", self.year)):
            if header is not None and header in list(self.drop_columns or []):
                raise InputError(f"data.drop_columns names {header!r}, the {role} column "
                                 f"(data.{role}); a column has one role")
        return self._read(self.path, self.missing, TRAINING_OPTIONS)

    def load_new_bonds(self, path: str, model_columns: list[str],
                       units: dict[str, str] | None = None, id_columns=(), drop_columns=(),
                       sheet=None, header_row=None, encoding=None) -> tuple[
                           pd.DataFrame, pd.DataFrame, DataProfile]:
        """Read new bonds to score exactly as training read its file.

        The label and year columns of training may be present or not (they are not
        used); gaps are imputed by the model; an indicator the model needs that is absent or
        empty in every row is an InputError. Returns the model's input columns, the id
        columns and the profile.
        """
        reader = FileSource(**{**self.__dict__, "path": path,
                               "id_columns": [*(self.id_columns or []), *id_columns],
                               "drop_columns": [*(self.drop_columns or []), *drop_columns],
                               "sheet": sheet if sheet is not None else self.sheet,
                               "header_row": header_row, "encoding": encoding})
        data, ids = reader._read(path, "impute", SCORING_OPTIONS, scoring=True,
                                 training_units=units or {}, model_columns=model_columns)
        return data.features[model_columns].astype("float64"), ids, data.profile

    # -- the reading itself ------------------------------------------------------------------

    def _read(self, path: str, missing: str, options: dict[str, str], scoring: bool = False,
              training_units: dict[str, str] | None = None,
              model_columns: list[str] | None = None):
        if self.indicators not in INDICATOR_MODES:
            raise InputError(f"data.indicators={self.indicators!r} is not allowed; "
                             f"allowed: {', '.join(INDICATOR_MODES)}")
        origin = str(path)
        mapping, levels = self.mapping()
        roles_given = [self.label, self.year, *(self.id_columns or []),
                       *(self.drop_columns or [])]
        expected = {str(h) for h in [*roles_given, *mapping, *NAMES, *(model_columns or [])]
                    if h is not None}
        raw = read_raw(path, expected_headers=expected, sheet=self.sheet,
                       header_row=self.header_row, encoding=self.encoding,
                       delimiter=self.delimiter, decimal=self.decimal, options=options)
        if raw.cells.empty:
            raise InputError(f"{origin} has no rows below its header")
        roles = assign_roles(
            raw.headers, origin=origin, label=self.label, year=self.year,
            id_columns=self.id_columns or (), drop_columns=self.drop_columns or (),
            mapping=mapping, indicators=self.indicators, options=options,
            optional=("label", "year") if scoring else ())
        profile = DataProfile(source=origin, reading=raw.notes, mode=roles.mode,
                              mapping={"columns": mapping, "levels": levels})
        reader = ColumnReader(origin, options, roles.mode == "catalogue",
                              tuple(str(v) for v in (self.na_values or ())),
                              raw.notes.get("decimal", "."), levels, dict(self.units or {}),
                              training_units if scoring else None)
        features: dict[str, pd.Series] = {}
        label = year = None
        for column in roles.columns:
            cells = raw.cells[column.position]
            entry = reader.entry(column, cells)
            if column.role == "indicator":
                features[column.name] = reader.indicator(column, cells, entry)
            elif column.role == "label" and not scoring:
                label = reader.label(column, cells, entry)
            elif column.role == "year" and not scoring:
                year = reader.year(column, cells, entry, missing)
            else:
                entry["type"] = ("not used" if column.role in ("label", "year")
                                 else "text (not an indicator)")
            profile.columns.append(entry)
        frame = pd.DataFrame(features)
        if roles.mode == "catalogue" and not scoring:
            absent = [n for n in NAMES if n not in frame.columns]
            if absent:
                raise InputError(
                    f"{origin} lacks {len(absent)} of the 51 catalogue indicators: "
                    f"{', '.join(absent[:6])}{' ...' if len(absent) > 6 else ''}; map its "
                    f"headers onto catalogue names in {options['columns']} (or a "
                    "data.columns_file), or set data.indicators=generic")
            frame = frame[list(NAMES)]
        if scoring:
            absent = [c for c in model_columns if c not in frame.columns]
            if absent:
                raise InputError(
                    f"{origin} lacks {len(absent)} of the model's {len(model_columns)} input "
                    f"columns: {', '.join(absent[:6])}{' ...' if len(absent) > 6 else ''}")
            frame = frame[model_columns]
        if frame.shape[1] == 0:
            raise InputError(f"{origin} has no indicator columns besides its label")
        headers = {c.name: c.header for c in roles.of_role("indicator")}
        refuse_empty_indicators(frame, headers, origin, None if roles.mode == "catalogue"
                                else f"ignore it with {options['drop']}")
        if roles.mode == "generic":
            refuse_row_counters(frame, origin, options)
        profile.rows["read"] = len(frame)
        keep = np.ones(len(frame), dtype=bool)
        if missing == "drop":
            gaps = frame.isna().any(axis=1).to_numpy()
            profile.rows["dropped: gaps in indicators (data.missing=drop)"] = int(gaps.sum())
            keep &= ~gaps
            if year is not None:
                no_year = year.isna().to_numpy() & keep
                profile.rows["dropped: no year"] = int(no_year.sum())
                keep &= ~no_year
        profile.rows["kept"] = int(keep.sum())
        index = pd.RangeIndex(int(keep.sum()))
        ids = pd.DataFrame({c.header: raw.cells[c.position] for c in roles.of_role("id")},
                           index=raw.cells.index)
        if not scoring:
            kept_label = label[keep]
            if kept_label.nunique() < 2:
                raise InputError(
                    f"after removing rows with missing values (data.missing=drop), {origin} "
                    f"keeps {int(keep.sum())} rows of a single class; use data.missing=impute")
        profile.log(log)
        if roles.unused_mapping:
            log.info("%s maps %d header(s) this file does not have (not used): %s",
                     options["columns"], len(roles.unused_mapping),
                     ", ".join(map(repr, roles.unused_mapping[:6])))
        data = BondData(
            features=frame[keep].set_axis(index),
            label=None if scoring else label[keep].set_axis(index).rename(LABEL),
            year=(year[keep].astype(int).set_axis(index).rename("year")
                  if year is not None else None),
            name=self.name or Path(self.path).stem,
            rows_before_missing_policy=len(frame),
            profile=profile,
        )
        if scoring:
            return data, ids[keep].set_axis(index)
        return data
