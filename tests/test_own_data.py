"""A user's own file, through the real command: what would have been silent is refused with one
sentence (exit 2, no traceback, no run in MLflow), and what is legitimate (a BOM, GB18030, a
semicolon CSV, a declared id column, a converted percentage) gives the clean file's metrics.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from conftest import run_train, runs_in

from bond_default.data.synthetic import generate_market

SMOKE = ["classifier=lr", "sampler=none", "debug=smoke", "explain.enabled=false",
         "tracking.log_model=false"]
METRICS = ("test_roc_auc", "test_accuracy", "test_precision", "test_recall", "test_brier",
           "n_train", "n_test_defaulted")


@pytest.fixture(scope="module")
def market() -> pd.DataFrame:
    frame, _ = generate_market(n_bonds=1500, seed=5)
    return frame.dropna().reset_index(drop=True)


def _refused(done, expected: str, cwd) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == 2, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    errors = [line for line in output.splitlines() if "[ERROR]" in line]
    assert len(errors) == 1, output[-3000:]
    assert re.search(expected, errors[0]), errors[0]
    assert not runs_in(cwd)  # neither FINISHED nor FAILED


def _metrics(cwd) -> dict[str, float]:
    (run,) = runs_in(cwd)
    assert run.info.status == "FINISHED"
    return {k: run.data.metrics[k] for k in METRICS}


# -- what was silent, and the role mistakes: refused ----------------------------------------

def _pandas_index(m, path):
    m.sort_values("default").to_csv(path)  # pandas' default: the index as a first column
    return []


def _year_undeclared(m, path):
    m.to_csv(path, index=False)
    return ["data.year=null"]


def _duplicated_header(m, path):
    m.assign(extra=m["coupon_rate"]).rename(columns={"extra": "coupon_rate"}).to_csv(
        path, index=False)
    return []


def _two_sheets(m, path):
    with pd.ExcelWriter(path) as book:
        m.iloc[:700].to_excel(book, sheet_name="2014-2018", index=False)
        m.iloc[700:].to_excel(book, sheet_name="2019-2021", index=False)
    return []


def _notes_sheet_first(m, path):
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"说明": ["Wind export, 2022-01-05"]}).to_excel(book, sheet_name="notes",
                                                                   index=False)
        m.to_excel(book, sheet_name="bonds", index=False)
    return []


def _mixed_units(m, path):
    m = m.copy()
    m.loc[: len(m) // 3, "asset_liability_ratio"] *= 100  # a third of the rows in percent
    m.to_csv(path, index=False)
    return []


def _generic_row_counter(m, path):
    g = m[["coupon_rate", "quick_ratio", "current_ratio", "default"]].rename(
        columns={"coupon_rate": "x1", "quick_ratio": "x2", "current_ratio": "x3"})
    g.insert(0, "row", np.arange(1, len(g) + 1))
    g.sample(frac=1.0, random_state=0).to_csv(path, index=False)
    return ["data.indicators=generic", "data.year=null"]


def _generic_pandas_index(m, path):
    m[["coupon_rate", "quick_ratio", "default"]].sort_values("default").to_csv(path)
    return ["data.indicators=generic", "data.year=null"]


def _plain(m, path):
    m.to_csv(path, index=False)
    return []


def _year_gaps(m, path):
    m = m.astype({"year": "float64"})
    m.loc[[3, 40], "year"] = np.nan
    m.to_csv(path, index=False)
    return ["data.missing=impute"]


def _empty_column(m, path):
    m.assign(quick_ratio=np.nan).to_csv(path, index=False)
    return ["data.missing=impute"]


def _near_float_limit(m, path):
    m = m.copy()
    m.loc[[5, 17], "equity_ratio"] = 1.5e300
    m.to_csv(path, index=False)
    return ["classifier.preprocess.numeric=standard"]


def _few_defaulted(m, path):
    keep = m[m["default"] == 0].index.tolist() + m[m["default"] == 1].index[:6].tolist()
    m.loc[keep].to_csv(path, index=False)
    return ["sampler=smote"]


REFUSED = {
    # name: (file, maker, expected words in the one [ERROR] line)
    "pandas_index": ("b.csv", _pandas_index, r"column 1 of .*b.csv has no header \('Unnamed: 0'"
                     r"\): most likely a pandas index saved with the file"),
    "generic_pandas_index": ("b.csv", _generic_pandas_index,
                             r"column 1 of .* has no header \('Unnamed: 0'\)"),
    "year_not_declared": ("b.csv", _year_undeclared,
                          r"column 'year' in .* looks like a year, .* declare it with data.year"),
    "duplicated_header": ("b.csv", _duplicated_header,
                          r"has the header 'coupon_rate' twice \(columns 32 and 54\)"),
    "rows_on_two_sheets": ("b.xlsx", _two_sheets, r"has 2 sheets with data \('2014-2018', "
                           r"'2019-2021'\); choose the one with the bonds with data.sheet"),
    "notes_sheet_first": ("b.xlsx", _notes_sheet_first,
                          r"has 2 sheets with data \('notes', 'bonds'\)"),
    "percent_and_fraction_mixed": ("b.csv", _mixed_units,
                                   r"column 'asset_liability_ratio' .* fit neither a fraction "
                                   r".* declare its unit with "
                                   r"data.units.asset_liability_ratio=fraction or percent"),
    "generic_row_counter": ("b.csv", _generic_row_counter,
                            r"column 'row' in .* numbers the rows \(1 to \d+, each once\)"),
    "year_is_label": ("b.csv", lambda m, p: [*_plain(m, p), "data.year=default"],
                      r"data.year and data.label both name 'default'"),
    "drop_the_label": ("b.csv", lambda m, p: [*_plain(m, p), "data.drop_columns=[default]"],
                       r"data.drop_columns names 'default', the label column"),
    "drop_the_year": ("b.csv", lambda m, p: [*_plain(m, p), "data.drop_columns=[year]"],
                      r"data.drop_columns names 'year', the year column"),
    "map_the_label": ("b.csv", lambda m, p: [*_plain(m, p), "+data.columns.default=listed"],
                      r"data.columns maps 'default' onto 'listed', but 'default' is the label "
                      "column"),
    "two_headers_one_indicator": (
        "b.csv", lambda m, p: [*_duplicate_coupon(m, p), "+data.columns.coupon=coupon_rate"],
        r"has two columns for the indicator 'coupon_rate': 'coupon_rate' and 'coupon'"),
    "year_gaps_under_impute": ("b.csv", _year_gaps, r"year column 'year' .* has 2 empty "
                               r"values; with data.missing=impute every row needs its year"),
    "empty_column_under_impute": ("b.csv", _empty_column,
                                  r"column 'quick_ratio' in .* is empty in every row"),
    "standard_scaling_near_float_limit": (
        "b.csv", _near_float_limit, r"column 'equity_ratio' cannot be scaled with "
        r"classifier.preprocess.numeric=standard: its values reach 1.5e\+300"),
    "too_few_defaulted_for_smote": ("b.csv", _few_defaulted,
                                    r"sampler=smote needs at least 6 defaulted training rows"),
    "non_ascii_value_unquoted": ("b.csv", lambda m, p: [*_plain(m, p), "data.label=是否违约"],
                                 r"reads non-ASCII text only in quotes: write "
                                 r"'data.label=\"是否违约\"'"),
    "non_ascii_key": ("b.csv", lambda m, p: [*_plain(m, p), "+data.columns.票面利率=coupon_rate"],
                      r"cannot take the non-ASCII key .* data.columns_file=mapping.yaml"),
}


def _duplicate_coupon(m, path):
    m.assign(coupon=m["coupon_rate"]).to_csv(path, index=False)
    return []


@pytest.mark.parametrize("case", list(REFUSED))
def test_what_would_be_silent_or_a_role_mistake_is_refused_with_one_sentence(case, market,
                                                                            tmp_path):
    name, make, expected = REFUSED[case]
    path = tmp_path / name
    overrides = make(market, path)
    year = [] if any(o.startswith("data.year") for o in overrides) else ["data.year=year"]
    done = run_train(["data=file", f"data.path={path}", *year, *SMOKE, *overrides],
                     cwd=tmp_path, timeout=180)
    _refused(done, expected, tmp_path)


# -- legitimate variants of one file: the clean file's metrics ---------------------------------

CHINESE = {"coupon_rate": "Coupon Rate (%)", "asset_liability_ratio": "资产负债率",
           "bond_type": "债券类型", "default": "是否违约", "year": "年度"}


def _bom(m, path):
    path.write_bytes(b"\xef\xbb\xbf" + m.to_csv(index=False).encode())
    return []


def _semicolon_comma(m, path):
    m.to_csv(path, index=False, sep=";", decimal=",")
    return []


def _gb18030_chinese_headers(m, path):
    m.rename(columns=CHINESE).to_csv(path, index=False, encoding="gb18030")
    mapping = path.with_name("mapping.yaml")
    mapping.write_text("".join(f"'{header}': {name}\n" for name, header in CHINESE.items()
                               if name not in ("default", "year")), encoding="utf-8")
    return [f"data.columns_file={mapping}", 'data.label="是否违约"', 'data.year="年度"']


def _declared_id(m, path):
    m.insert(0, "isin", [f"CN{i:08d}" for i in range(len(m))])
    m.to_csv(path, index=False)
    return ["data.id_columns=[isin]"]


def _percent_by_range(m, path):
    m.assign(asset_liability_ratio=m["asset_liability_ratio"] * 100).to_csv(path, index=False)
    return []


def _percent_signs(m, path):
    m.assign(current_debt_ratio=(m["current_debt_ratio"] * 100).map(lambda v: f"{v!r}%")).to_csv(
        path, index=False)
    return []


#: Variants read with the clean file's settings alone: one grid over their files.
PLAIN = {"utf8_bom": _bom, "semicolon_decimal_comma": _semicolon_comma,
         "percent_read_from_the_range": _percent_by_range, "percent_signs": _percent_signs}
#: Variants that need a setting of their own.
WITH_SETTINGS = {"gb18030_chinese_headers_from_a_file": _gb18030_chinese_headers,
                 "declared_id_column": _declared_id}


@pytest.fixture(scope="module")
def clean_metrics(market, tmp_path_factory) -> dict[str, float]:
    cwd = tmp_path_factory.mktemp("clean")
    market.to_csv(cwd / "b.csv", index=False)
    done = run_train(["data=file", f"data.path={cwd / 'b.csv'}", "data.year=year", *SMOKE],
                     cwd=cwd, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return _metrics(cwd)


def test_plain_variants_give_the_clean_files_metrics(market, clean_metrics, tmp_path):
    # a BOM, ';' with decimal commas, percentages by their range or with '%' signs: each a
    # cell of one grid over the files
    paths = []
    for case, make in PLAIN.items():
        paths.append(tmp_path / case / "b.csv")
        paths[-1].parent.mkdir()
        assert make(market.copy(), paths[-1]) == []
    done = run_train(["-m", "data=file", f"data.path={','.join(map(str, paths))}",
                      "data.year=year", *SMOKE], cwd=tmp_path, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    cells = {r.data.params["data.path"]: r for r in runs_in(tmp_path)
             if "mlflow.parentRunId" in r.data.tags}
    assert len(cells) == len(PLAIN)
    for case, path in zip(PLAIN, paths, strict=True):
        run = cells[str(path)]
        assert run.info.status == "FINISHED", case
        for key, value in clean_metrics.items():
            assert run.data.metrics[key] == pytest.approx(value, abs=1e-9), (case, key)


@pytest.mark.parametrize("case", list(WITH_SETTINGS))
def test_a_variant_with_its_settings_gives_the_clean_files_metrics(case, market, clean_metrics,
                                                                  tmp_path):
    path = tmp_path / "b.csv"
    overrides = WITH_SETTINGS[case](market.copy(), path)
    year = [] if any("data.year" in o for o in overrides) else ["data.year=year"]
    done = run_train(["data=file", f"data.path={path}", *year, *SMOKE, *overrides],
                     cwd=tmp_path, timeout=180)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    metrics = _metrics(tmp_path)
    for key, value in clean_metrics.items():
        assert metrics[key] == pytest.approx(value, abs=1e-9), key
