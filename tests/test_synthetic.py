"""The synthetic market has the paper's shape and behaves like real Chinese credit bonds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bond_default.data.catalogue import BY_NAME, CATEGORICAL_LEVELS, NAMES, RATING_SCALE
from bond_default.data.synthetic import generate_market, market_with_truth


@pytest.fixture(scope="module")
def market() -> tuple[pd.DataFrame, list[str]]:
    """One market of the default size (26,561 bonds), shared by the tests of this file."""
    return generate_market(seed=0)


@pytest.fixture(scope="module")
def frame(market) -> pd.DataFrame:
    return market[0]


@pytest.fixture(scope="module")
def complete(frame) -> pd.DataFrame:
    return frame.dropna()


def test_shape_and_column_order(frame):
    assert frame.shape == (26_561, 53)
    assert list(frame.columns) == [*NAMES, "year", "default"]
    assert pd.api.types.is_integer_dtype(frame["year"])
    assert pd.api.types.is_integer_dtype(frame["default"])
    assert frame["year"].between(2014, 2021).all()
    assert set(frame["year"].unique()) == set(range(2014, 2022))
    assert set(frame["default"].unique()) == {0, 1}


def test_same_seed_same_market_other_seed_other_market():
    first, drivers_first = generate_market(n_bonds=2_000, seed=7)
    again, drivers_again = generate_market(n_bonds=2_000, seed=7)
    other, _ = generate_market(n_bonds=2_000, seed=8)
    pd.testing.assert_frame_equal(first, again)
    assert drivers_first == drivers_again
    assert not first.equals(other)
    assert not np.allclose(first["coupon_rate"].to_numpy(), other["coupon_rate"].to_numpy())


def test_too_few_bonds_is_an_error():
    with pytest.raises(ValueError, match="n_bonds"):
        generate_market(n_bonds=1, seed=0)


def test_complete_rows_and_defaulted_share_match_the_paper(frame, complete):
    assert abs(len(complete) - 25_290) <= 0.01 * 25_290
    # 406 defaulted complete rows: a stratified 70% split keeps the paper's 284 of them
    assert complete["default"].sum() == 406
    share = complete["default"].mean()
    assert abs(share - 416 / 25_290) <= 0.002
    gaps = frame.isna().any(axis=1)
    # weaker issuers miss items a little more often, but a gap is no strong default signal
    assert frame.loc[gaps, "default"].mean() < 2.5 * share


def test_gaps_are_concentrated_in_some_items(frame):
    missing = frame.isna().sum()
    assert missing["human_capital_return"] > missing["operating_cash_flow_ratio"]
    assert missing["income_tax_rate"] > missing["equity_growth"]
    assert missing["cash_turnover"] > 0
    discrete = [n for n in NAMES if BY_NAME[n].is_discrete]
    assert missing[discrete + ["coupon_rate", "year", "default"]].sum() == 0


def test_shares_and_accounting_identities(frame):
    for name in NAMES:
        values = frame[name].dropna()
        assert np.isfinite(values).all(), name
        if BY_NAME[name].kind == "ratio_0_1":
            assert values.between(0.0, 1.0).all(), name
        if BY_NAME[name].kind == "positive":
            assert (values > 0).all(), name
    alr, ser = frame["asset_liability_ratio"], frame["shareholder_equity_ratio"]
    assert ((alr + ser - 1.0).abs() < 0.02).all()
    assert np.allclose(frame["equity_ratio"], alr / ser, rtol=1e-6)
    assert (frame["quick_ratio"] <= frame["current_ratio"]).all()
    assert (frame["long_term_liability_share"] + frame["current_debt_ratio"] <= 1.0).all()
    assert (frame["fixed_asset_share"] + frame["current_assets_ratio"] <= 1.0).all()


def test_heavy_tails_and_extreme_values(frame):
    turnover = frame["receivables_turnover"].dropna()
    assert turnover.max() > 20 * turnover.median()
    assert frame["total_profit_growth"].min() < -1.0
    assert frame["revenue_growth"].min() > -1.0
    assert frame["revenue_growth"].max() > 2.0


def test_discrete_columns_take_catalogue_levels(frame):
    for name, levels in CATEGORICAL_LEVELS.items():
        assert set(frame[name].unique()) <= set(range(len(levels))), name
        assert frame[name].nunique() >= 2, name
    for name in ("listed", "special_terms"):
        assert set(frame[name].unique()) == {0, 1}, name
    for name in ("issuer_rating", "bond_rating"):
        assert set(frame[name].unique()) <= set(range(len(RATING_SCALE))), name


def test_ratings_cluster_in_aaa_aa_plus_aa(frame):
    shares = frame["issuer_rating"].value_counts(normalize=True)
    assert 0.35 <= shares[0] <= 0.45
    assert 0.25 <= shares[1] <= 0.30
    assert 0.20 <= shares[2] <= 0.25
    assert frame["issuer_rating"].max() >= 6          # a thin tail below AA-
    notches = frame["bond_rating"] - frame["issuer_rating"]
    assert notches.isin([-1, 0, 1]).all()
    assert notches.isin([-1, 0]).mean() >= 0.9


def test_coupon_prices_credit_quality(frame):
    assert frame["coupon_rate"].between(2.0, 15.0).all()
    by_rating = frame.groupby("issuer_rating")["coupon_rate"].mean()
    assert by_rating[0] < by_rating[1] < by_rating[2] < by_rating[3]
    assert frame.loc[frame["default"] == 1, "coupon_rate"].mean() > (
        frame.loc[frame["default"] == 0, "coupon_rate"].mean() + 0.5)


def test_macro_indicators_follow_the_previous_year(frame):
    per_year = frame.groupby("year")[["gdp_yoy", "social_financing_yoy", "treasury_10y"]]
    assert (per_year.nunique() == 1).all().all()
    gdp = per_year.first()["gdp_yoy"]
    assert gdp[2014] == pytest.approx(7.8)           # 2013 figure
    assert gdp[2021] == pytest.approx(2.2)           # 2020 figure


def test_defaults_rise_from_2014_2015_to_2018_2020(complete):
    early = complete.loc[complete["year"].isin([2014, 2015]), "default"].mean()
    late = complete.loc[complete["year"].between(2018, 2020), "default"].mean()
    assert late > 1.5 * early


def test_defaulted_bonds_come_from_more_than_one_mechanism(complete):
    defaulted = complete[complete["default"] == 1]
    rollover = defaulted["bond_type"] >= 3           # CP, PPN, exchange private placements
    assert 0.15 <= rollover.mean() <= 0.9
    public = defaulted[~rollover]
    assert (public["asset_liability_ratio"] > 0.72).mean() > (
        complete["asset_liability_ratio"] > 0.72).mean()


def test_true_drivers(market):
    _, drivers = market
    assert 10 <= len(drivers) <= 14
    assert len(set(drivers)) == len(drivers)
    assert set(drivers) <= set(NAMES)
    assert "coupon_rate" in drivers[:3]
    assert {"current_ratio", "long_term_liability_share", "current_debt_ratio"} <= set(
        drivers[:10])


def test_small_market_keeps_roughly_the_default_share():
    frame, drivers = generate_market(n_bonds=2_000, seed=1)
    complete = frame.dropna()
    assert len(frame) == 2_000
    assert 0.85 * 2_000 < len(complete) < 2_000
    assert 0.006 <= complete["default"].mean() <= 0.03
    assert "coupon_rate" in drivers


def test_the_true_probability_belongs_to_the_market_and_its_shap_finds_the_true_drivers():
    import shap
    from sklearn.metrics import roc_auc_score

    market = market_with_truth(n_bonds=3_000, seed=2)
    frame, drivers, indicators = market.frame, market.true_drivers, market.indicators
    probability = market.true_probability
    # the same bonds (coupon_rate never has gaps), and the probability the labels were drawn from
    np.testing.assert_array_equal(np.sort(indicators["coupon_rate"]),
                                  np.sort(frame["coupon_rate"]))
    complete = frame.dropna()
    assert roc_auc_score(complete["default"], probability(complete[list(NAMES)])) > 0.85
    # a perfect model: SHAP of its probability puts (nearly) every true driver in its top 10
    rng = np.random.default_rng(0)

    def pick(n: int) -> np.ndarray:
        return indicators.iloc[rng.choice(len(indicators), n, replace=False)].to_numpy()

    values = shap.PermutationExplainer(probability, pick(50), seed=0)(pick(200), silent=True)
    top10 = indicators.columns[np.argsort(-np.abs(values.values).mean(axis=0))[:10]]
    assert len(set(top10) & set(drivers[:10])) >= 9
