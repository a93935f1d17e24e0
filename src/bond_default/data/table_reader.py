"""A file's cells as the user sees them: the sheet, the header row and the rows of the table.

Reads CSV (encoding, delimiter and decimal mark detected or given), Excel workbooks (one sheet,
chosen when there are several), Parquet and ARFF. Headers are kept exactly as written,
duplicates included (pandas would rename them ``x.1``), so that roles can be checked on them.
Rows above the header (a title) and lines below the table (a source line) are dropped and
counted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bond_default.data.cell_values import blank_mask, looks_like_comma_decimals
from bond_default.errors import InputError

READERS = {".csv": "CSV", ".txt": "CSV", ".tsv": "CSV", ".parquet": "Parquet",
           ".pq": "Parquet", ".xlsx": "Excel", ".xlsm": "Excel", ".xls": "Excel",
           ".ods": "Excel", ".arff": "ARFF"}
ENCODINGS = ("utf-8", "gb18030")
DELIMITERS = ",;\t|"
#: Rows searched for the header row.
HEADER_SEARCH_ROWS = 30


@dataclass
class RawTable:
    """The table of a file before any value is interpreted.

    Attributes
    ----------
    headers : list of str
        The header row as written (an empty header cell is ``Unnamed: N``, as pandas names it).
    cells : pandas.DataFrame
        The rows of the table, columns by position (0, 1, ...), cells as read.
    notes : dict
        How it was read: format, sheet, encoding, delimiter, decimal mark, header row,
        rows dropped above and below, for the log and the data profile.
    """

    headers: list[str]
    cells: pd.DataFrame
    notes: dict = field(default_factory=dict)


def _decode(path: Path, encoding: str | None, option: str) -> tuple[str, str]:
    data = path.read_bytes()
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as err:
            raise InputError(f"data file {path} could not be read as {encoding} text "
                             f"({type(err).__name__}); set {option} to its encoding") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 with BOM"
    for name in ENCODINGS:
        try:
            return data.decode(name), name.upper()
        except UnicodeDecodeError:
            continue
    raise InputError(f"data file {path} is neither UTF-8 nor GB18030 text; set {option} to "
                     "its encoding (e.g. big5, latin-1)")


def _csv_rows(path: Path, encoding: str | None, delimiter: str | None,
              options: dict[str, str]) -> tuple[pd.DataFrame, dict]:
    text, used = _decode(path, encoding, options["encoding"])
    if delimiter is None:
        sample = "\n".join(text.splitlines()[:50])
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    width = max((len(r) for r in rows), default=0)
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    return frame, {"encoding": used, "delimiter": delimiter}


def _excel_sheet(path: Path, sheet, options: dict[str, str]) -> tuple[pd.DataFrame, dict]:
    sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="calamine")
    names = list(sheets)
    if sheet is not None:
        if isinstance(sheet, int) or str(sheet).isdigit():
            position = int(sheet)
            if not 1 <= position <= len(names):
                raise InputError(f"{options['sheet']}={sheet}: {path} has {len(names)} sheets "
                                 f"({', '.join(map(repr, names))}); give a name or 1-"
                                 f"{len(names)}")
            name = names[position - 1]
        elif str(sheet) in sheets:
            name = str(sheet)
        else:
            raise InputError(f"{path} has no sheet {sheet!r}; its sheets are "
                             f"{', '.join(map(repr, names))} ({options['sheet']})")
        return sheets[name], {"sheet": name}
    filled = [n for n in names if sheets[n].notna().any().any()]
    if len(filled) > 1:
        raise InputError(f"{path} has {len(filled)} sheets with data "
                         f"({', '.join(map(repr, filled))}); choose the one with the bonds "
                         f"with {options['sheet']}=NAME (or its position, 1 = the first)")
    name = filled[0] if filled else names[0]
    return sheets[name], {"sheet": name}


def _is_number(value) -> bool:
    try:
        float(str(value).strip().rstrip("%").replace(",", "."))
    except ValueError:
        return False
    return True


def _matches(cell, expected: set[str]) -> bool:
    from bond_default.data.units import split_header_unit

    if not isinstance(cell, str) or not cell.strip():
        return False
    text = cell.strip()
    return text in expected or split_header_unit(text)[0] in expected


def _header_position(frame: pd.DataFrame, expected: set[str]) -> int:
    """The first row holding the most expected headers; else the first row of full width."""
    top = frame.head(HEADER_SEARCH_ROWS)
    scores = [sum(_matches(c, expected) for c in row) for row in top.itertuples(index=False)]
    if scores and max(scores) > 0:
        return int(np.argmax(scores))
    filled = top.notna().sum(axis=1) - top.map(lambda v: v == "").sum(axis=1)
    return int(np.argmax(filled.to_numpy() == filled.max())) if len(filled) else 0


def read_raw(path: str | Path, *, expected_headers=(), sheet=None, header_row=None,
             encoding=None, delimiter=None, decimal=None,
             options: dict[str, str] | None = None) -> RawTable:
    """Read ``path`` into a :class:`RawTable`; a missing or unreadable file is an InputError.

    Parameters
    ----------
    path : str or Path
        CSV (also .txt, .tsv), Excel (.xlsx), Parquet or ARFF file.
    expected_headers : iterable of str
        Headers the configuration names (label, year, mapping...): the header row is the first
        row holding the most of them.
    sheet : str or int, optional
        Excel: the sheet's name or position (1 = first); required when several hold data.
    header_row : int, optional
        The header's row number as a spreadsheet shows it (1 = first row), instead of finding
        it.
    encoding, delimiter, decimal : str, optional
        CSV only: instead of detecting them.
    options : dict, optional
        Names of these settings in error messages (``data.sheet`` or ``--sheet``...).
    """
    options = options or {k: f"data.{k}" for k in ("sheet", "encoding", "header_row")}
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError(f"data file {path} does not exist (set data.path to your file)")
    if path.is_dir():
        raise InputError(f"data.path {path} is a folder; give the path of a data file")
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"data file {path} has the unknown extension '{path.suffix}'; "
                         f"allowed: {', '.join(READERS)}")
    notes: dict = {"format": kind}
    try:
        if kind == "Parquet":
            frame = pd.read_parquet(path)
            return RawTable(list(map(str, frame.columns)),
                            frame.astype(object).set_axis(range(frame.shape[1]), axis=1),
                            notes)
        if kind == "ARFF":
            from scipy.io import arff

            records, _meta = arff.loadarff(path)
            frame = pd.DataFrame(records)
            return RawTable(list(frame.columns),
                            frame.astype(object).set_axis(range(frame.shape[1]), axis=1),
                            notes)
        if kind == "CSV":
            grid, found = _csv_rows(path, encoding, delimiter, options)
        else:
            grid, found = _excel_sheet(path, sheet, options)
    except InputError:
        raise
    except Exception as err:  # every reader has its own exception types
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"data file {path} could not be read as {kind}: {reason}") from err
    notes.update(found)
    return _cut_table(grid, path, notes, set(expected_headers), header_row, decimal, options)


def _cut_table(grid: pd.DataFrame, path: Path, notes: dict, expected: set[str], header_row,
               decimal, options: dict[str, str]) -> RawTable:
    """Header row, table body, and the rows dropped above and below it."""
    grid = grid.reset_index(drop=True)
    grid.columns = range(grid.shape[1])
    empty = blank_mask(grid.stack(future_stack=True), ("--",)).unstack() if grid.size else grid
    if header_row is not None:
        if not 1 <= int(header_row) <= len(grid):
            raise InputError(f"{options['header_row']}={header_row}: {path} has {len(grid)} rows")
        position = int(header_row) - 1
    else:
        position = _header_position(grid, expected)
    header_cells = grid.iloc[position]
    filled_columns = [c for c in grid.columns
                      if not (pd.isna(header_cells[c]) or str(header_cells[c]).strip() == "")
                      or not empty.iloc[position + 1:][c].all()]
    headers = [str(header_cells[c]).strip() if not (pd.isna(header_cells[c])
               or str(header_cells[c]).strip() == "") else f"Unnamed: {c}"
               for c in filled_columns]
    body = grid.iloc[position + 1:][filled_columns]
    body_empty = empty.iloc[position + 1:][filled_columns]
    n_filled = (~body_empty).sum(axis=1)
    blank_rows = n_filled == 0
    # a source line or note below the table: at most half of a row filled, with text only
    footer = n_filled * 2 <= len(filled_columns)
    for row in np.flatnonzero(footer.to_numpy())[::-1][:HEADER_SEARCH_ROWS]:
        cells = body.iloc[row][~body_empty.iloc[row]]
        footer.iloc[row] = not any(_is_number(v) for v in cells)
    trailing = 0
    for is_footer in footer.to_numpy()[::-1]:
        if not is_footer:
            break
        trailing += 1
    keep = ~blank_rows.to_numpy()
    if trailing:
        keep[len(keep) - trailing:] = False
        below = body.iloc[len(body) - trailing:]
        notes["lines_below"] = [" ".join(str(v) for v in row if not pd.isna(v) and str(v))
                                for row in below.itertuples(index=False)
                                if any(not pd.isna(v) and str(v) for v in row)]
    notes["header_row"] = position + 1
    notes["rows_above_header"] = int(position)
    notes["rows_below_table"] = int(trailing)
    notes["empty_rows"] = int(blank_rows.to_numpy()[: len(keep) - trailing].sum())
    body = body[keep].reset_index(drop=True)
    body.columns = range(len(filled_columns))
    if decimal is None and notes.get("delimiter", ",") != ",":
        decimal = "," if looks_like_comma_decimals(body.stack()) else "."
    notes["decimal"] = decimal or "."
    if len(filled_columns) < grid.shape[1]:
        notes["empty_unnamed_columns"] = grid.shape[1] - len(filled_columns)
    return RawTable(headers, body, notes)
