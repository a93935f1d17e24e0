"""How cells, units and tables of a user's file are read: one function at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bond_default.data.cell_values import (
    read_binary,
    read_levels,
    read_numbers,
    read_ratings,
)
from bond_default.data.table_reader import read_raw
from bond_default.data.units import read_unit, split_header_unit
from bond_default.errors import InputError

WHERE = {"column": "'x'", "origin": "f.csv"}


@pytest.mark.parametrize("header, expected", [
    ("票面利率(%)", ("票面利率", "percent")),
    ("发行规模（亿元）", ("发行规模", "rmb_100m")),
    ("发行期限 (月)", ("发行期限", "months")),
    ("Coupon Rate (%)", ("Coupon Rate", "percent")),
    ("净资产收益率ROE(摊薄)", ("净资产收益率ROE(摊薄)", None)),  # not a unit: kept whole
    ("coupon_rate", ("coupon_rate", None)),
])
def test_a_headers_trailing_unit_is_split_off_when_it_is_a_unit(header, expected):
    assert split_header_unit(header) == expected


def test_header_units_convert_to_the_catalogue_unit():
    amount = read_unit("issue_amount", pd.Series([50_000.0, 120_000.0]), header_unit="rmb_10k",
                       **WHERE)
    assert (amount.unit, amount.source, amount.factor) == ("rmb_10k", "header", 1e-4)
    term = read_unit("issue_term_years", pd.Series([36.0, 60.0]), header_unit="months", **WHERE)
    assert term.factor == pytest.approx(1 / 12)
    with pytest.raises(InputError, match="given in rmb_100m .* cannot be converted to the "
                                         "catalogue's percent"):
        read_unit("coupon_rate", pd.Series([5.0]), header_unit="rmb_100m", **WHERE)


def test_a_header_saying_percent_over_fractions_is_refused():
    with pytest.raises(InputError, match=r"says \(%\) in its header but its values look like "
                                         "fractions .* data.units.asset_liability_ratio"):
        read_unit("asset_liability_ratio", pd.Series([0.5, 0.61, 0.7]), header_unit="percent",
                  **WHERE)


def test_the_range_tells_percent_from_fraction_and_refuses_what_fits_neither():
    ratio = pd.Series(np.linspace(0.2, 0.9, 50))
    assert read_unit("asset_liability_ratio", ratio, **WHERE).factor == 1
    assert read_unit("asset_liability_ratio", ratio * 100, **WHERE).factor == 0.01
    coupon = pd.Series(np.linspace(3.1, 8.5, 50))
    assert read_unit("coupon_rate", coupon, **WHERE).factor == 1
    assert read_unit("coupon_rate", coupon / 100, **WHERE).factor == 100
    mixed = pd.concat([ratio, ratio.head(10) * 100])
    with pytest.raises(InputError, match="fit neither a fraction .* nor a percent"):
        read_unit("asset_liability_ratio", mixed, **WHERE)
    with pytest.raises(InputError, match="fit neither"):
        read_unit("revenue_growth", pd.Series([1.2, -1.5, 1.4, 1.6]), **WHERE)
    declared = read_unit("revenue_growth", pd.Series([1.2, -1.5, 1.4]), declared="percent",
                         **WHERE)
    assert (declared.factor, declared.source) == (0.01, "data.units")
    # units that are not fraction/percent are taken as the catalogue's, whatever the range
    assert read_unit("current_ratio", pd.Series([150.0, 90.0]), **WHERE).factor == 1


def test_numbers_blank_markers_percent_signs_and_decimal_commas_are_read_and_counted():
    values, changes = read_numbers(pd.Series(["1,5", "--", " 2,25 ", "N/A", "", None]),
                                   decimal=",", **WHERE)
    np.testing.assert_array_equal(values.to_numpy(), [1.5, np.nan, 2.25, np.nan, np.nan, np.nan])
    assert changes["'--' -> empty"] == 1 and changes["'N/A' -> empty"] == 1
    assert changes["decimal comma read as a point"] == 2
    values, changes = read_numbers(pd.Series(["36.0%", "5%", "-"]), **WHERE)
    np.testing.assert_allclose(values.to_numpy()[:2], [0.36, 0.05])
    assert any(k.startswith("percent sign read (36.0% -> 0.36)") for k in changes)
    coupon, _ = read_numbers(pd.Series(["4.5%"]), percent_scale=1.0, **WHERE)
    assert coupon.iloc[0] == 4.5
    with pytest.raises(InputError, match="has 1 cells that are not numbers \\(e.g. 'n.a.x'\\)"):
        read_numbers(pd.Series(["1", "n.a.x"]), **WHERE)
    marked, _ = read_numbers(pd.Series(["1", "n.a.x"]), na_values=("n.a.x",), **WHERE)
    assert marked.isna().tolist() == [False, True]


def test_yes_no_words_levels_and_both_rating_scales():
    flags, changes = read_binary(pd.Series(["是", "否", "Y", "n", "TRUE", 0, "--"]), **WHERE)
    assert flags.tolist()[:6] == [1, 0, 1, 0, 1, 0] and np.isnan(flags.iloc[6])
    assert changes["'是' -> 1"] == 1
    with pytest.raises(InputError, match="must hold 0/1 values .* found 'maybe'"):
        read_binary(pd.Series(["是", "maybe"]), **WHERE)

    levels = {"公司债": "corporate_bond", "中票": 2}
    codes, _ = read_levels(pd.Series(["公司债", "中票", "ppn", 1, "--"]), "bond_type",
                           levels=levels, **WHERE)
    assert codes.tolist()[:4] == [0, 2, 4, 1] and np.isnan(codes.iloc[4])
    with pytest.raises(InputError, match="levels that are not declared: '可转债' \\(2 rows\\); "
                                         "declare them in data.levels.bond_type"):
        read_levels(pd.Series(["公司债", "可转债", "可转债"]), "bond_type", levels=levels,
                    **WHERE)
    with pytest.raises(InputError, match="maps '私募' onto 'private', which is not a level"):
        read_levels(pd.Series(["私募"]), "bond_type", levels={"私募": "private"}, **WHERE)

    ratings, changes = read_ratings(pd.Series(["AAA", "aa+", "A-1", "A-2", "A-3", "B", "D",
                                               "AA－", 5]), **WHERE)
    assert ratings.tolist() == [0, 1, 2, 5, 8, 14, 18, 3, 5]
    assert changes["short-term A-1 read as AA"] == 1
    with pytest.raises(InputError, match="not ratings \\(e.g. 'A-4'\\)"):
        read_ratings(pd.Series(["AAA", "A-4"]), **WHERE)


def test_the_header_row_is_found_below_a_title_and_lines_below_the_table_are_dropped(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("债券违约数据导出,,\n"
                    "\n"
                    "code,coupon_rate,default\n"
                    "a,4.1,0\n"
                    ",,\n"
                    "b,5.2,1\n"
                    "数据来源：Wind,,\n", encoding="gb18030")
    raw = read_raw(path, expected_headers={"default", "coupon_rate"})
    assert raw.headers == ["code", "coupon_rate", "default"]
    assert raw.cells[0].tolist() == ["a", "b"]
    assert raw.notes["encoding"] == "GB18030" and raw.notes["header_row"] == 3
    assert (raw.notes["rows_above_header"], raw.notes["rows_below_table"],
            raw.notes["empty_rows"]) == (2, 1, 1)
    assert raw.notes["lines_below"] == ["数据来源：Wind"]
    given = read_raw(path, header_row=3)
    assert given.headers == raw.headers
    semicolons = tmp_path / "eu.csv"
    semicolons.write_text("coupon_rate;default\n4,1;0\n5,25;1\n", encoding="utf-8")
    eu = read_raw(semicolons)
    assert (eu.notes["delimiter"], eu.notes["decimal"]) == (";", ",")


def test_a_sheet_is_chosen_by_name_or_position(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"note": ["read me"]}).to_excel(book, sheet_name="notes", index=False)
        pd.DataFrame({"coupon_rate": [4.0], "default": [1]}).to_excel(book, sheet_name="bonds",
                                                                       index=False)
    with pytest.raises(InputError, match="has 2 sheets with data \\('notes', 'bonds'\\)"):
        read_raw(path)
    assert read_raw(path, sheet="bonds").headers == ["coupon_rate", "default"]
    assert read_raw(path, sheet=2).notes["sheet"] == "bonds"
    with pytest.raises(InputError, match="has no sheet 'bond'; its sheets are 'notes', 'bonds'"):
        read_raw(path, sheet="bond")
