"""Build a Wind-style (万得) Excel export of the synthetic market, and its clean twin.

The dirty export is what a researcher gets out of a Wind terminal, and what
``conf/data/wind.yaml`` (``python train.py data=wind data.path=export.xlsx``) must load back:

* one sheet, ``债券数据``; a title in ``A1`` above the header row (row 2), and a source line
  ``数据来源：Wind`` in column A under the last data row;
* Chinese headers: ``债券代码``, ``债券简称``, the 51 indicators under their Wind field names
  (the left-hand side of ``columns`` in wind.yaml), then ``年度`` and ``是否违约``; some headers
  carry a unit in parentheses (``票面利率(%)``, ``发行规模(亿元)``, ``发行期限(年)``, ...);
* fractions Wind gives in percent: ``shareholder_equity_ratio``, ``current_debt_ratio``,
  ``long_term_liability_share``, ``return_on_equity`` and ``revenue_growth`` x 100 under a
  ``(%)`` header; ``current_assets_ratio`` x 100 with no unit in its header (only its range
  tells); ``asset_liability_ratio`` as text with a percent sign (``61.3%``);
* gaps written as ``--``; ``listed``, ``special_terms`` and the label as ``是`` / ``否``;
  categorical indicators as Chinese level names (``levels`` in wind.yaml); ratings as text
  (``AAA``, ``AA+``, ...), the bond rating of commercial paper on the short-term scale
  (``A-1``, ``A-2``, ``A-3``, ``B``, ``C``).

The clean twin is the same rows in the same order as the project's own CSV: ``bond_code``,
``bond_name``, the 51 catalogue names (codes as the generator gives them), ``year``,
``default``; gaps are empty cells. A loader that reads the export right gives back the twin
(up to the rounding of the percent columns and the short-term ratings of commercial paper).

Use it from a test (pytest puts tests/ on ``sys.path``)::

    from wind_export import write_wind_export
    clean = write_wind_export(tmp_path / "export.xlsx", tmp_path / "clean.csv", n_bonds=2000)

or as a script::

    python tests/wind_export.py OUT.xlsx CLEAN.csv [--n-bonds 3000] [--seed 0] [--rows N]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import yaml

from bond_default.data.catalogue import CATEGORICAL_LEVELS, NAMES, RATING_SCALE
from bond_default.data.synthetic import generate_market

#: The Hydra config whose ``columns`` and ``levels`` name the export's headers and levels.
WIND_YAML = Path(__file__).resolve().parents[1] / "conf" / "data" / "wind.yaml"

SHEET = "债券数据"
TITLE = "万得资讯 债券违约预测数据导出"
SOURCE = "数据来源：Wind"
BLANK = "--"
YES, NO = "是", "否"

#: Unit suffixes Wind writes after a header, by catalogue name.
UNITS = {
    "coupon_rate": "(%)",
    "issue_amount": "(亿元)",
    "issue_term_years": "(年)",
    "new_issue_rate": "(%)",
    "treasury_10y": "(%)",
    "gdp_yoy": "(%)",
    "cpi_yoy": "(%)",
    "social_financing_yoy": "(%)",
    "shareholder_equity_ratio": "(%)",
    "current_debt_ratio": "(%)",
    "long_term_liability_share": "(%)",
    "return_on_equity": "(%)",
    "revenue_growth": "(%)",
}
#: Fractions of the catalogue that the export gives in percent under a ``(%)`` header.
PERCENT_WITH_UNIT = (
    "shareholder_equity_ratio", "current_debt_ratio", "long_term_liability_share",
    "return_on_equity", "revenue_growth",
)
#: Given in percent, but the header says nothing (the loader must tell from the range).
PERCENT_WITHOUT_UNIT = ("current_assets_ratio",)
#: Given as text with a percent sign, one decimal (``61.3%``).
PERCENT_TEXT = ("asset_liability_ratio",)
BINARY = ("listed", "special_terms")

#: Short-name tags of the bond types (for ``bond_name``), by catalogue level.
_TYPE_TAG = {
    "corporate_bond": "公司债", "enterprise_bond": "企业债", "mtn": "MTN",
    "commercial_paper": "CP", "ppn": "PPN", "exchange_private": "私募债",
}
#: Exchange-traded types get a Shanghai code, the rest an interbank one.
_EXCHANGE = ("corporate_bond", "exchange_private")


def wind_mapping(path: Path | str = WIND_YAML) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Wind header and level names from wind.yaml, inverted.

    Returns
    -------
    headers : dict
        Catalogue name -> Wind field name (without a unit).
    levels : dict
        Categorical indicator -> {catalogue level name -> Wind level name}.
    """
    cfg = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    headers = {str(name): str(wind) for wind, name in cfg["columns"].items()}
    levels = {
        ind: {str(level): str(text) for text, level in table.items()}
        for ind, table in cfg["levels"].items()
    }
    return headers, levels


def short_term_rating(code: int) -> str:
    """The short-term rating Wind shows for commercial paper of long-term rating ``code``."""
    if code <= 3:
        return "A-1"
    if code <= 6:
        return "A-2"
    if code <= 9:
        return "A-3"
    if code <= 15:
        return "B"
    return "C"


