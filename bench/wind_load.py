"""Loading a Wind-style export of the paper's size: 26,561 bond-years x 55 columns.

    python bench/wind_load.py [--n-bonds 26561]

Writes the export and its clean twin with tests/wind_export.py into a temporary folder (not
timed), then times ``data=wind``'s loader on the Excel file and ``data=file``'s on the clean
CSV: reading, roles, every conversion and the data profile, as a run does before it starts.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from omegaconf import OmegaConf

from bond_default.data.file_source import FileSource

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from wind_export import write_wind_export  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-bonds", type=int, default=26_561)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        export, clean = Path(folder) / "export.xlsx", Path(folder) / "clean.csv"
        write_wind_export(export, clean, n_bonds=args.n_bonds, seed=0)
        settings = OmegaConf.to_container(OmegaConf.load(REPO / "conf/data/wind.yaml"))
        settings.pop("_target_")
        settings["path"] = str(export)
        start = time.perf_counter()
        wind = FileSource(**settings).load()
        wind_seconds = time.perf_counter() - start
        start = time.perf_counter()
        FileSource(str(clean), year="year", id_columns=["bond_code", "bond_name"]).load()
        clean_seconds = time.perf_counter() - start
    print(f"wind export {args.n_bonds:,} rows ({len(wind):,} kept): load {wind_seconds:.1f} s; "
          f"clean CSV: load {clean_seconds:.1f} s")


if __name__ == "__main__":
    main()
