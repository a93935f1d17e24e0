"""The imblearn pipeline: built from configs, resamples training rows only, counts what it fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from hydra import compose, initialize_config_dir
from imblearn.over_sampling import SMOTE

from bond_default.data.synthetic_source import SyntheticSource
from bond_default.evaluate.metrics import evaluate
from bond_default.pipeline.build import build_pipeline
from bond_default.pipeline.preprocess import IndicatorPreprocessor
from bond_default.pipeline.ratio import MajorityPerMinority, OversampleBy


def config(*overrides: str):
    with initialize_config_dir(version_base="1.3", config_dir=str(REPO / "conf")):
        return compose("train", overrides=list(overrides))


class RecordingSMOTE(SMOTE):
    """SMOTE that remembers the size of every table it resampled."""

    calls: list[int] = []

    def fit_resample(self, X, y, **params):
        RecordingSMOTE.calls.append(len(X))
        return super().fit_resample(X, y, **params)


@pytest.fixture(scope="module")
def bonds():
    data = SyntheticSource(n_bonds=3000, seed=1).load()
    rng = np.random.default_rng(0)
    test = rng.random(len(data)) < 0.3
    return data, np.flatnonzero(~test), np.flatnonzero(test)


def test_the_papers_ratio_turns_284_defaulted_rows_into_994_and_9940():
    rng = np.random.default_rng(0)
    y = np.r_[np.ones(284, int), np.zeros(17_703 - 284, int)]
    x = pd.DataFrame(rng.normal(size=(len(y), 5)), columns=[f"x{i}" for i in range(5)])
    pipeline = build_pipeline(config("classifier=lr", "sampler=smote", "ratio=paper"))
    pipeline.fit(x, y)
    counter = pipeline.named_steps["count"]
    assert (counter.n_defaulted_, counter.n_rows_ - counter.n_defaulted_) == (994, 9940)


def test_sampler_none_and_balanced_ratio_counts():
    y = np.r_[np.ones(50, int), np.zeros(950, int)]
    x = pd.DataFrame(np.random.default_rng(1).normal(size=(1000, 3)), columns=list("abc"))
    untouched = build_pipeline(config("classifier=lr", "sampler=none")).fit(x, y)
    assert list(untouched.named_steps) == ["preprocess", "count", "classifier"]
    assert untouched.named_steps["count"].n_rows_ == 1000
    balanced = build_pipeline(config("classifier=lr", "sampler=borderline", "ratio=balanced"))
    balanced.fit(x, y)
    assert balanced.named_steps["count"].n_defaulted_ == 950
    assert balanced.named_steps["count"].n_rows_ == 1900


def test_strategies_never_ask_for_rows_that_do_not_exist():
    y = np.r_[np.ones(100, int), np.zeros(500, int)]
    assert OversampleBy(2.5)(y) == {1: 350}
    assert MajorityPerMinority(10)(np.r_[np.ones(350, int), np.zeros(500, int)]) == {0: 500}
    assert MajorityPerMinority(None)(y) == {0: 500}


def test_test_rows_are_never_resampled(bonds):
    data, train, test = bonds
    cfg = config("classifier=lr", "sampler=smote")
    cfg.sampler._target_ = f"{__name__}.RecordingSMOTE"
    pipeline = build_pipeline(cfg)
    RecordingSMOTE.calls.clear()
    pipeline.fit(data.features.iloc[train], data.label.iloc[train])
    fitted_rows = pipeline.named_steps["count"].n_rows_
    scores = pipeline.predict_proba(data.features.iloc[test])[:, 1]
    assert RecordingSMOTE.calls == [len(train)]
    assert len(scores) == len(test)
    assert pipeline.named_steps["count"].n_rows_ == fitted_rows


def test_preprocessing_statistics_come_from_training_rows_only(bonds):
    data, train, _ = bonds
    prep = IndicatorPreprocessor(numeric="standard", categorical="onehot")
    prep.fit(data.features.iloc[train])
    scaler = prep.column_transformer_.named_transformers_["numeric"][-1]
    numeric = prep.column_transformer_.transformers_[0][2]
    np.testing.assert_allclose(scaler.mean_, data.features.iloc[train][numeric].mean())
    assert not np.allclose(scaler.mean_, data.features[numeric].mean())


def test_preprocessor_keeps_catalogue_order_and_maps_dummies_back(bonds):
    data, train, _ = bonds
    prep = IndicatorPreprocessor(categorical="onehot").fit(data.features.iloc[train])
    out = prep.transform(data.features.iloc[:5])
    assert out.shape == (5, len(prep.source_columns_))
    firsts = list(dict.fromkeys(prep.source_columns_))
    assert firsts == list(data.features.columns)
    ordinal = IndicatorPreprocessor(numeric="none", categorical="ordinal")
    assert ordinal.fit_transform(data.features).shape[1] == 51


def test_the_papers_auc_is_balanced_accuracy():
    # Their Fig. 5: 110 TP, 14 FP, 22 FN, 7,441 TN; their "AUC 0.9157".
    y = np.r_[np.ones(132), np.zeros(7455)]
    scores = np.r_[np.full(110, 0.9), np.full(22, 0.1), np.full(14, 0.9), np.full(7441, 0.1)]
    metrics = evaluate(y, scores)
    assert (metrics["tp"], metrics["fp"], metrics["fn"], metrics["tn"]) == (110, 14, 22, 7441)
    assert round(metrics["balanced_accuracy"], 4) == 0.9157
    assert round(metrics["accuracy"], 4) == 0.9953
    assert metrics["roc_auc"] == pytest.approx(metrics["balanced_accuracy"])  # two-level scores


def test_roc_auc_comes_from_scores_not_the_threshold():
    y = np.array([0, 0, 1, 1])
    metrics = evaluate(y, np.array([0.1, 0.2, 0.3, 0.4]), threshold=0.5)
    assert metrics["roc_auc"] == 1.0 and metrics["recall"] == 0.0
    assert metrics["ks"] == 1.0
