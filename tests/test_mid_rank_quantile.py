"""The quantile scaling keeps a column's common extreme value ordinary."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.preprocessing import QuantileTransformer

from bond_default.data.synthetic_source import SyntheticSource
from bond_default.pipeline.mid_rank_quantile import MidRankQuantileTransformer
from bond_default.pipeline.preprocess import IndicatorPreprocessor


def _ratings_and_ratio(n: int = 20_000):
    rng = np.random.default_rng(0)
    rating = rng.choice(5, p=[0.4, 0.27, 0.22, 0.08, 0.03], size=n).astype(float)
    return np.c_[rating, rng.lognormal(size=n)]


@pytest.mark.parametrize("output", ["normal", "uniform"])
def test_ties_at_the_extremes_take_their_mid_rank_and_the_rest_is_scikit_learns(output):
    x = _ratings_and_ratio()
    settings = dict(output_distribution=output, n_quantiles=1000, subsample=None)
    ours = MidRankQuantileTransformer(**settings).fit(x)
    theirs = QuantileTransformer(**settings).fit(x)
    rows = np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 0.5], [3.0, 4.0], [4.0, 1.5]])
    to_output = norm.ppf if output == "normal" else (lambda u: u)

    out = ours.transform(rows)
    # 40% of rows hold the top rating (code 0): mid-rank 0.2, not scikit-learn's bound
    share_low, share_high = (x[:, 0] == 0).mean(), (x[:, 0] == 4).mean()
    assert out[0, 0] == pytest.approx(to_output(share_low / 2))
    assert out[4, 0] == pytest.approx(to_output(1 - share_high / 2))
    assert theirs.transform(rows)[0, 0] == pytest.approx(to_output(1e-7), abs=1e-6)
    np.testing.assert_allclose(out[1:4, 0], theirs.transform(rows)[1:4, 0])
    np.testing.assert_allclose(out[:, 1], theirs.transform(rows)[:, 1])


def test_values_beyond_the_training_range_stay_at_the_extreme_mid_rank():
    x = _ratings_and_ratio()
    scaler = MidRankQuantileTransformer(output_distribution="normal", subsample=None).fit(x)
    beyond = scaler.transform(np.array([[-3.0, -1.0], [9.0, 1e6]]))
    inside = scaler.transform(np.array([[0.0, x[:, 1].min()], [4.0, x[:, 1].max()]]))
    np.testing.assert_allclose(beyond, inside)
    # a continuous column's single minimum: quantile 1 / (2 n), about -4.06 here
    assert inside[0, 1] == pytest.approx(norm.ppf(0.5 / len(x)))


def test_no_indicator_of_the_synthetic_market_piles_up_at_an_extreme_score():
    features = SyntheticSource(n_bonds=4000, seed=2).load().features
    scaled = IndicatorPreprocessor(numeric="quantile", categorical="onehot").fit_transform(
        features)
    # before: 40% of ratings, the macro figures of the first and last years at +-5.2
    extreme_share = (scaled.abs() > 4.5).mean()
    assert extreme_share.max() == 0.0
    assert (scaled.abs() > 3.0).mean().max() < 0.01
