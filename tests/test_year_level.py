"""Year-level columns (one value per year: the macro environment) are found, generated rows
take them from a real year, and the quality report tells copying from collapse."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
from conftest import run_train, runs_in
from imblearn.over_sampling import SMOTE

from bond_default.data.catalogue import YEAR_LEVEL
from bond_default.data.synthetic import generate_market
from bond_default.data.year_level import year_level_columns
from bond_default.samplers.gan_oversampler import GANOverSampler
from bond_default.samplers.gan_quality import assess, year_consistency


@pytest.fixture(scope="module")
def market() -> pd.DataFrame:
    frame, _ = generate_market(4000, seed=0)
    return frame.dropna().reset_index(drop=True)


def test_the_markets_macro_indicators_are_found_and_nothing_else(market):
    features = market.drop(columns=["default", "year"])
    assert year_level_columns(features, market["year"]) == list(YEAR_LEVEL)
    # a user's own column that is one value per year is found too, a noisy one is not
    own = features.assign(policy_rate=market["year"].map(lambda y: 4.0 - 0.1 * (y - 2014)),
                          noisy=market["year"] + np.random.default_rng(0).normal(
                              size=len(market)))
    assert "policy_rate" in year_level_columns(own, market["year"])
    assert "noisy" not in year_level_columns(own, market["year"])
    # without years only the catalogue's declaration counts
    assert year_level_columns(own, None) == list(YEAR_LEVEL)


def _small_table(market: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    columns = [*YEAR_LEVEL, "current_ratio", "return_on_equity", "issuer_rating", "listed"]
    return market[columns].astype(float), market["default"].to_numpy()


@pytest.mark.parametrize("train_on", ["minority", "both"])
def test_generated_rows_take_a_real_year_of_the_class_and_valid_levels(market, train_on):
    X, y = _small_table(market)
    sampler = GANOverSampler(sampling_strategy={1: int(y.sum()) * 4}, max_epochs=10,
                             random_state=0, progress_bar=False, year_columns=list(YEAR_LEVEL),
                             train_on=train_on)
    X_res, y_res = sampler.fit_resample(X, y)
    new = X_res.iloc[len(X):]
    assert (y_res[len(X):] == 1).all()
    positions = [X.columns.get_loc(c) for c in YEAR_LEVEL]
    assert year_consistency(new.to_numpy(), X[y == 1].to_numpy(), positions) == 1.0
    assert sampler.quality_.year_consistency == 1.0
    # the years come as the defaulted rows' years are distributed
    year_of = {tuple(r): yr for r, yr in zip(market[list(YEAR_LEVEL)].to_numpy(),
                                             market["year"], strict=True)}
    drawn = pd.Series([year_of[tuple(r)] for r in new[list(YEAR_LEVEL)].to_numpy()])
    share = drawn.value_counts(normalize=True)
    real_share = market.loc[y == 1, "year"].value_counts(normalize=True)
    assert set(share.index) <= set(real_share.index)
    assert (share.reindex(real_share.index, fill_value=0) - real_share).abs().max() < 0.08
    assert set(new["issuer_rating"]) <= set(X["issuer_rating"])
    assert set(new["listed"]) <= {0.0, 1.0}
    # the other columns are generated, not copied with the year
    assert not new[["current_ratio", "return_on_equity"]].duplicated().all()


def test_the_papers_gan_without_year_columns_mixes_years_and_smote_interpolates_them(market):
    X, y = _small_table(market)
    positions = [X.columns.get_loc(c) for c in YEAR_LEVEL]
    paper = GANOverSampler(sampling_strategy={1: int(y.sum()) * 4}, max_epochs=10,
                           random_state=0, progress_bar=False, year_columns=None,
                           discrete_columns="snapped", instance_noise=0.0)
    new = paper.fit_resample(X, y)[0].to_numpy()[len(X):]
    assert year_consistency(new, X.to_numpy(), positions) < 0.5
    smoted = SMOTE(random_state=0).fit_resample(X, y)[0].to_numpy()[len(X):]
    assert year_consistency(smoted, X.to_numpy(), positions) < 0.9


def _combinations(frame: pd.DataFrame) -> set[tuple]:
    return set(map(tuple, frame.to_numpy().round(9)))


def test_discrete_columns_come_as_a_combination_some_real_row_of_the_class_has(market):
    bond = ["bond_type", "issue_term_years", "payment_method", "issuer_rating",
            "bond_rating", "listed"]
    X = market[[*bond, "current_ratio", "coupon_rate"]].astype(float)
    y = market["default"].to_numpy()
    settings = dict(sampling_strategy={1: int(y.sum()) * 4}, max_epochs=10, random_state=0,
                    progress_bar=False, year_columns=None)
    real = _combinations(X.loc[y == 1, bond])
    unseen = {}
    for mode in ("from_real", "snapped"):
        sampler = GANOverSampler(discrete_columns=mode, **settings)
        new = sampler.fit_resample(X, y)[0].iloc[len(X):]
        unseen[mode] = np.mean([c not in real for c in map(tuple, new[bond].to_numpy())])
    # generated one column at a time, the market's fixed combinations (commercial paper is
    # paid one way and runs a year at most; a bond is rated near its issuer) are broken
    assert unseen["from_real"] == 0.0 and unseen["snapped"] > 0.2, unseen
    assert not new[["current_ratio", "coupon_rate"]].duplicated().all()


def test_the_gan_learns_the_other_columns_given_the_discrete_combination():
    rng = np.random.default_rng(0)
    n = 400
    code = rng.integers(0, 2, size=n).astype(float)
    X = pd.DataFrame({"ratio": np.where(code == 1, 2.0, -2.0) + 0.3 * rng.normal(size=n),
                      "code": code, "flag": rng.integers(0, 2, size=n).astype(float)})
    y = np.r_[np.ones(80, int), np.zeros(n - 80, int)]
    sampler = GANOverSampler(sampling_strategy={1: 400}, max_epochs=300, random_state=0,
                             progress_bar=False, assess_quality=False)
    new = sampler.fit_resample(X, y)[0].iloc[n:]
    by_code = new.groupby("code")["ratio"].mean()
    assert by_code[1.0] - by_code[0.0] > 2.0, by_code
    with pytest.raises(ValueError, match="discrete_columns=from_real would only copy"):
        GANOverSampler(sampling_strategy={1: 400}, max_epochs=2, progress_bar=False,
                       random_state=0).fit_resample(X[["code", "flag"]], y)


def test_the_quality_report_tells_copies_from_collapse():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 6))
    copies = real[rng.integers(0, 300, size=600)] + rng.normal(scale=1e-3, size=(600, 6))
    collapsed = np.repeat(real.mean(axis=0, keepdims=True), 600, axis=0) + rng.normal(
        scale=1e-3, size=(600, 6))
    fresh = rng.normal(size=(600, 6))
    copied, fell, new = (assess(real, rows) for rows in (copies, collapsed, fresh))
    assert copied.memorized_share > 0.9 and copied.spread_ratio > 0.9
    assert fell.spread_ratio < 0.01 and copied.distinct_share > 0.9
    assert new.memorized_share < 0.6 and 0.8 < new.spread_ratio < 1.2
    # fresh rows of the real rows' law score what real rows score among themselves; copies
    # far above it (the level is the real rows', the same in all three reports)
    assert copied.memorized_share_real == new.memorized_share_real == fell.memorized_share_real
    assert abs(new.memorized_share - new.memorized_share_real) < 0.1
    assert copied.memorized_share > new.memorized_share_real + 0.4
    assert "sampler_memorized_share_real" in new.metrics()
    assert np.isnan(new.year_consistency) and "sampler_year_consistency" not in new.metrics()


@pytest.mark.parametrize("model", ["ctgan", "tvae"])
def test_the_ctgan_packages_synthesizers_keep_years_and_levels(market, model):
    pytest.importorskip("ctgan")
    from bond_default.samplers.ctgan_oversampler import SynthesizerOverSampler

    X, y = _small_table(market)
    sampler = SynthesizerOverSampler(model=model, epochs=2, random_state=0,
                                     sampling_strategy={1: int(y.sum()) * 2},
                                     year_columns=list(YEAR_LEVEL))
    X_res, y_res = sampler.fit_resample(X, y)
    new = X_res.iloc[len(X):]
    assert len(new) == int(y.sum()) and (y_res[len(X):] == 1).all()
    positions = [X.columns.get_loc(c) for c in YEAR_LEVEL]
    assert year_consistency(new.to_numpy(), X[y == 1].to_numpy(), positions) == 1.0
    assert set(new["issuer_rating"]) <= set(X["issuer_rating"])
    assert set(new["listed"]) <= {0.0, 1.0}
    assert {"issuer_rating", "listed", "__year__"} <= set(sampler.discrete_columns_)


@pytest.mark.skipif(importlib.util.find_spec("ctgan") is not None,
                    reason="the ctgan extra is installed here")
def test_ctgan_without_its_package_stops_with_the_line_that_installs_it(tmp_path):
    # a data path that does not exist: had the data been read, that error would show instead
    done = run_train(["sampler=ctgan", "data=file", f"data.path={tmp_path / 'absent.csv'}"],
                     cwd=tmp_path)
    output = done.stdout + done.stderr
    errors = [line for line in output.splitlines() if "[ERROR]" in line]
    assert done.returncode == 2 and len(errors) == 1 and "Traceback" not in output, output
    assert "sampler=ctgan needs the ctgan package" in errors[0]
    assert "pip install -e '.[ctgan]'" in errors[0] and not runs_in(tmp_path)


def test_near_copies_are_also_judged_on_the_generated_columns_alone():
    rng = np.random.default_rng(1)
    real = np.c_[rng.integers(0, 5, size=(300, 8)).astype(float), rng.normal(size=(300, 3))]
    # the first eight columns taken from a real row, the others fresh draws of the same law
    source = rng.integers(0, 300, size=600)
    taken = np.c_[real[source, :8], rng.normal(size=(600, 3))]
    whole = assess(real, taken)
    split = assess(real, taken, copied_positions=range(8))
    assert whole.memorized_share == split.memorized_share
    # the whole row sits near its source row by construction; the generated part does not
    assert whole.memorized_share > whole.memorized_share_real + 0.2
    assert abs(split.memorized_share_generated_columns
               - split.memorized_share_real_generated_columns) < 0.1
    assert "sampler_memorized_share_generated_columns" in split.metrics()
    assert np.isnan(whole.memorized_share_generated_columns)
    assert "sampler_memorized_share_generated_columns" not in whole.metrics()


def test_rows_that_carry_one_real_rows_copied_values_are_counted():
    rng = np.random.default_rng(2)
    # eight columns of five levels: almost every real row's combination is its own
    real = np.c_[rng.integers(0, 5, size=(300, 8)).astype(float),
                 rng.integers(0, 3, size=(300, 1)).astype(float), rng.normal(size=(300, 3))]
    source = rng.integers(0, 300, size=600)
    taken = np.c_[real[source, :9], rng.normal(size=(600, 3))]
    unique_in_real = np.mean([(real[:, :8] == row).all(axis=1).sum() == 1 for row in real[:, :8]])
    profile = assess(real, taken, copied_positions=range(8))
    assert profile.copied_unique_share == pytest.approx(
        np.mean([(real[:, :8] == real[s, :8]).all(axis=1).sum() == 1 for s in source]))
    assert profile.copied_unique_share > 0.9 and unique_in_real > 0.9
    # a year-like column of three values, each shared by about 100 rows, identifies no row
    year_only = assess(real, taken, copied_positions=[8])
    assert year_only.copied_unique_share == 0.0
    assert profile.metrics()["sampler_copied_unique_share"] == profile.copied_unique_share
    assert "sampler_copied_unique_share" not in assess(real, taken).metrics()


def test_rows_with_a_pair_of_discrete_values_no_real_row_has_are_counted():
    rng = np.random.default_rng(3)
    kind = rng.integers(0, 3, size=400)
    # the term follows the kind (kind 0 runs 1 year, the others 3 or 5): 0 x 5 never occurs
    term = np.where(kind == 0, 1, rng.choice([3, 5], size=400))
    every = np.c_[kind, term, rng.normal(size=400)].astype(float)
    fine = every[rng.integers(0, 400, size=200)].copy()
    broken = fine.copy()
    broken[:50, 0], broken[:50, 1] = 0, 5
    assert assess(every, fine, every=every).pair_consistency == 1.0
    quality = assess(every, broken, every=every)
    assert quality.pair_consistency == pytest.approx(0.75)
    assert quality.metrics()["sampler_pair_consistency"] == pytest.approx(0.75)
    # the pairs are judged on discrete columns alone and not on year-level ones
    assert np.isnan(assess(every, broken, every=every, year_positions=[1]).pair_consistency)
