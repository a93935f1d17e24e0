"""One experiment cell (data x split x classifier x sampler x ratio x seed), end to end."""

from __future__ import annotations

import json
import logging
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from bond_default.classifiers.epoch_metrics import streaming
from bond_default.data.loading import load_data
from bond_default.errors import InputError, RunInterrupted
from bond_default.run import decision_logging, run_logging, scorecard_logging
from bond_default.run.lifecycle import (
    END_REASON_TAG,
    INTERRUPTED_FILE,
    PROCESS_TAG,
    RUNNING_FILE,
    end_orphaned_runs,
    owns_the_grid,
    process_tag,
    raise_on_signals,
    restore_signals,
)
from bond_default.run.registry import register_mode, register_run_model

log = logging.getLogger(__name__)

CELL_KEYS = ("classifier", "sampler", "ratio", "data")
RESULT_FILE = "result.json"
PREDICTIONS_FILE = "predictions.csv"
WALK_FORWARD_FILE = "walk_forward.csv"


@dataclass
class CellResult:
    """What a cell produced: its labels, status, metrics and MLflow run id."""

    labels: dict[str, str]
    status: str = "RUNNING"
    metrics: dict[str, float] = field(default_factory=dict)
    run_id: str | None = None
    error: str | None = None

    def write(self, folder: Path) -> None:
        """Save as ``result.json`` in the job's output folder (read by the sweep summary)."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / RESULT_FILE).write_text(json.dumps(self.__dict__, indent=2, default=str))


def _hydra_runtime() -> tuple[dict[str, str], Path | None, Path | None]:
    """Chosen config options, the job's output folder and, in a multirun, the sweep folder."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized():
        return {}, None, None
    hc = HydraConfig.get()
    choices = {k: str(v) for k, v in hc.runtime.choices.items() if k in CELL_KEYS}
    sweep = Path(hc.sweep.dir) if hc.mode == RunMode.MULTIRUN else None
    return choices, Path(hc.runtime.output_dir), sweep


def _command_tags() -> dict[str, str]:
    """The job's command-line overrides (what differs from the defaults, the paper's
    settings) and its ``debug`` choice, for the report's provenance header."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return {}
    hc = HydraConfig.get()
    return {"overrides": " ".join(hc.overrides.task)[:5000],
            "debug": str(hc.runtime.choices.get("debug") or "none")}


def _cell_labels(choices: dict[str, str], seed) -> dict[str, str]:
    """Names of the cell's config choices ("custom" outside Hydra) and its seed."""
    labels = {k: choices.get(k, "custom") for k in CELL_KEYS}
    labels["seed"] = str(seed)
    return labels


