"""The practitioner's commands: a walk-forward grid with probabilities of default mapped to the
real rate and a threshold chosen on training rows, then scoring new bonds with its model."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import run_train, runs_in

from bond_default.data.synthetic import generate_market

YEARS = [2020, 2021]  # first_test_year=2020 (2017-2021: tests/test_decision.py)
YEAR_COLUMNS = ["test_year", "rows", "defaults", "roc_auc", "gini", "pr_auc", "ece",
                "mean_pd", "default_rate", "psi"]


def test_a_walk_forward_grid_reports_every_test_year_and_its_model_scores_at_its_threshold(
        tmp_path, isolated_mlflow):
    import mlflow

    done = run_train(["-m", "classifier=lr", "sampler=smote", "split=walk_forward",
                      "split.first_test_year=2020", "calibration=prior", "threshold=max_f1",
                      "threshold.tuner.cv=2",
                      "debug=smoke", "debug.n_bonds=4000"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    cells = {r.data.tags["sampler"]: r for r in runs_in(tmp_path)
             if "sampler" in r.data.tags}
    assert set(cells) == {"smote"}
    for run in cells.values():
        assert run.info.status == "FINISHED"
        assert run.data.tags["calibration"] == "prior"
        assert run.data.tags["threshold_policy"] == "max_f1"
        table = pd.read_csv(mlflow.artifacts.download_artifacts(
            run_id=run.info.run_id, artifact_path="walk_forward.csv",
            tracking_uri=client.tracking_uri))
        assert table["test_year"].tolist() == YEARS
        assert set(YEAR_COLUMNS) <= set(table.columns)
        assert table[YEAR_COLUMNS].notna().all().all()
        assert (table["gini"] == 2 * table["roc_auc"] - 1).all()
        history = client.get_metric_history(run.info.run_id, "year_roc_auc")
        assert sorted(m.step for m in history) == YEARS
        artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "plots")}
        assert {"plots/calibration.png", "plots/walk_forward.png"} <= artifacts
        assert 0 < run.data.metrics["decision_threshold"] < 1
        curves = pd.read_csv(mlflow.artifacts.download_artifacts(
            run_id=run.info.run_id, artifact_path="threshold/curves_by_year.csv",
            tracking_uri=client.tracking_uri))
        assert sorted(curves["test_year"].unique()) == YEARS
        for year, curve in curves.groupby("test_year"):  # each year's arg-max is its threshold
            chosen = table.loc[table["test_year"] == year, "threshold"].item()
            assert curve.loc[curve["score"].idxmax(), "threshold"] == pytest.approx(chosen)
        assert run.data.metrics["decision_threshold"] != 0.5
    sweep = next((tmp_path / "multirun").glob("*/*"))
    summary = pd.read_csv(sweep / "summary.csv")
    assert {f"roc_auc_{y}" for y in YEARS} <= set(summary.columns)
    assert pd.read_csv(sweep / "walk_forward.csv")["test_year"].tolist() == YEARS

    bonds, _ = generate_market(n_bonds=300, seed=5)
    bonds.drop(columns=["default", "year"]).to_csv(tmp_path / "new.csv", index=False)
    lr = cells["smote"]
    scored = subprocess.run([sys.executable, "-m", "bond_default.score", lr.info.run_id,
                             "new.csv", "--out", "scores.csv"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert scored.returncode == 0, scored.stderr[-3000:]
    assert "calibration prior" in scored.stderr + scored.stdout
    out = pd.read_csv(tmp_path / "scores.csv")
    threshold = lr.data.metrics["decision_threshold"]
    assert (out["predicted_default"] == (out["default_probability"] >= threshold)).all()

    mlflow.set_tracking_uri(client.tracking_uri)
    model = mlflow.pyfunc.load_model(f"runs:/{lr.info.run_id}/model")
    assert model.metadata.metadata["calibration"] == "prior"
    fitted = model.unwrap_python_model().pipeline
    from bond_default.decision.model import fitted_pipeline
    from bond_default.decision.prior_shift import shift_prior

    rows = bonds.drop(columns=["default", "year"]).dropna().astype("float64")
    tuned = fitted.estimator_  # the threshold tuner's refit: the prior-shifted pipeline
    raw = fitted_pipeline(fitted).predict_proba(rows)[:, 1]
    assert np.allclose(model.predict(rows),
                       shift_prior(raw, tuned.fit_rate_, tuned.true_rate_))
    # The rates are those of the last year's training rows, before and after SMOTE.
    metrics = lr.data.metrics
    assert tuned.true_rate_ == metrics["n_train_defaulted"] / metrics["n_train"]
    assert tuned.fit_rate_ == metrics["n_fit_defaulted"] / metrics["n_fit"]
    assert tuned.fit_rate_ > 3 * tuned.true_rate_
    # ... and the run records both, as the log says them
    assert metrics["calibration_fit_rate"] == tuned.fit_rate_
    assert metrics["calibration_true_rate"] == tuned.true_rate_
    assert "calibration=prior: the classifier was fitted at a default rate of" in (
        done.stdout + done.stderr)
