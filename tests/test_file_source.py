"""Reading CSV, Parquet, Excel and ARFF files, column mapping and the missing-value policy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bond_default.data.catalogue import NAMES, RATING_SCALE
from bond_default.data.file_source import FileSource
from bond_default.data.synthetic import generate_market
from bond_default.errors import InputError


@pytest.fixture(scope="module")
def market() -> pd.DataFrame:
    frame, _ = generate_market(n_bonds=1500, seed=3)
    return frame


def _write(frame: pd.DataFrame, path) -> str:
    suffix = str(path).rsplit(".", 1)[-1]
    if suffix == "csv":
        frame.to_csv(path, index=False)
    elif suffix == "parquet":
        frame.to_parquet(path, index=False)
    elif suffix == "xlsx":
        frame.to_excel(path, index=False)
    return str(path)


@pytest.mark.parametrize("suffix", ["csv", "parquet", "xlsx"])
def test_every_format_reads_back_the_same_rows(market, tmp_path, suffix):
    path = _write(market, tmp_path / f"bonds.{suffix}")
    data = FileSource(path, label="default", year="year").load()
    complete = market.dropna()
    assert len(data) == len(complete)
    assert list(data.features.columns) == list(NAMES)
    assert data.n_defaulted == int(complete["default"].sum())
    np.testing.assert_allclose(data.features["coupon_rate"], complete["coupon_rate"])
    assert data.year.tolist() == complete["year"].tolist()


def test_arff_with_nominal_label_and_question_mark_gaps(tmp_path):
    lines = ["@relation tiny", "@attribute Attr1 numeric", "@attribute Attr2 numeric",
             "@attribute class {0,1}", "@data"]
    rng = np.random.default_rng(0)
    for i in range(60):
        a1 = "?" if i % 10 == 0 else f"{rng.normal():.4f}"
        lines.append(f"{a1},{rng.normal():.4f},{int(i % 6 == 0)}")
    path = tmp_path / "tiny.arff"
    path.write_text("\n".join(lines) + "\n")
    dropped = FileSource(str(path), label="class", missing="drop").load()
    kept = FileSource(str(path), label="class", missing="impute").load()
    assert len(dropped) == 54 and len(kept) == 60
    assert kept.features["Attr1"].isna().sum() == 6
    assert set(kept.label.unique()) == {0, 1}
    assert list(kept.features.columns) == ["Attr1", "Attr2"]


def test_wind_headers_map_onto_catalogue_names_and_ratings_become_codes(market, tmp_path):
    renamed = market.rename(columns={"coupon_rate": "票面利率", "issuer_rating": "主体评级",
                                     "default": "违约"})
    renamed["主体评级"] = renamed["主体评级"].map(
        lambda code: RATING_SCALE[int(code)] if pd.notna(code) else None)
    path = _write(renamed, tmp_path / "wind.csv")
    data = FileSource(path, label="违约", year="year",
                      columns={"票面利率": "coupon_rate", "主体评级": "issuer_rating"}).load()
    complete = market.dropna()
    assert data.features["issuer_rating"].tolist() == complete["issuer_rating"].tolist()
    assert "coupon_rate" in data.features.columns


def test_missing_catalogue_columns_are_named(market, tmp_path):
    path = _write(market.drop(columns=["coupon_rate", "quick_ratio"]), tmp_path / "b.csv")
    with pytest.raises(InputError, match="lacks 2 of the 51 catalogue indicators: "
                                         "quick_ratio, coupon_rate"):
        FileSource(path, year="year").load()


def test_mapping_of_a_header_the_file_lacks(market, tmp_path):
    path = _write(market, tmp_path / "b.csv")
    with pytest.raises(InputError, match="columns maps 'x1' onto 'coupon', which is not a "
                                         "catalogue indicator \\(did you mean coupon_rate"):
        FileSource(path, year="year", columns={"x1": "coupon"}).load()


def test_unknown_rating_text_is_rejected(market, tmp_path):
    bad = market.assign(issuer_rating="AA+")
    bad.loc[5, "issuer_rating"] = "excellent"
    path = _write(bad, tmp_path / "b.csv")
    with pytest.raises(InputError, match="'issuer_rating' .* not ratings .*'excellent'"):
        FileSource(path, year="year").load()


def test_generic_numeric_tables_need_no_catalogue(tmp_path):
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"x1": rng.normal(size=80), "x2": rng.normal(size=80),
                          "id": [f"c{i}" for i in range(80)],
                          "bankrupt": (rng.random(80) < 0.2).astype(int)})
    table.loc[0, "bankrupt"] = 1
    path = _write(table, tmp_path / "generic.csv")
    data = FileSource(path, label="bankrupt", drop_columns=["id"]).load()
    assert list(data.features.columns) == ["x1", "x2"]
    with pytest.raises(InputError, match="column 'id' .* 80 cells that are not numbers .*'c0'"):
        FileSource(path, label="bankrupt").load()
