"""SHAP on the original indicators: the right explainer, encoded columns summed back, and the
generator's true drivers found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import REPO, run_train, runs_in
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate

from bond_default.evaluate.explain import explain_pipeline
from bond_default.pipeline.build import build_pipeline


def _fitted(overrides: list[str]):
    with initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
        cfg = compose("train", overrides=overrides)
    data = instantiate(cfg.data).load()
    train, test = instantiate(cfg.split).split(data, int(cfg.seed))
    pipeline = build_pipeline(cfg).fit(data.features.iloc[train],
                                       data.label.iloc[train].to_numpy())
    return pipeline, data, data.features.iloc[train], data.features.iloc[test]


@pytest.mark.parametrize("classifier, explainer", [
    ("lr", "Linear"), ("gbdt", "Tree"), ("cnn", "Gradient"), ("svm", "Permutation"),
    ("scorecard", "LinearExplainer on WoE")])
def test_each_classifier_gets_its_explainer_on_the_51_indicators(classifier, explainer):
    pipeline, data, x_train, x_test = _fitted(
        [f"classifier={classifier}", "sampler=none", "debug=smoke"])
    rows = 20 if classifier == "svm" else 200
    shap = explain_pipeline(pipeline, x_train, x_test, max_rows=rows, background_rows=30)
    assert shap.explainer.startswith(explainer)
    # one column per original indicator, one-hot levels summed back into theirs
    assert list(shap.values.columns) == list(data.features.columns)
    assert shap.values.shape == (rows, 51)
    table = shap.importance()
    assert table["mean_abs_shap"].is_monotonic_decreasing
    assert set(table.columns) >= {"indicator", "group", "mean_abs_shap"}
    assert table["share"].sum() == pytest.approx(1.0)
    groups = shap.groups()
    assert groups["in_top20"].sum() == 20
    assert groups["share_of_total"].sum() == pytest.approx(1.0)


def test_one_hot_levels_are_summed_into_their_indicator():
    pipeline, _, x_train, x_test = _fitted(["classifier=lr", "sampler=none", "debug=smoke"])
    shap = explain_pipeline(pipeline, x_train, x_test, max_rows=50, background_rows=30)
    preprocess = pipeline.named_steps["preprocess"]
    encoded = preprocess.transform(x_test.loc[shap.values.index])
    coef = pd.Series(pipeline[-1].coef_[0], index=encoded.columns)
    # linear SHAP is coef * (x - background mean): between two rows, bond_type's value moves
    # by the sum over its one-hot levels of coef * (difference), whatever the background
    levels = [c for c in encoded.columns if c.startswith("bond_type=")]
    assert len(levels) > 1
    expected = ((encoded[levels] - encoded[levels].iloc[0]) * coef[levels]).sum(axis=1)
    moved = shap.values["bond_type"] - shap.values["bond_type"].iloc[0]
    np.testing.assert_allclose(moved.to_numpy(), expected.to_numpy(), atol=1e-8)


class _LinearLogOdds(torch.nn.Module):
    """A stand-in network whose default log-odds is ``weights . z``: its SHAP is known."""

    def __init__(self, weights: np.ndarray) -> None:
        super().__init__()
        self.weights = torch.nn.Parameter(torch.tensor(weights, dtype=torch.float32))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.stack([torch.zeros(len(z)), z @ self.weights], dim=1)


@pytest.mark.parametrize("classifier, method", [
    ("cnn", "auto"), ("fcnn", "auto"), ("cnn", "permutation")])
def test_shap_of_a_known_network_lands_on_the_right_indicators(classifier, method):
    # The torch models' network is swapped for one that reads coupon_rate and bond_type only;
    # with one background row, expected gradients of a linear network are exact, and so are
    # permutation Shapley values of an additive score: weight x (row - background) per
    # encoded column, summed into its indicator. The check against the raw columns catches
    # any misalignment of encoded columns and names.
    pipeline, _, x_train, x_test = _fitted([f"classifier={classifier}", "sampler=none",
                                            "debug=smoke"])
    names = list(pipeline.named_steps["preprocess"].feature_names_out_)
    rollover = {f"bond_type={code}" for code in (3.0, 4.0, 5.0)}
    weights = np.array([0.7 if n == "coupon_rate" else 1.0 if n in rollover
                        else 0.3 if n == "bond_type" else 0.0 for n in names])
    pipeline[-1].network_ = _LinearLogOdds(weights)
    background = x_train.iloc[:1]
    shap = explain_pipeline(pipeline, background, x_test, max_rows=300, method=method)
    assert shap.explainer == {"auto": "GradientExplainer (log-odds)",
                              "permutation": "PermutationExplainer (log-odds)"}[method]
    values, rows = shap.values, x_test.loc[shap.values.index]

    others = values.drop(columns=["coupon_rate", "bond_type"])
    assert np.abs(others.to_numpy()).max() < 1e-6
    # coupon: 0.7 x (quantile-normal score of the row - of the background), monotone in the rate
    above = rows["coupon_rate"] > background["coupon_rate"].iloc[0]
    assert (values.loc[above, "coupon_rate"] > 0).all()
    assert (values.loc[~above, "coupon_rate"] <= 1e-6).all()
    tolerance = 1e-6 if method == "auto" else 1e-4  # float32 noise splits tied coupons
    assert values["coupon_rate"].rank().corr(rows["coupon_rate"].rank()) == pytest.approx(
        1.0, abs=tolerance)
    bond_type, reference = rows["bond_type"].to_numpy(), background["bond_type"].iloc[0]
    if classifier == "cnn":  # ordinal code x 0.3
        expected = 0.3 * (bond_type - reference)
    else:  # one-hot: 1 for a rollover bond (CP, PPN, exchange private placement)
        expected = (bond_type >= 3).astype(float) - float(reference >= 3)
    # float32 network outputs: the permutation explainer reads log-odds back from p
    np.testing.assert_allclose(values["bond_type"].to_numpy(), expected,
                               atol=1e-5 if method == "auto" else 1e-4)


def test_probability_shap_of_a_known_network_keeps_to_its_indicators_and_signs():
    # On the probability scale the network is not linear, but its gradient is still zero for
    # unread columns and has the weight's sign for read ones: the attribution is 0 elsewhere
    # and has the sign of (row - background) for coupon_rate.
    pipeline, _, x_train, x_test = _fitted(["classifier=cnn", "sampler=none", "debug=smoke"])
    names = list(pipeline.named_steps["preprocess"].feature_names_out_)
    pipeline[-1].network_ = _LinearLogOdds(np.array([1.5 * (n == "coupon_rate")
                                                     for n in names]))
    background = x_train.iloc[:1]
    shap = explain_pipeline(pipeline, background, x_test, max_rows=300, output="probability")
    assert shap.explainer == "GradientExplainer (probability)"
    values, rows = shap.values, x_test.loc[shap.values.index]
    assert np.abs(values.drop(columns=["coupon_rate"]).to_numpy()).max() < 1e-7
    assert np.abs(values["coupon_rate"]).max() < 1  # a change of probability
    above = rows["coupon_rate"] > background["coupon_rate"].iloc[0]
    assert (values.loc[above, "coupon_rate"] > 0).all()
    assert (values.loc[~above, "coupon_rate"] <= 1e-7).all()


def test_gbdt_probability_shap_adds_up_to_the_change_in_default_probability():
    pipeline, _, x_train, x_test = _fitted(["classifier=gbdt", "sampler=none", "debug=smoke"])
    shap = explain_pipeline(pipeline, x_train, x_test, max_rows=100, background_rows=50,
                            output="probability")
    assert shap.explainer == "TreeExplainer (probability)"
    # SHAP values of a row sum to its score minus the base value: between two rows the sums
    # differ by the difference of their default probabilities (log-odds would differ by
    # whole units). Interventional TreeSHAP of HistGradientBoosting adds up only nearly.
    totals = shap.values.sum(axis=1).to_numpy()
    probability = pipeline.predict_proba(x_test.loc[shap.values.index])[:, 1]
    np.testing.assert_allclose(totals - totals[0], probability - probability[0], atol=1e-3)


@pytest.mark.parametrize("method, explainer", [
    ("auto", "TreeExplainer (log-odds)"),
    pytest.param("permutation", "PermutationExplainer (log-odds)", marks=pytest.mark.slow)])
def test_a_single_run_logs_shap_tables_and_figures(method, explainer, tmp_path):
    done = run_train(["classifier=gbdt", "sampler=none", "debug=smoke",
                      "tracking.log_model=false", f"explain.method={method}",
                      "explain.agnostic_rows=5"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    (run,) = runs_in(tmp_path)
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "shap")}
    artifacts |= {a.path for a in client.list_artifacts(run.info.run_id, "plots")}
    assert {"shap/importance.csv", "shap/groups.csv", "plots/shap_top20.png",
            "plots/shap_beeswarm.png"} <= artifacts
    assert 0 < run.data.metrics["shap_top20_share"] <= 1
    assert run.data.tags["shap_explainer"] == explainer


@pytest.mark.parametrize("interactions", [
    [],
    # a sum of one-indicator functions still finds them (9, 9, 7 for seeds 0-2): README's
    # reason why the CNN's window limit is not what keeps it from the drivers
    ["+classifier.estimator.interaction_cst=no_interactions"],
], ids=["any-interactions", "additive"])
def test_gbdt_shap_finds_the_generators_true_drivers_on_the_default_market(interactions):
    # the smallest size where it holds for seeds 0-2 (7-8 of 10); at 18,000 bonds it is 6
    pipeline, data, x_train, x_test = _fitted(["classifier=gbdt", "sampler=none", *interactions])
    if interactions:
        assert pipeline[-1].interaction_cst == "no_interactions"
    shap = explain_pipeline(pipeline, x_train, x_test, max_rows=2000)
    top10 = set(shap.importance()["indicator"].head(10))
    assert len(top10 & set(data.true_drivers[:10])) >= 7


@pytest.mark.slow
def test_cnn_shap_finds_the_generators_true_drivers_on_twice_the_default_market():
    # with the paper's fixed epochs (10 here: the paper's 100 overfit 284 defaulted rows,
    # 3 of 10), on the probability scale the true drivers are ranked on. Of 10 found: at 4x
    # the market 8, 7, 7, 7, 8 (seeds 0-4); at 2x 8, 7, 6; at the default size 7, 7, 7, 6, 7;
    # early stopping (on a fifth fewer rows) finds fewer: 7, 5 at the default size, 7, 6 at
    # 2x. Batches grow with the data so an epoch keeps its steps.
    pipeline, data, x_train, x_test = _fitted([
        "classifier=cnn", "sampler=none", "seed=0", "data.n_bonds=53122",
        "trainer.max_epochs=10", "trainer.early_stopping=false",
        "classifier.estimator.batch_size=60"])
    shap = explain_pipeline(pipeline, x_train, x_test, max_rows=2000, output="probability")
    top10 = set(shap.importance()["indicator"].head(10))
    assert len(top10 & set(data.true_drivers[:10])) >= 7