def run_cell(cfg: DictConfig) -> CellResult:
    """Load and validate data, split, fit the pipeline on training rows, evaluate, track.

    Bad data raises :class:`InputError` before any MLflow run is started. Anything that
    fails once the run has started (too few defaulted rows for the sampler, a diverging
    network, an unexpected error) ends the run as FAILED with the traceback saved as
    ``error.txt``, and is re-raised. With ``resume=true`` a FINISHED run of the same
    configuration is reused instead (:mod:`bond_default.run.resume`).
    """
    from hydra.utils import instantiate

    from bond_default.decision.model import calibration_name
    from bond_default.run.resume import config_fingerprint

    choices, output_dir, sweep_dir = _hydra_runtime()
    fingerprint = config_fingerprint(cfg)
    if OmegaConf.select(cfg, "resume", default=False):
        reused = _reuse_finished_cell(cfg, fingerprint, choices, output_dir, sweep_dir)
        if reused is not None:
            return reused
    from bond_default.run.tracking import check_store

    check_store(cfg.tracking.uri)  # before the data: a store that is away fails in seconds
    data = load_data(cfg)
    labels = _cell_labels(choices, cfg.seed)
    labels["data"] = data.name
    result = CellResult(labels=labels)

    folds = instantiate(cfg.split).folds(data, int(cfg.seed))
    _, train, test = folds[-1]  # the fold whose model is logged (the only one but in a backtest)
    backtest = folds[0][0] is not None  # split=walk_forward: one fold per test year
    x_train, y_train = data.features.iloc[train], data.label.iloc[train]

    from bond_default.decision.model import build_decision_model
    from bond_default.pipeline.build import build_pipeline
    from bond_default.pipeline.checks import check_enough_defaulted, check_training_rows

    # A single run refuses what cannot work before it starts (no run is left); in a grid the
    # cell's run ends FAILED with the reason saved, beside the cells that could run.
    refused = None
    try:
        probe = build_pipeline(cfg)
        for _, fold_train, _ in folds:
            check_enough_defaulted(probe, int(data.label.iloc[fold_train].sum()),
                                   labels["sampler"])
        check_training_rows(probe, cfg, x_train, model=build_decision_model(cfg, probe))
    except InputError as err:
        if sweep_dir is None:
            raise
        refused = err
    np.random.seed(int(cfg.seed))

    import mlflow

    from bond_default.run import tracking

    tracking.use_experiment(cfg.tracking.uri, cfg.tracking.experiment)
    parent = tracking.parent_run_id(sweep_dir) if sweep_dir else None
    run_name = f"{labels['classifier']}-{labels['sampler']}-{labels['ratio']}-s{cfg.seed}"
    tags = {PROCESS_TAG: process_tag(), "classifier": labels["classifier"],
            "sampler": labels["sampler"],
            "ratio": labels["ratio"], "dataset": data.name, "seed": str(cfg.seed),
            "config_hash": fingerprint, "calibration": calibration_name(cfg),
            "threshold_policy": str(cfg.threshold.policy), **_command_tags()}
    if OmegaConf.select(cfg, "search") is not None:
        tags["kind"] = "best_refit"  # the refit of a search's best trial
    with mlflow.start_run(run_name=run_name, parent_run_id=parent, tags=tags) as run:
        result.run_id = run.info.run_id
        try:
            mlflow.log_params(tracking.params_of(cfg))
            mlflow.log_text(OmegaConf.to_yaml(cfg, resolve=True), "config.yaml")
            if data.profile is not None:
                mlflow.log_text(data.profile.frame().to_csv(index=False), "data/profile.csv")
                mlflow.log_text(data.profile.mapping_yaml(), "data/mapping.yaml")
            if refused is not None:
                raise refused
            from bond_default.run.dataset_logging import log_datasets

            log_datasets(data, cfg, train, np.concatenate([fold[2] for fold in folds]))
            if data.true_drivers:
                mlflow.log_text(pd.DataFrame({"indicator": data.true_drivers}).to_csv(
                    index=False), "data/true_drivers.csv")
            log.info("%s: %d rows (%d defaulted); %s", data.name, len(data), data.n_defaulted,
                     f"train {len(train)}, test {len(test)}" if not backtest else
                     f"walk-forward over test years {folds[0][0]}-{folds[-1][0]}")
            fitted = [fit_fold(cfg, data, fold, last=k == len(folds) - 1)
                      for k, fold in enumerate(folds)]
            model, pipeline, year_columns = fitted[-1].model, fitted[-1].pipeline, \
                fitted[-1].year_columns
            if year_columns:
                mlflow.set_tag("year_level_columns", ", ".join(year_columns))
            threshold = fitted[-1].threshold
            run_logging.log_missing_indicators(pipeline)
            method = getattr(pipeline[-1], "method_", None)  # e.g. svm: exact or approximated
            if method:
                mlflow.set_tag("classifier_method", method)
            run_logging.log_training_curves(pipeline)
            scorecard_logging.log_scorecard(pipeline)
            run_logging.log_sampler_quality(pipeline, x_train, y_train.to_numpy(),
                                            year_columns)
            counter = pipeline.named_steps["count"]
            counts = {"n_rows": len(data), "n_rows_read": data.rows_before_missing_policy,
                      "n_train": len(train), "n_train_defaulted": int(y_train.sum()),
                      "n_test": sum(len(f.y_test) for f in fitted),
                      "n_test_defaulted": int(sum(f.y_test.sum() for f in fitted)),
                      "n_fit": counter.n_rows_, "n_fit_defaulted": counter.n_defaulted_}
            counts.update(run_logging.validation_counts(pipeline))

            from bond_default.evaluate.metrics import calibration_metrics, evaluate

            y_test = np.concatenate([f.y_test for f in fitted])
            scores = np.concatenate([f.scores for f in fitted])
            thresholds = np.concatenate([np.full(len(f.scores), f.threshold) for f in fitted])
            metrics = evaluate(y_test, scores, thresholds)
            metrics.update(calibration_metrics(y_test, scores))
            mlflow.log_metrics({f"test_{k}": float(v) for k, v in metrics.items()})
            mlflow.log_metrics({**{k: float(v) for k, v in counts.items()},
                                "decision_threshold": threshold})
            _say_prior_shift(fitted[-1].model)
            result.metrics = {**metrics, **counts, "threshold": threshold}
            predictions = pd.DataFrame({"row": np.concatenate([f.test for f in fitted]),
                                        "y_true": y_test, "score": scores})
            if backtest:
                predictions.insert(1, "test_year", np.concatenate(
                    [np.full(len(f.test), f.year) for f in fitted]))
                by_year = decision_logging.log_walk_forward(fitted, run_name)
                result.metrics.update({f"roc_auc_{r.test_year}": r.roc_auc
                                       for r in by_year.itertuples()})
            mlflow.log_text(predictions.to_csv(index=False), PREDICTIONS_FILE)
            run_logging.log_figures(metrics, y_test, scores, run_name)
            decision_logging.log_calibration(y_test, scores, run_name, calibration_name(cfg))
            decision_logging.log_threshold_curve(model, str(cfg.threshold.policy), run_name)
            if _explain_enabled(cfg, sweep_dir):
                try:
                    run_logging.log_shap(pipeline, x_train, data.features.iloc[test], cfg)
                except Exception as err:  # the model and its metrics stand without SHAP
                    log.warning("SHAP failed, the run goes on without it: %s", err)
                    mlflow.set_tag("shap_error", f"{type(err).__name__}: {err}"[:5000])
            if cfg.tracking.log_model:
                run_logging.log_model(model, data.features.iloc[test], fitted[-1].scores,
                                      calibration=calibration_name(cfg), threshold=threshold)
                if register_mode(OmegaConf.select(cfg, "tracking.register")) == "true":
                    register_run_model(run.info.run_id, labels["classifier"],
                                       labels["sampler"], chosen_by="tracking.register=true")
            log.info("%s: test ROC-AUC %.4f, recall %.4f, precision %.4f at threshold %.3g; "
                     "mean PD %.4f vs default rate %.4f (calibration %s); n_fit %d, %d "
                     "defaulted; MLflow run %s", run_name, metrics["roc_auc"],
                     metrics["recall"], metrics["precision"], threshold, metrics["mean_pd"],
                     metrics["default_rate"], calibration_name(cfg), counts["n_fit"],
                     counts["n_fit_defaulted"], run.info.run_id)
        except BaseException as err:
            if isinstance(err, RunInterrupted):
                result.status, result.error = "KILLED", str(err)
            else:
                result.status, result.error = "FAILED", f"{type(err).__name__}: {err}"
            if output_dir:
                result.write(output_dir)
            try:  # the store may be what failed (a full disk): the run still ends
                mlflow.log_text(traceback.format_exc(), "error.txt")
                mlflow.set_tag(END_REASON_TAG, result.error[:5000])
            finally:
                mlflow.end_run(status=result.status)
            raise
    result.status = "FINISHED"
    if output_dir:
        result.write(output_dir)
        predictions.to_csv(output_dir / PREDICTIONS_FILE, index=False)
        if backtest:
            by_year.to_csv(output_dir / WALK_FORWARD_FILE, index=False)
    return result


