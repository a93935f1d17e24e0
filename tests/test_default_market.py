"""On the default synthetic market, gradient boosting learns; a linear model does worse."""

from __future__ import annotations

import pandas as pd
from conftest import run_train, runs_in


def test_default_market_is_learnable_but_not_trivial_and_non_linear(tmp_path):
    done = run_train(["-m", "classifier=gbdt,lr", "sampler=none", "tracking.log_model=false",
                     "explain.enabled=false"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = pd.read_csv(next(tmp_path.glob("multirun/*/*/summary.csv")))
    auc = dict(zip(summary["classifier"], summary["roc_auc"], strict=True))
    assert 0.80 <= auc["gbdt"] <= 0.97
    assert auc["lr"] < auc["gbdt"]


def test_the_gan_hands_the_classifier_the_papers_994_defaulted_and_9940_other_rows(tmp_path):
    # the default market (26,561 bonds, rows with gaps dropped, stratified 70/30 split) and
    # the paper's ratio: 284 defaulted training rows + 2.5 x 284 generated = 994, then 10 x 994
    done = run_train(["classifier=lr", "sampler=gan", "ratio=paper", "sampler.max_epochs=2",
                      "tracking.log_model=false", "explain.enabled=false"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    (run,) = runs_in(tmp_path)
    metrics = run.data.metrics
    assert metrics["n_train_defaulted"] == 284
    assert metrics["n_fit_defaulted"] == 994
    assert metrics["n_fit"] - metrics["n_fit_defaulted"] == 9_940
