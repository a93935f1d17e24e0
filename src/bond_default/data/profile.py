"""The data profile of a file: every column's role and what reading it changed, and the rows
read, dropped (per reason) and kept. Logged once and saved with the run as
``data/profile.csv``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

PROFILE_COLUMNS = ("position", "header", "role", "name", "type", "unit_in_file", "unit_from",
                   "share_missing", "changed")


@dataclass
class DataProfile:
    """What a file held and how it was read.

    Attributes
    ----------
    source : str
        The file.
    reading : dict
        Format, sheet, encoding, delimiter, decimal mark, header row, rows above the header
        and below the table (see :class:`~bond_default.data.table_reader.RawTable`).
    columns : list of dict
        One entry per column of the file, with the keys of :data:`PROFILE_COLUMNS`.
    rows : dict
        ``read``, then the rows dropped per reason (``dropped: ...``), then ``kept``.
    mode : str
        ``catalogue`` or ``generic``.
    mapping : dict
        The header mapping and level names in force (``data.columns`` and
        ``data.columns_file`` merged), saved with the run as ``data/mapping.yaml``.
    """

    source: str
    reading: dict = field(default_factory=dict)
    columns: list[dict] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    mode: str = "catalogue"
    mapping: dict = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        """The per-column table saved as ``data/profile.csv``."""
        return pd.DataFrame(self.columns, columns=list(PROFILE_COLUMNS))

    def mapping_yaml(self) -> str:
        """``data/mapping.yaml``: the mapping as a file ``data.columns_file`` takes back."""
        import yaml

        return yaml.safe_dump(self.mapping, allow_unicode=True, sort_keys=False)

    def log(self, log: logging.Logger) -> None:
        """A few lines: how the file was read, columns used and ignored, changes, rows."""
        r = self.reading
        where = ", ".join(part for part in (
            f"sheet {r['sheet']!r}" if "sheet" in r else "",
            r.get("encoding", ""),
            f"delimiter {r['delimiter']!r}" if r.get("delimiter", ",") != "," else "",
            f"decimal {r['decimal']!r}" if r.get("decimal", ".") != "." else "",
            f"header on row {r['header_row']}" if r.get("header_row", 1) != 1 else "",
        ) if part)
        log.info("read %s (%s%s)", self.source, r.get("format", "?"),
                 f": {where}" if where else "")
        skipped = [f"{r[k]} {what}" for k, what in (
            ("rows_above_header", "row(s) above the header"),
            ("rows_below_table", "line(s) below the table"),
            ("empty_rows", "empty row(s)"),
            ("empty_unnamed_columns", "empty column(s) without a header")) if r.get(k)]
        if skipped:
            below = r.get("lines_below", [])
            log.info("skipped %s%s", ", ".join(skipped),
                     f" ({'; '.join(repr(line[:60]) for line in below[:2])})" if below else "")
        used = [c for c in self.columns if c["type"] != "not used"]
        by_role = {role: [c for c in used if c["role"] == role]
                   for role in ("indicator", "label", "year", "id", "dropped")}
        ignored = [f"{c['header']!r} ({c['role']})" for c in self.columns if c not in used
                   or c["role"] in ("id", "dropped")]
        log.info("columns used: %d indicators (%s mode)%s; ignored: %s",
                 len(by_role["indicator"]), self.mode,
                 "".join(f", {role} {by_role[role][0]['header']!r}"
                         for role in ("label", "year") if by_role[role]),
                 ", ".join(ignored) if ignored else "none")
        blanks_only = []
        for c in self.columns:
            if not c["changed"]:
                continue
            if all("-> empty" in part for part in c["changed"].split("; ")):
                blanks_only.append(c)
                continue
            target = f" -> {c['name']}" if c["name"] and c["name"] != c["header"] else ""
            log.info("converted %r%s: %s", c["header"], target, c["changed"])
        if blanks_only:
            markers = sorted({part.split(" -> ")[0] for c in blanks_only
                              for part in c["changed"].split("; ")})
            log.info("blank markers %s read as empty in %d column(s)", ", ".join(markers),
                     len(blanks_only))
        log.info("rows: %s", ", ".join(f"{n} {what}" for what, n in self.rows.items()))