def _say_prior_shift(model) -> None:
    """``calibration=prior``: the two default rates, once in the log and in the run."""
    import mlflow

    from bond_default.decision.model import prior_shift_rates

    rates = prior_shift_rates(model)
    if not rates:
        return
    mlflow.log_metrics(rates)
    fit_rate, true_rate = rates["calibration_fit_rate"], rates["calibration_true_rate"]
    if np.isclose(fit_rate, true_rate, rtol=1e-3):
        log.info("calibration=prior: the classifier was fitted at the training rows' own "
                 "default rate (%.2f%%, no resampling), so its probabilities stay as they are",
                 100 * true_rate)
    else:
        log.info("calibration=prior: the classifier was fitted at a default rate of %.2f%% "
                 "(after resampling); its probabilities are mapped to the training rows' "
                 "%.2f%%", 100 * fit_rate, 100 * true_rate)


@dataclass
class FoldFit:
    """One fitted fold: the decision model, its pipeline, and its test rows' scores."""

    year: int | None
    test: np.ndarray
    model: object
    pipeline: object
    year_columns: list[str]
    threshold: float
    y_test: np.ndarray
    scores: np.ndarray
    train_scores: np.ndarray | None = None


def fit_fold(cfg: DictConfig, data, fold, last: bool) -> FoldFit:
    """Build and fit a fresh pipeline (with its calibration and threshold policy) on the
    fold's training rows and score its test rows. Only the last fold streams its curves (and
    says its year-level columns). ``fold`` is ``(test_year or None, train, test)`` positions,
    as a split's ``folds()`` gives them; the benchmarks fit a cell's model through it too."""
    from bond_default.decision.model import (
        build_decision_model,
        decision_threshold,
        fitted_pipeline,
    )
    from bond_default.pipeline.build import build_pipeline, set_year_level_columns

    year, train, test = fold
    x_train, y_train = data.features.iloc[train], data.label.iloc[train].to_numpy()
    pipeline = build_pipeline(cfg)
    year_columns = set_year_level_columns(
        pipeline, x_train, None if data.year is None else data.year.iloc[train], quiet=not last)
    model = build_decision_model(cfg, pipeline)
    np.random.seed(int(cfg.seed))
    if year is not None:
        log.info("walk-forward: test year %d, trained on %d rows of earlier years (%d "
                 "defaulted)", year, len(train), int(y_train.sum()))
    with streaming(run_logging.epoch_logger if last else None):
        model.fit(x_train, y_train)
    x_test = data.features.iloc[test]
    fit = FoldFit(year=year, test=test, model=model, pipeline=fitted_pipeline(model),
                  year_columns=year_columns, threshold=decision_threshold(model, cfg),
                  y_test=data.label.iloc[test].to_numpy(),
                  scores=model.predict_proba(x_test)[:, 1])
    if year is not None:
        fit.train_scores = model.predict_proba(x_train)[:, 1]
    return fit