def _sample_rows(frame: pd.DataFrame, n_rows: int | None, seed: int) -> pd.DataFrame:
    """All defaulted rows plus random non-defaulted ones up to ``n_rows``, shuffled."""
    if n_rows is None:
        return frame.reset_index(drop=True)
    rng = np.random.default_rng(seed)
    defaulted = np.flatnonzero(frame["default"].to_numpy() == 1)
    healthy = np.flatnonzero(frame["default"].to_numpy() != 1)
    if n_rows < len(defaulted):
        raise ValueError(f"n_rows={n_rows} is below the {len(defaulted)} defaulted rows")
    n_healthy = min(n_rows - len(defaulted), len(healthy))
    keep = np.concatenate([defaulted, rng.choice(healthy, size=n_healthy, replace=False)])
    return frame.iloc[rng.permutation(keep)].reset_index(drop=True)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _dirty_column(name: str, values: pd.Series, bond_type: pd.Series,
                  levels: dict[str, dict[str, str]]) -> list[object]:
    """The cells of one indicator as Wind writes them."""
    out: list[object] = []
    for value, btype in zip(values.tolist(), bond_type.tolist(), strict=True):
        if _blank(value):
            out.append(BLANK)
        elif name in PERCENT_WITH_UNIT or name in PERCENT_WITHOUT_UNIT:
            out.append(round(100 * value, 4))
        elif name in PERCENT_TEXT:
            out.append(f"{100 * value:.1f}%")
        elif name in BINARY:
            out.append(YES if int(value) == 1 else NO)
        elif name in CATEGORICAL_LEVELS:
            out.append(levels[name][CATEGORICAL_LEVELS[name][int(value)]])
        elif name == "bond_rating" and CATEGORICAL_LEVELS["bond_type"][int(btype)] == (
            "commercial_paper"
        ):
            out.append(short_term_rating(int(value)))
        elif name in ("issuer_rating", "bond_rating"):
            out.append(RATING_SCALE[int(value)])
        else:
            out.append(value)
    return out


def write_wind_export(xlsx_path: Path | str, clean_path: Path | str, n_bonds: int = 3000,
                      seed: int = 0, n_rows: int | None = None) -> pd.DataFrame:
    """Write a Wind-style dirty Excel export and its clean CSV twin of one synthetic market.

    Parameters
    ----------
    xlsx_path : path
        The dirty export (.xlsx, one sheet ``债券数据``).
    clean_path : path
        The clean twin (.csv): ``bond_code``, ``bond_name``, the 51 catalogue names, ``year``,
        ``default``.
    n_bonds : int, default 3000
        Bonds the synthetic market generates.
    seed : int, default 0
        Seed of the market and of the row sample.
    n_rows : int, optional
        Keep every defaulted row plus randomly chosen non-defaulted rows up to ``n_rows`` in
        all, shuffled; all rows when None.

    Returns
    -------
    pandas.DataFrame
        The clean twin, as written to ``clean_path``.
    """
    headers, levels = wind_mapping()
    missing = set(NAMES) - set(headers)
    if missing:
        raise ValueError(f"wind.yaml names no Wind field for {sorted(missing)}")

    frame, _ = generate_market(n_bonds, seed)
    frame = _sample_rows(frame, n_rows, seed)

    types = [CATEGORICAL_LEVELS["bond_type"][int(c)] for c in frame["bond_type"]]
    codes = [
        f"{100001 + i}.{'SH' if t in _EXCHANGE else 'IB'}" for i, t in enumerate(types)
    ]
    names = [
        f"{(int(year) - 1) % 100:02d}某某{_TYPE_TAG[t]}{i + 1:05d}"
        for i, (year, t) in enumerate(zip(frame["year"], types, strict=True))
    ]
    clean = pd.concat(
        [pd.DataFrame({"bond_code": codes, "bond_name": names}), frame], axis=1
    )
    clean_path = Path(clean_path)
    clean_path.parent.mkdir(parents=True, exist_ok=True)
    clean.to_csv(clean_path, index=False)

    header_row = ["债券代码", "债券简称"]
    header_row += [headers[name] + UNITS.get(name, "") for name in NAMES]
    header_row += ["年度", "是否违约"]
    columns = [codes, names]
    columns += [_dirty_column(n, frame[n], frame["bond_type"], levels) for n in NAMES]
    columns += [
        [int(y) for y in frame["year"]],
        [YES if int(d) == 1 else NO for d in frame["default"]],
    ]

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([TITLE])
    sheet.append(header_row)
    for row in zip(*columns, strict=True):
        sheet.append(list(row))
    sheet.append([SOURCE])
    xlsx_path = Path(xlsx_path)
    xlsx_path.parent.mkdir(parents=True, exist_ok=True)
    book.save(xlsx_path)
    return clean


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python tests/wind_export.py OUT.xlsx CLEAN.csv [options]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("xlsx", type=Path, help="dirty Wind-style export to write (.xlsx)")
    parser.add_argument("clean", type=Path, help="clean twin to write (.csv)")
    parser.add_argument("--n-bonds", type=int, default=3000, help="bonds to generate")
    parser.add_argument("--seed", type=int, default=0, help="seed of market and sample")
    parser.add_argument("--rows", type=int, default=None,
                        help="keep all defaulted rows plus non-defaulted ones up to ROWS")
    args = parser.parse_args(argv)
    clean = write_wind_export(args.xlsx, args.clean, args.n_bonds, args.seed, args.rows)
    print(f"{args.xlsx}: {len(clean)} rows, {int(clean['default'].sum())} defaulted; "
          f"clean twin {args.clean}")


if __name__ == "__main__":
    main()
