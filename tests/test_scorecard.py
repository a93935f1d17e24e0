"""classifier=scorecard: optbinning's WoE bins + logistic regression, its tables, its SHAP."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import run_train, runs_in
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError

from bond_default.classifiers.scorecard import EXTRA_BINS, ScorecardClassifier
from bond_default.pipeline.preprocess import IndicatorPreprocessor

TABLE = ["indicator", "bin_id", "bin", "count", "count_share", "non_events", "events",
         "event_rate", "woe", "iv", "js", "coefficient", "points"]


def bonds(n: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """coupon_rate drives default, noise does not, bond_type level 2 defaults more often."""
    rng = np.random.default_rng(seed)
    coupon, noise = rng.normal(size=n), rng.normal(size=n)
    bond_type = rng.integers(0, 6, size=n)
    logit = -3.5 + 1.5 * coupon + np.where(bond_type == 2, 1.5, 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    x = pd.DataFrame({"coupon_rate": coupon, "noise": noise, "bond_type": bond_type.astype(float)})
    return x, y


def real_bins(table: pd.DataFrame, indicator: str) -> pd.DataFrame:
    rows = table[(table["indicator"] == indicator) & ~table["bin"].isin(EXTRA_BINS)]
    return rows[rows["count"] > 0]


@pytest.mark.parametrize(("trend", "direction"), [("ascending", 1), ("descending", -1)])
def test_a_numeric_indicator_is_binned_with_the_trend_asked_for(trend, direction):
    rng = np.random.default_rng(1)
    x = rng.normal(size=4000)
    y = (rng.random(4000) < 1 / (1 + np.exp(-(-3 + 1.2 * x ** 2)))).astype(int)  # U-shaped
    frame = pd.DataFrame({"x": x})
    rates = {}
    for asked in (trend, None):
        model = ScorecardClassifier(monotonic_trend=asked, max_n_bins=8).fit(frame, y)
        rates[asked] = real_bins(model.scorecard_table(), "x")["event_rate"].to_numpy()
    steps = np.diff(rates[trend])
    assert len(rates[trend]) >= 2 and (direction * steps >= -1e-12).all(), rates[trend]
    # unconstrained, the same data's bins follow its U shape: the trend is what made it monotonic
    free = np.diff(rates[None])
    assert (free > 0).any() and (free < 0).any(), rates[None]


def test_catalogue_categories_from_the_preprocess_step_are_binned_as_categories():
    x, y = bonds()
    z = IndicatorPreprocessor(numeric="none", categorical="ordinal").fit_transform(x)
    assert list(z.columns) == ["coupon_rate", "noise", "bond_type"]  # ordinal: one column each
    model = ScorecardClassifier(random_state=0).fit(z, y)
    assert model.categorical_columns_ == ["bond_type"]
    assert model.binning_process_.get_binned_variable("bond_type").dtype == "categorical"
    assert model.binning_process_.get_binned_variable("coupon_rate").dtype == "numerical"
    bins = real_bins(model.scorecard_table(), "bond_type")
    assert bins["bin"].str.fullmatch(r"\[\d(, \d)*\]").all(), bins["bin"].tolist()
    # level 2 is the risky one, not ordered between 1 and 3: a category of its own
    assert "[2]" in set(bins["bin"])
    riskiest = bins.sort_values("event_rate")["bin"].iloc[-1]
    assert riskiest == "[2]"


def test_a_rare_missing_value_flag_gets_a_bin_of_its_own():
    # 2% of the rows have a gap in coupon_rate and default 10 times as often: the bin of 1s
    # is smaller than min_bin_size, and still the flag must not be lumped into one bin
    rng = np.random.default_rng(4)
    n = 5000
    gap = rng.random(n) < 0.02
    y = (rng.random(n) < np.where(gap, 0.3, 0.03)).astype(int)
    x = pd.DataFrame({"coupon_rate": rng.normal(size=n), "missing=coupon_rate": gap * 1.0,
                      "other_flag": gap * 1.0})
    model = ScorecardClassifier(min_bin_size=0.05).fit(x, y)
    assert model.flag_columns_ == ["missing=coupon_rate"]  # by name: not other_flag
    table = model.scorecard_table()
    assert len(real_bins(table, "missing=coupon_rate")) == 2
    assert len(real_bins(table, "other_flag")) == 1  # the floor holds for other columns
    assert model.information_value().index[0] == "missing=coupon_rate"


def test_clone_fit_predict_proba_and_points():
    x, y = bonds()
    labels = np.where(y == 1, "default", "ok")
    template = ScorecardClassifier(max_n_bins=4, C=0.5, random_state=3)
    assert is_classifier(template)
    model = clone(template)
    assert model.get_params() == template.get_params()
    with pytest.raises(NotFittedError):
        model.predict_proba(x)
    assert model.fit(x, labels) is model
    assert list(model.classes_) == ["default", "ok"]  # the second is the event
    proba = model.predict_proba(x)
    assert proba.shape == (len(x), 2)
    assert ((proba >= 0) & (proba <= 1)).all() and np.allclose(proba.sum(axis=1), 1)
    assert set(model.predict(x)) <= {"default", "ok"}
    # refitted on a clone, the same scores; a clone of a fitted model is unfitted
    assert np.allclose(clone(model).fit(x, labels).predict_proba(x), proba)
    assert not hasattr(clone(model), "scorecard_")
    # points: base_points at odds 50:1, pdo more points halve the odds of the event
    odds_of_event = model.decision_function(x)
    expected = 600 - 20 / math.log(2) * (odds_of_event + math.log(50))
    assert np.allclose(model.points(x), expected)


def test_the_table_has_the_promised_columns_and_a_bond_scores_the_sum_of_its_bins():
    x, y = bonds()
    model = ScorecardClassifier().fit(x, y)
    table = model.scorecard_table()
    assert list(table.columns) == TABLE
    assert set(table["indicator"]) == {"coupon_rate", "noise", "bond_type"}
    assert np.isfinite(table["points"]).all()
    per_indicator = model.scorecard_.transform(model._frame(x.head(5)))
    assert np.allclose(per_indicator.sum(axis=1), model.points(x.head(5)))


def test_information_value_is_sorted_and_separates_signal_from_noise():
    x, y = bonds()
    iv = ScorecardClassifier().fit(x, y).information_value()
    assert list(iv.index) == ["coupon_rate", "bond_type", "noise"]
    assert iv.is_monotonic_decreasing and (iv >= 0).all()
    assert iv["coupon_rate"] > 0.3 and iv["noise"] < 0.05


def test_it_fits_after_smote_on_a_numpy_array_with_interpolated_category_codes():
    x, y = bonds(seed=2)
    array = x.to_numpy()
    resampled, labels = SMOTE(random_state=0).fit_resample(array, y)
    codes = resampled[:, 2]
    assert (codes != np.round(codes)).any()  # SMOTE interpolated between levels
    model = ScorecardClassifier(categorical_columns=["x2"]).fit(resampled, labels)
    assert model.n_rounded_codes_ == int((codes != np.round(codes)).sum())  # said, in the run
    assert model.columns_ == ["x0", "x1", "x2"] and not hasattr(model, "feature_names_in_")
    bins = real_bins(model.scorecard_table(), "x2")
    levels = {int(v) for b in bins["bin"] for v in b.strip("[]").split(", ")}
    assert levels <= set(range(6))
    proba = model.predict_proba(array)
    assert proba.shape == (len(array), 2) and np.isfinite(proba).all()


def test_in_a_pipeline_after_smote_on_dataframes():
    x, y = bonds(seed=3)
    pipeline = Pipeline([
        ("preprocess", IndicatorPreprocessor(numeric="none", categorical="ordinal")),
        ("oversample", SMOTE(random_state=0)), ("classifier", ScorecardClassifier())])
    pipeline.fit(x, y)
    assert pipeline[-1].categorical_columns_ == ["bond_type"]
    assert pipeline.predict_proba(x).shape == (len(x), 2)


def test_its_shap_values_are_the_exact_shapley_values_of_its_log_odds():
    from itertools import combinations

    from bond_default.evaluate.explain import explain_pipeline

    x, y = bonds(n=1500)
    pipeline = Pipeline([
        ("preprocess", IndicatorPreprocessor(numeric="none", categorical="ordinal")),
        ("classifier", ScorecardClassifier())]).fit(x, y)
    background, rows = x.iloc[:40], x.iloc[:10]
    shap = explain_pipeline(pipeline, background, rows, background_rows=len(background))
    assert shap.method == "LinearExplainer on WoE" and shap.score == "log-odds"

    def value(row, coalition) -> float:  # mean log-odds with the coalition's columns from row
        mixed = background.copy()
        for column in coalition:
            mixed[column] = row[column]
        return pipeline[-1].decision_function(pipeline[0].transform(mixed)).mean()

    columns = list(x.columns)
    n = len(columns)
    for index, row in rows.iterrows():
        v = {frozenset(s): value(row, s) for k in range(n + 1) for s in combinations(columns, k)}
        for column in columns:
            others = [c for c in columns if c != column]
            exact = sum(math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
                        * (v[frozenset((*subset, column))] - v[frozenset(subset)])
                        for k in range(n) for subset in combinations(others, k))
            assert shap.values.loc[index, column] == pytest.approx(exact, abs=1e-9)
    assert shap.importance()["indicator"].iloc[0] == "coupon_rate"


def test_log_scorecard_logs_both_tables_for_a_scorecard_only(monkeypatch):
    import mlflow

    from bond_default.run import scorecard_logging

    logged = {}
    monkeypatch.setattr(mlflow, "log_text", lambda text, path: logged.update({path: text}))
    monkeypatch.setattr(mlflow, "log_metric", lambda key, value: logged.update({key: value}))
    x, y = bonds()
    scorecard_logging.log_scorecard(Pipeline([("classifier", ScorecardClassifier())]).fit(x, y))
    assert set(logged) == {"scorecard/table.csv", "scorecard/information_value.csv",
                           "scorecard_rounded_codes"}
    assert logged.pop("scorecard_rounded_codes") == 0  # whole category codes: none rounded
    from io import StringIO

    assert pd.read_csv(StringIO(logged["scorecard/table.csv"])).columns.tolist() == TABLE
    iv = pd.read_csv(StringIO(logged["scorecard/information_value.csv"]))
    assert iv.columns.tolist() == ["indicator", "iv", "iv_rank"]
    assert iv["iv_rank"].tolist() == [1, 2, 3] and iv["indicator"].iloc[0] == "coupon_rate"

    from sklearn.linear_model import LogisticRegression

    logged.clear()
    scorecard_logging.log_scorecard(Pipeline([("classifier", LogisticRegression())]).fit(x, y))
    assert logged == {}


def test_iv_beside_shap_joins_on_the_indicator():
    from bond_default.run.scorecard_logging import iv_vs_shap

    x, y = bonds()
    model = ScorecardClassifier().fit(x, y)
    importance = pd.DataFrame({"indicator": ["bond_type", "coupon_rate", "noise"],
                               "mean_abs_shap": [0.3, 0.9, 0.01], "rank": [2, 1, 3]})
    table = iv_vs_shap(model, importance)
    assert table.columns.tolist() == ["indicator", "iv", "iv_rank", "mean_abs_shap",
                                      "shap_rank"]
    assert table["indicator"].tolist() == ["coupon_rate", "bond_type", "noise"]
    assert table["shap_rank"].tolist() == [1, 2, 3]


def test_a_scorecard_grid_with_and_without_smote_finishes_tracked(tmp_path):
    done = run_train(["-m", "classifier=scorecard", "sampler=none,smote", "debug=smoke",
                      "tracking.log_model=false"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    children = [r for r in runs_in(tmp_path) if "mlflow.parentRunId" in r.data.tags]
    assert len(children) == 2 and {r.info.status for r in children} == {"FINISHED"}
    cells = {(r.data.tags["classifier"], r.data.tags["sampler"]) for r in children}
    assert cells == {("scorecard", s) for s in ("none", "smote")}
    scorecards = [r for r in children if r.data.tags["classifier"] == "scorecard"]
    for run in scorecards:
        assert run.data.metrics["test_roc_auc"] > 0.7

    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    for run in scorecards:
        files = {f.path for f in client.list_artifacts(run.info.run_id, "scorecard")}
        assert {"scorecard/table.csv", "scorecard/information_value.csv"} <= files
        rounded = run.data.metrics["scorecard_rounded_codes"]
        # SMOTE's rows between two category levels were rounded, and the run says how many
        assert rounded > 0 if run.data.tags["sampler"] == "smote" else rounded == 0
    assert "lay between two levels (made by the sampler)" in done.stdout + done.stderr
