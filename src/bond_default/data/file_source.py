"""Bond (or any financial-distress) data from a CSV, Parquet, Excel or ARFF file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bond_default.data.dataset import BondData
from bond_default.data.validation import validate_table
from bond_default.errors import InputError

READERS = {".csv": "CSV", ".parquet": "Parquet", ".pq": "Parquet", ".xlsx": "Excel",
           ".arff": "ARFF"}


def _read_arff(path: Path) -> pd.DataFrame:
    from scipy.io import arff

    records, _meta = arff.loadarff(path)
    frame = pd.DataFrame(records)
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(
                lambda v: v.decode() if isinstance(v, bytes) else v)
    return frame


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a table by its extension; a missing, unknown or unreadable file is an InputError."""
    path = Path(path).expanduser()
    if not path.exists():
        raise InputError(f"data file {path} does not exist (set data.path to your file)")
    if path.is_dir():
        raise InputError(f"data.path {path} is a folder; give the path of a data file")
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"data file {path} has the unknown extension '{path.suffix}'; "
                         f"allowed: {', '.join(READERS)}")
    try:
        if kind == "CSV":
            return pd.read_csv(path)
        if kind == "Parquet":
            return pd.read_parquet(path)
        if kind == "Excel":
            return pd.read_excel(path)
        return _read_arff(path)
    except Exception as err:  # every reader has its own exception types
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"data file {path} could not be read as {kind}: {reason}") from err


class FileSource:
    """Load and validate indicators and default labels from a file.

    Parameters
    ----------
    path : str
        CSV, Parquet, Excel (.xlsx) or ARFF file.
    label : str
        Column holding 1 for a bond that defaulted in the outcome year, else 0.
    year : str, optional
        Column holding the outcome year (needed by ``split=out_of_time``).
    columns : dict, optional
        Mapping from the file's headers (a Wind export's Chinese or English names) onto
        catalogue names; unmapped headers keep their names.
    missing : {"drop", "impute"}
        Rows with gaps are dropped (the paper) or kept for the pipeline to impute.
    indicators : {"auto", "catalogue", "generic"}
        Whether the 51 catalogue indicators are required; see :func:`validate_table`.
    drop_columns : list of str, optional
        Columns to ignore (identifiers, names, dates).
    name : str, optional
        Data set name for tags; defaults to the file's stem.
    """

    def __init__(self, path: str, label: str = "default", year: str | None = None,
                 columns: dict | None = None, missing: str = "drop", indicators: str = "auto",
                 drop_columns: list[str] | None = None, name: str | None = None) -> None:
        self.path = path
        self.label = label
        self.year = year
        self.columns = columns
        self.missing = missing
        self.indicators = indicators
        self.drop_columns = drop_columns
        self.name = name

    def load(self) -> BondData:
        """Read the file, rename mapped headers and validate it."""
        table = read_table(self.path)
        mapping = dict(self.columns or {})
        absent = [source for source in mapping if source not in table.columns]
        if absent:
            raise InputError(
                f"data.columns maps {', '.join(repr(c) for c in absent)}, which "
                f"{self.path} does not have"
            )
        table = table.rename(columns=mapping)
        return validate_table(
            table, source=str(self.path), name=self.name or Path(self.path).stem,
            label=self.label, year=self.year, missing=self.missing,
            indicators=self.indicators, drop_columns=list(self.drop_columns or []),
        )