def _reuse_finished_cell(cfg: DictConfig, fingerprint: str, choices: dict[str, str],
                         output_dir: Path | None, sweep_dir: Path | None) -> CellResult | None:
    """``resume=true``: the result of a FINISHED run with the same configuration, if any.

    In a multirun the reused run is tagged as a cell of the new multirun's parent run too, so
    that the report of the resumed grid finds every cell in the store.
    """
    import mlflow

    from bond_default.run import tracking
    from bond_default.run.resume import finished_run, reused_in_tag

    experiment_id = tracking.use_experiment(cfg.tracking.uri, cfg.tracking.experiment)
    if sweep_dir is None:  # in a grid, its start has ended them already
        end_orphaned_runs(experiment_id)
    run = finished_run(experiment_id, fingerprint)
    if run is None:
        return None
    parent = tracking.parent_run_id(sweep_dir) if sweep_dir else None
    if parent and run.data.tags.get("mlflow.parentRunId") != parent:
        mlflow.MlflowClient().set_tag(run.info.run_id, reused_in_tag(parent), "true")
    labels = _cell_labels(choices, cfg.seed)
    labels["data"] = run.data.tags.get("dataset", labels["data"])
    metrics = {k.removeprefix("test_"): v for k, v in run.data.metrics.items()
               if k.startswith(("test_", "n_"))}
    result = CellResult(labels=labels, status="FINISHED", metrics=metrics,
                        run_id=run.info.run_id)
    log.info("resume: %s-%s seed %s already FINISHED in run %s; not rerun",
             labels["classifier"], labels["sampler"], cfg.seed, run.info.run_id)
    metrics["threshold"] = run.data.metrics.get("decision_threshold")
    if output_dir:
        logged = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id)}
        for path in {PREDICTIONS_FILE, WALK_FORWARD_FILE} & logged:  # the second: a backtest
            mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path=path,
                                               dst_path=str(output_dir))
        if WALK_FORWARD_FILE in logged:  # its years' ROC-AUC for the grid's summary
            years = pd.read_csv(output_dir / WALK_FORWARD_FILE)
            metrics.update({f"roc_auc_{r.test_year}": r.roc_auc for r in years.itertuples()})
        result.write(output_dir)
    return result


