"""On the default synthetic market, gradient boosting learns; a linear model does worse."""

from __future__ import annotations

import pandas as pd
from conftest import run_train


def test_default_market_is_learnable_but_not_trivial_and_non_linear(tmp_path):
    done = run_train(["-m", "classifier=gbdt,lr", "sampler=none", "tracking.log_model=false"],
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = pd.read_csv(next(tmp_path.glob("multirun/*/*/summary.csv")))
    auc = dict(zip(summary["classifier"], summary["roc_auc"], strict=True))
    assert 0.80 <= auc["gbdt"] <= 0.97
    assert auc["lr"] < auc["gbdt"]
