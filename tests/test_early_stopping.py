"""Networks judged on real rows: the validation slice, early stopping, best weights, curves."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REPO
from hydra import compose, initialize_config_dir
from sklearn.metrics import roc_auc_score

from bond_default.classifiers.epoch_metrics import streaming
from bond_default.classifiers.fcnn import FCNNClassifier
from bond_default.data.synthetic_source import SyntheticSource
from bond_default.pipeline.build import build_pipeline


def config(*overrides: str):
    with initialize_config_dir(version_base="1.3", config_dir=str(REPO / "conf")):
        return compose("train", overrides=list(overrides))


class RecordingFCNN(FCNNClassifier):
    """FCNN that remembers what it was given to train and to validate on."""

    seen: dict = {}

    def fit(self, X, y, validation=None):
        rows = validation() if callable(validation) else validation
        RecordingFCNN.seen = {"X": np.asarray(X), "y": np.asarray(y), "validation": rows}
        return super().fit(X, y, validation=rows)


@pytest.fixture(scope="module")
def bonds():
    data = SyntheticSource(n_bonds=3000, seed=2).load()
    return data.features, data.label.to_numpy()


def _pipeline(*overrides):
    cfg = config("classifier=fcnn", "trainer.max_epochs=2",
                 "+classifier.estimator.progress_bar=false", *overrides)
    cfg.classifier.estimator._target_ = "test_early_stopping.RecordingFCNN"
    return build_pipeline(cfg)


@pytest.mark.parametrize("sampler", ["smote", "gan"])
def test_validation_rows_are_real_rows_cut_before_resampling(bonds, sampler):
    X, y = bonds
    pipeline = _pipeline(f"sampler={sampler}", *(["sampler.max_epochs=2"] if sampler == "gan"
                                                 else []))
    pipeline.fit(X, y)
    seen = RecordingFCNN.seen
    X_val, y_val = seen["validation"]
    real = pipeline.named_steps["preprocess"].transform(X).to_numpy()
    # each validation row is one of the real training rows, preprocessed ...
    matches = [np.flatnonzero((real == row).all(axis=1)) for row in np.asarray(X_val)]
    assert all(len(m) == 1 for m in matches)
    held = np.concatenate(matches)
    assert np.array_equal(y[held], np.asarray(y_val))
    # ... a stratified fifth of them, defaulted rows in the same share ...
    assert len(held) == pytest.approx(0.2 * len(y), abs=1)
    assert abs(int(y_val.sum()) - 0.2 * int(y.sum())) <= 1
    # ... that neither the sampler nor the classifier trained on: the rows the classifier got
    # are the other real rows and the generated ones, none of them a validation row
    trained = seen["X"]
    assert not any((trained == row).all(axis=1).any() for row in np.asarray(X_val))
    counter = pipeline.named_steps["count"]
    assert counter.n_rows_ == len(trained) and counter.n_defaulted_ > (y.sum() - y_val.sum())
    classifier = pipeline.named_steps["classifier"]
    assert classifier.n_validation_ == len(held) == pipeline.named_steps["validation"].n_rows_
    # the held-out rows do not travel with the fitted model
    assert pipeline.named_steps["validation"].take() is None


def test_without_early_stopping_the_classifier_gets_every_row_for_every_epoch(bonds):
    X, y = bonds
    pipeline = _pipeline("sampler=none", "trainer.early_stopping=false", "trainer.max_epochs=3")
    assert "validation" not in pipeline.named_steps
    pipeline.fit(X, y)
    classifier = pipeline.named_steps["classifier"]
    assert len(RecordingFCNN.seen["X"]) == len(y) and RecordingFCNN.seen["validation"] is None
    assert [list(e) for e in classifier.losses_] == [["train_loss"]] * 3
    assert classifier.best_epoch_ == 3 and classifier.n_validation_ == 0


def _noisy_task(seed=0, n=1500):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 30)).astype(np.float32)
    y = (X[:, 0] + 2.0 * rng.normal(size=n) > 2.5).astype(int)  # weak signal: overfits fast
    return X, y


def test_training_stops_after_patience_and_keeps_the_best_epochs_weights():
    X, y = _noisy_task()
    X_val, y_val = _noisy_task(seed=1, n=600)
    model = FCNNClassifier(hidden_units=(256, 256), max_epochs=60, patience=3, batch_size=32,
                           learning_rate=3e-3, random_state=0, progress_bar=False)
    model.fit(X, y, validation=(X_val, y_val))
    aucs = [e["val_roc_auc"] for e in model.losses_]
    assert len(aucs) < 60  # it stopped early ...
    best = int(np.argmax(aucs)) + 1
    assert model.best_epoch_ == best and len(aucs) == best + 3  # ... patience epochs after the best
    # the weights are the best epoch's, not the last one's
    restored = roc_auc_score(y_val, model.predict_proba(X_val)[:, 1])
    assert restored == pytest.approx(aucs[best - 1], abs=1e-6)
    assert restored > aucs[-1]


def test_after_resampling_the_validation_loss_is_that_of_the_real_rows_rate():
    from sklearn.metrics import log_loss

    from bond_default.classifiers.lightning_classifier import validation_logit_offset
    from bond_default.decision.prior_shift import shift_prior

    X, y = _noisy_task()
    X_val, y_val = _noisy_task(seed=1, n=600)
    copies = np.flatnonzero(y == 1).repeat(5)  # over-sampled as a sampler would: 6 per row
    X_fit, y_fit = np.vstack([X, X[copies]]), np.concatenate([y, y[copies]])
    model = FCNNClassifier(max_epochs=4, patience=10, monitor="val_loss", random_state=0,
                           fit_output_bias=False, progress_bar=False).fit(
        X_fit, y_fit, validation=(X_val, y_val))
    raw = model.predict_proba(X_val)[:, 1]
    at_real_rate = shift_prior(raw, y_fit.mean(), y_val.mean())
    kept = model.losses_[model.best_epoch_ - 1]["val_loss"]
    assert kept == pytest.approx(log_loss(y_val, at_real_rate), rel=1e-4)
    assert log_loss(y_val, raw) > kept + 0.01  # the raw probabilities, too high, lose more
    # without resampling there is nothing to shift; more than two classes are left alone
    assert validation_logit_offset(np.array([0, 0, 0, 1]), np.array([1, 0, 0, 0])) == 0.0
    assert validation_logit_offset(np.array([0, 1, 2]), np.array([0, 1, 2])) == 0.0
    assert validation_logit_offset(y_fit, None) == 0.0


def test_a_network_stopped_early_gets_its_output_bias_at_the_optimum_of_its_training_rows():
    from scipy.special import logit

    X, y = _noisy_task()
    X_val, y_val = _noisy_task(seed=1, n=600)
    copies = np.flatnonzero(y == 1).repeat(5)  # over-sampled: the network trains at 45%
    X_fit, y_fit = np.vstack([X, X[copies]]), np.concatenate([y, y[copies]])
    settings = dict(hidden_units=(256, 256), max_epochs=60, patience=3, batch_size=32,
                    learning_rate=3e-3, random_state=0, progress_bar=False)
    as_trained = FCNNClassifier(**settings, fit_output_bias=False).fit(
        X_fit, y_fit, validation=(X_val, y_val))
    fitted = FCNNClassifier(**settings).fit(X_fit, y_fit, validation=(X_val, y_val))
    assert fitted.best_epoch_ == as_trained.best_epoch_ < 60
    # stopped early, the network as trained predicts more defaults than its rows hold ...
    assert as_trained.predict_proba(X_fit)[:, 1].mean() > y_fit.mean() + 0.02
    assert not as_trained.output_offsets_.any()
    # ... moved to the bias's optimum, its mean probability is their default rate ...
    assert fitted.predict_proba(X_fit)[:, 1].mean() == pytest.approx(y_fit.mean(), abs=1e-4)
    # ... by one offset of the defaulted logit, the same weights otherwise: the ranking stays
    before, after = (logit(m.predict_proba(X_val)[:, 1]) for m in (as_trained, fitted))
    offset = fitted.output_offsets_[1] - fitted.output_offsets_[0]
    assert offset < 0 and np.allclose(after - before, offset, atol=1e-3)
    assert roc_auc_score(y_val, after) == pytest.approx(roc_auc_score(y_val, before), abs=1e-9)


def test_the_paper_settings_train_the_output_bias_as_the_network_does():
    assert config("classifier=cnn").classifier.estimator.fit_output_bias is True
    for classifier in ("cnn", "fcnn", "tabm"):
        settings = config(f"classifier={classifier}", "trainer.early_stopping=false")
        assert settings.classifier.estimator.fit_output_bias is False


def test_in_python_early_stopping_off_alone_gives_the_paper_network_without_a_fitted_bias():
    X, y = _noisy_task(n=300)
    settings = dict(max_epochs=2, random_state=0, progress_bar=False)
    paper = FCNNClassifier(**settings, early_stopping=False).fit(X, y)
    assert paper.get_params()["fit_output_bias"] == "auto"
    assert not paper.output_offsets_.any() and paper.best_epoch_ == 2
    assert FCNNClassifier(**settings).fit(X, y).output_offsets_.any()
    forced = FCNNClassifier(**settings, early_stopping=False, fit_output_bias=True).fit(X, y)
    assert forced.output_offsets_.any()
    with pytest.raises(ValueError, match="'fit_output_bias' parameter of FCNNClassifier must "
                       "be an instance of 'bool' .* or a str among {'auto'}. Got 'maybe'"):
        FCNNClassifier(**settings, fit_output_bias="maybe").fit(X, y)


def test_three_classes_get_an_offset_each_and_a_log_line_naming_each(caplog):
    def rows(seed):
        X = np.random.default_rng(seed).normal(size=(400, 4)).astype(np.float32)
        return X, np.where(X[:, 0] > 0.8, 2, np.where(X[:, 1] > 0.5, 1, 0))

    X, y = rows(0)
    with caplog.at_level("INFO"):
        model = FCNNClassifier(max_epochs=3, random_state=0, progress_bar=False).fit(
            X, y, validation=rows(1))
    line = next(r.getMessage() for r in caplog.records if "output bias fitted" in r.getMessage())
    assert "logit offsets" in line and "class 1 " in line and "class 2 " in line
    assert np.count_nonzero(model.output_offsets_[1:] - model.output_offsets_[0]) == 2
    assert np.allclose(model.predict_proba(X).mean(axis=0), np.bincount(y) / len(y), atol=1e-4)


def test_alone_the_classifier_holds_out_a_stratified_slice_of_what_it_is_given():
    X, y = _noisy_task()
    model = FCNNClassifier(max_epochs=2, random_state=0, progress_bar=False).fit(X, y)
    assert model.n_validation_ == 300 and model.n_validation_defaulted_ in (
        int(np.floor(0.2 * y.sum())), int(np.ceil(0.2 * y.sum())))
    assert {"train_loss", "val_loss", "val_roc_auc"} == set(model.losses_[0])


def test_each_epoch_reaches_mlflow_as_it_ends(tmp_path):
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    from bond_default.run.run_logging import epoch_logger

    X, y = _noisy_task()
    in_store_when_epoch_ended = []
    with mlflow.start_run() as run:
        send = epoch_logger("classifier")

        def listener(epoch, metrics):
            send(epoch, metrics)
            history = mlflow.MlflowClient().get_metric_history(run.info.run_id,
                                                               "classifier_val_roc_auc")
            in_store_when_epoch_ended.append([m.step for m in history])

        with streaming(lambda step: listener):
            model = FCNNClassifier(max_epochs=3, early_stopping=True, patience=5,
                                   random_state=0, progress_bar=False).fit(X, y)
    assert in_store_when_epoch_ended == [[1], [1, 2], [1, 2, 3]]
    assert model.curves_streamed_
    losses = mlflow.MlflowClient().get_metric_history(run.info.run_id, "classifier_train_loss")
    assert [m.value for m in losses] == pytest.approx([e["train_loss"] for e in model.losses_])