def _explain_enabled(cfg: DictConfig, sweep_dir: Path | None) -> bool:
    """``explain.enabled``: true, false, or auto (single runs yes, multirun cells no)."""
    enabled = OmegaConf.select(cfg, "explain.enabled", default="auto")
    if str(enabled).lower() == "auto":
        return sweep_dir is None
    return bool(enabled)


def failure_result(cfg: DictConfig, err: BaseException) -> CellResult:
    """A FAILED result for a cell that stopped before or during its run (for the summary)."""
    choices, output_dir, _ = _hydra_runtime()
    result = CellResult(labels=_cell_labels(choices, cfg.seed), status="FAILED", error=str(err))
    if output_dir and not (output_dir / RESULT_FILE).exists():
        result.write(output_dir)
    return result


def run_job(cfg: DictConfig) -> float | dict | None:
    """What a Hydra job does: run the cell; the test ROC-AUC is the job's return value.

    A trial of a hyperparameter search (``search.trial_id`` set by the Optuna sweeper)
    cross-validates on the training split instead (:func:`bond_default.search.trial.run_trial`).

    Bad input ends a single run with one sentence on the log and exit status 2, no
    traceback; any other failure with one sentence and exit status 1 (the traceback is the
    run's ``error.txt``); SIGTERM or SIGINT with 128 + the signal's number. In a multirun a
    failed cell is recorded (its MLflow run FAILED) and the sweep goes on; the summary marks
    it and the command exits 1 at the end.
    """
    from bond_default.run.settings_check import check_config

    choices, output_dir, sweep_dir = _hydra_runtime()
    if sweep_dir is not None and (sweep_dir / INTERRUPTED_FILE).exists():
        return None  # the grid was interrupted before this cell started
    previous = raise_on_signals()
    marker = output_dir / RUNNING_FILE if output_dir and sweep_dir else None
    try:
        check_config(cfg)
        if OmegaConf.select(cfg, "search.trial_id") is None:
            if marker:
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.write_text(str(os.getpid()))
            return run_cell(cfg).metrics.get("roc_auc")
    except RunInterrupted as err:
        _end_interrupted(cfg, err, choices, sweep_dir)
        return None
    except InputError as err:
        log.error("%s", err)
        if sweep_dir is None:
            raise SystemExit(2) from None
        failure_result(cfg, err)
        return None
    except Exception as err:
        if sweep_dir is None:
            log.error("the run failed: %s: %s (the traceback is in its MLflow run's "
                      "error.txt, and below at debug level)", type(err).__name__, err)
            log.debug("traceback", exc_info=True)
            raise SystemExit(1) from None
        log.exception("cell failed: %s", err)
        failure_result(cfg, err)
        return None
    finally:
        if marker:
            marker.unlink(missing_ok=True)
        restore_signals(previous)  # between cells, the grid's own handlers again
    from bond_default.search.trial import run_trial

    previous = raise_on_signals()
    try:
        return run_trial(cfg)  # a failure here is the trial's: the sweeper records it
    except RunInterrupted as err:  # the sweeper fails the trials asked for, ends its parent
        log.error("interrupted by %s during trial %s", err.name, cfg.search.trial_id)
        raise SystemExit(128 + err.signum) from None
    finally:
        restore_signals(previous)


def _end_interrupted(cfg: DictConfig, err: RunInterrupted, choices: dict[str, str],
                     sweep_dir: Path | None) -> None:
    """One line saying what was interrupted; a grid's summary and parent; exit 128 + signal."""
    labels = _cell_labels(choices, cfg.seed)
    cell = f"{labels['classifier']}-{labels['sampler']}-{labels['ratio']}-s{cfg.seed}"
    if sweep_dir is None:
        log.error("interrupted by %s during %s; its MLflow run ends KILLED", err.name, cell)
    elif not owns_the_grid():  # a launcher's worker: the grid's process sums up and exits
        log.error("interrupted by %s during %s; its MLflow run ends KILLED", err.name, cell)
        return
    else:
        from bond_default.run.summary import finish_multirun

        finished = finish_multirun(sweep_dir, cfg.tracking.uri, cfg.tracking.experiment,
                                   interrupted=err.name)
        log.error("interrupted by %s during %s; %d cell(s) of this grid finished; rerun with "
                  "resume=true to finish the grid", err.name, cell, finished)
    raise SystemExit(128 + err.signum)
