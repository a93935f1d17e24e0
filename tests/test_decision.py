"""Probabilities of default at the real rate, thresholds chosen on training rows, the
walk-forward backtest: the estimators, the metrics and the split, without a command."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from hydra import compose, initialize_config_dir
from scipy.stats import norm
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import TunedThresholdClassifierCV

from bond_default.data.dataset import BondData
from bond_default.data.loading import load_data
from bond_default.data.split import WalkForwardSplit
from bond_default.decision.cost import negative_cost
from bond_default.decision.model import build_decision_model, decision_threshold, fitted_pipeline
from bond_default.decision.prior_shift import PriorShiftCalibration, shift_prior
from bond_default.errors import InputError
from bond_default.evaluate.metrics import calibration_metrics, population_stability
from bond_default.pipeline.build import build_pipeline
from bond_default.run.command_line import threshold_overrides


def config(*overrides: str):
    with initialize_config_dir(version_base="1.3", config_dir=str(REPO / "conf")):
        return compose("train", overrides=list(overrides))


def _posterior(x, prior):
    """P(default | x) for defaulted ~ N(1, 1), non-defaulted ~ N(-1, 1) at a default rate."""
    up, down = prior * norm.pdf(x, 1, 1), (1 - prior) * norm.pdf(x, -1, 1)
    return up / (up + down)


def test_the_prior_shift_maps_posteriors_at_one_rate_exactly_onto_those_at_another():
    x = np.linspace(-4, 4, 81)
    assert np.allclose(shift_prior(_posterior(x, 0.09), 0.09, 0.016), _posterior(x, 0.016))
    assert np.allclose(shift_prior(_posterior(x, 0.3), 0.3, 0.3), _posterior(x, 0.3))


def _market(n=20_000, rate=0.02, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    x = pd.DataFrame({"a": rng.normal(np.where(y == 1, 1.2, -0.2), 1.0),
                      "b": rng.normal(size=n)})
    return x, y


def test_prior_calibration_reads_the_resampled_rate_and_brings_the_mean_pd_to_the_real_one():
    x, y = _market()
    cfg = config("classifier=lr", "sampler=smote", "calibration=prior")
    model = build_decision_model(cfg, build_pipeline(cfg))
    assert isinstance(model, PriorShiftCalibration)
    model.fit(x, y)
    counter = fitted_pipeline(model).named_steps["count"]
    assert model.fit_rate_ == pytest.approx(counter.n_defaulted_ / counter.n_rows_)
    assert model.fit_rate_ > 3 * y.mean()
    x_new, y_new = _market(seed=1)
    shifted = model.predict_proba(x_new)[:, 1]
    raw = fitted_pipeline(model).predict_proba(x_new)[:, 1]
    assert raw.mean() > 3 * y_new.mean()
    assert shifted.mean() == pytest.approx(y_new.mean(), rel=0.2)
    assert roc_auc_score(y_new, shifted) == pytest.approx(roc_auc_score(y_new, raw))


def test_the_prior_shifts_rates_are_found_inside_a_threshold_tuner_and_only_there():
    from bond_default.decision.model import prior_shift_rates

    def decision_model(*overrides):
        cfg = config("classifier=lr", "sampler=smote", *overrides)
        return build_decision_model(cfg, build_pipeline(cfg))

    x, y = _market(n=4000, rate=0.05)
    tuned = decision_model("calibration=prior", "threshold=max_f1",
                           "threshold.tuner.cv=2").fit(x, y)
    rates = prior_shift_rates(tuned)
    assert rates == {"calibration_fit_rate": tuned.estimator_.fit_rate_,
                     "calibration_true_rate": pytest.approx(y.mean())}
    assert rates["calibration_fit_rate"] > 1.5 * y.mean()
    assert prior_shift_rates(decision_model().fit(x, y)) == {}


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_holdout_calibration_fits_the_pipeline_on_the_other_rows_only(method):
    x, y = _market(n=6000, rate=0.05)
    cfg = config("classifier=lr", "sampler=smote", f"calibration={method}")
    model = build_decision_model(cfg, build_pipeline(cfg)).fit(x, y)
    pipeline = fitted_pipeline(model)
    # The pipeline saw the training rows minus the held-out fifth (resampled), never all.
    assert pipeline.named_steps["count"].n_rows_ - pipeline.named_steps["count"].n_defaulted_ \
        == int(round(0.8 * (y == 0).sum()))
    x_new, y_new = _market(n=6000, rate=0.05, seed=2)
    calibrated = model.predict_proba(x_new)[:, 1]
    assert calibration_metrics(y_new, calibrated)["ece"] < \
        calibration_metrics(y_new, pipeline.predict_proba(x_new)[:, 1])["ece"]


def test_calibration_metrics_tell_right_from_five_times_too_high():
    rng = np.random.default_rng(0)
    p = rng.beta(0.5, 20, 50_000)
    y = (rng.random(len(p)) < p).astype(int)
    right, high = calibration_metrics(y, p), calibration_metrics(y, np.minimum(5 * p, 1))
    assert right["ece"] < 0.003 < 0.03 < high["ece"]
    assert right["pd_ratio"] == pytest.approx(1, abs=0.05)
    assert high["pd_ratio"] > 4
    decomposed = right["brier_reliability"] - right["brier_resolution"] \
        + right["brier_uncertainty"]
    assert decomposed == pytest.approx(brier_score_loss(y, p), rel=0.05)
    assert high["brier_reliability"] > 10 * right["brier_reliability"]


def test_population_stability_is_near_zero_for_one_population_and_large_for_a_shifted_one():
    rng = np.random.default_rng(0)
    base = rng.beta(1, 30, 20_000)
    assert population_stability(base, rng.beta(1, 30, 5000)) < 0.02
    assert population_stability(base, rng.beta(3, 30, 5000)) > 0.25


def _years_data(years, labels):
    frame = pd.DataFrame({"x": np.arange(len(years), dtype=float)})
    return BondData(features=frame, label=pd.Series(labels), name="t",
                    year=pd.Series(years))


def test_no_walk_forward_fold_trains_on_rows_of_its_test_year_or_later():
    data = load_data(config("debug=smoke", "debug.n_bonds=5000"))
    folds = WalkForwardSplit(first_test_year=2017).folds(data, seed=0)
    years = data.year.to_numpy()
    assert [year for year, _, _ in folds] == [2017, 2018, 2019, 2020, 2021]
    for year, train, test in folds:
        assert years[train].max() < year
        assert set(years[test]) == {year}
        assert np.array_equal(np.sort(train), np.flatnonzero(years < year))


def test_walk_forward_refuses_years_it_cannot_test_with_a_sentence():
    data = _years_data([2015] * 4 + [2016] * 4, [0, 1, 0, 0, 0, 0, 0, 0])
    with pytest.raises(InputError, match="test year 2016 .* hold only one class"):
        WalkForwardSplit(first_test_year=2016).folds(data, 0)
    with pytest.raises(InputError, match="first_test_year=2015 leaves no earlier year"):
        WalkForwardSplit(first_test_year=2015).folds(data, 0)


@pytest.mark.parametrize(("argv", "expected"), [
    (["threshold=0.3"], ["threshold=fixed", "threshold.value=0.3"]),
    (["-m", "threshold=0.3,0.5"], ["-m", "threshold=fixed", "threshold.value=0.3,0.5"]),
    (["threshold=0.5,max_f1,cost"], ["threshold=fixed,max_f1,cost"]),
    (["threshold=max_f1", "threshold.tuner.cv=3"], ["threshold=max_f1", "threshold.tuner.cv=3"]),
])
def test_a_number_for_the_threshold_selects_the_fixed_policy(argv, expected):
    assert threshold_overrides(argv) == (expected, None)


def test_numbers_mixed_with_policies_are_refused_with_a_sentence():
    _, sentence = threshold_overrides(["threshold=0.3,max_f1"])
    assert "two commands" in sentence


def test_the_cost_score_counts_missed_defaults_and_false_alarms_at_their_costs():
    y = np.array([1, 1, 0, 0, 0])
    assert negative_cost(y, np.array([0, 1, 1, 0, 0]), cost_fn=10, cost_fp=1) == -11 / 5


class RecordingTuner(TunedThresholdClassifierCV):
    """The threshold tuner, remembering the index of every table it was fitted on."""

    seen: list[pd.Index] = []

    def fit(self, X, y, **params):
        RecordingTuner.seen.append(X.index)
        return super().fit(X, y, **params)


def test_max_f1_chooses_its_threshold_without_seeing_a_test_row(tmp_path, isolated_mlflow):
    from bond_default.run.cell import run_cell

    cfg = config("classifier=lr", "sampler=none", "threshold=max_f1", "debug=smoke",
                 f"tracking.uri=sqlite:///{tmp_path / 'mlflow.db'}", "explain.enabled=false",
                 "tracking.log_model=false")
    cfg.threshold.tuner._target_ = f"{__name__}.RecordingTuner"
    cfg.threshold.tuner.cv = 2
    RecordingTuner.seen.clear()
    result = run_cell(cfg)
    data = load_data(cfg)
    _, test = cfg_split(cfg).split(data, 0)
    assert len(RecordingTuner.seen) == 1
    assert not set(RecordingTuner.seen[0]) & set(data.features.index[test])
    assert len(RecordingTuner.seen[0]) + len(test) == len(data)
    assert result.metrics["threshold"] != 0.5
    # the curve it was chosen from is in the run, its best point the run's threshold
    import mlflow

    client = mlflow.MlflowClient()
    curve = pd.read_csv(client.download_artifacts(result.run_id, "threshold/curve.csv",
                                                  str(tmp_path)))
    assert len(curve) > 100 and curve["score"].between(0, 1).all()
    assert curve.loc[curve["score"].idxmax(), "threshold"] == pytest.approx(
        result.metrics["threshold"])
    assert "plots/threshold.png" in {a.path for a in client.list_artifacts(result.run_id,
                                                                           "plots")}
    fixed = run_cell(config("classifier=lr", "sampler=none", "debug=smoke",
                            f"tracking.uri=sqlite:///{tmp_path / 'mlflow.db'}",
                            "explain.enabled=false", "tracking.log_model=false"))
    assert not client.list_artifacts(fixed.run_id, "threshold")


def cfg_split(cfg):
    from hydra.utils import instantiate

    return instantiate(cfg.split)


def test_a_fixed_threshold_is_the_configured_one_and_a_tuned_one_is_chosen():
    x, y = _market(n=4000, rate=0.05)
    fixed = config("classifier=lr", "sampler=none", "threshold.value=0.3")
    assert decision_threshold(build_decision_model(fixed, build_pipeline(fixed)), fixed) == 0.3
    tuned = config("classifier=lr", "sampler=none", "threshold=cost", "threshold.cost_fn=20",
                   "threshold.tuner.cv=3")
    model = build_decision_model(tuned, build_pipeline(tuned)).fit(x, y)
    # With a missed default 20 times a false alarm, the threshold sits far below 0.5.
    assert decision_threshold(model, tuned) < 0.25
    assert isinstance(fitted_pipeline(model).named_steps["count"].n_rows_, int)
