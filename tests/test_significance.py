"""DeLong's test and the seed summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kstest
from sklearn.metrics import roc_auc_score

from bond_default.evaluate.significance import delong_test, seed_summary


def test_delong_aucs_match_sklearn_and_identical_scores_give_p_one():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    a = y + rng.normal(0, 1, 300)
    b = np.round(y + rng.normal(0, 1.5, 300), 1)  # with ties
    result = delong_test(y, a, b)
    assert result.auc_a == pytest.approx(roc_auc_score(y, a))
    assert result.auc_b == pytest.approx(roc_auc_score(y, b))
    assert delong_test(y, a, a).p_value == 1.0


def test_delong_p_values_are_uniform_under_the_null_and_small_under_a_real_difference():
    rng = np.random.default_rng(1)
    null_p = []
    for _ in range(300):
        y = rng.integers(0, 2, 200)
        signal = y + rng.normal(0, 1, 200)
        # two scores equally good (same signal, independent noise)
        null_p.append(delong_test(y, signal + rng.normal(0, 1, 200),
                                  signal + rng.normal(0, 1, 200)).p_value)
    assert kstest(null_p, "uniform").pvalue > 0.01
    y = rng.integers(0, 2, 2000)
    strong, weak = y + rng.normal(0, 0.5, 2000), y + rng.normal(0, 2, 2000)
    assert delong_test(y, strong, weak).p_value < 1e-6


def test_seed_summary_gives_mean_std_and_a_t_interval_per_cell():
    table = pd.DataFrame({
        "classifier": ["lr"] * 3 + ["cnn"] * 3, "sampler": ["none"] * 3 + ["gan"] * 3,
        "ratio": "paper", "data": "synthetic", "seed": [0, 1, 2] * 2,
        "status": ["FINISHED"] * 5 + ["FAILED"],
        "roc_auc": [0.8, 0.82, 0.84, 0.9, 0.92, np.nan],
        "delong_p": [0.01, 0.2, 0.03] + [np.nan] * 3})
    out = seed_summary(table, metrics=("roc_auc",)).set_index("classifier")
    assert out.loc["lr", "roc_auc_mean"] == pytest.approx(0.82)
    assert out.loc["lr", "roc_auc_std"] == pytest.approx(0.02)
    # t(0.975, 2) = 4.303: half-width 4.303 * 0.02 / sqrt(3)
    assert out.loc["lr", "roc_auc_ci_high"] - 0.82 == pytest.approx(4.303 * 0.02 / 3 ** 0.5,
                                                                    rel=1e-3)
    assert out.loc["lr", "delong_p_below_05"] == "2/3"
    assert out.loc["cnn", "seeds"] == 2 and out.loc["cnn", "failed"] == 1


def test_p_values_are_printed_to_the_precision_the_test_supports():
    from bond_default.evaluate.significance import format_p

    assert format_p(1e-193) == "< 0.001" and format_p(0.0009) == "< 0.001"
    assert format_p(0.0123) == "0.012" and format_p(0.456) == "0.46"
    assert format_p(float("nan")) == "" and format_p(None) == ""
