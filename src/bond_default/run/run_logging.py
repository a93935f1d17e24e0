"""What a cell logs to its MLflow run beside its metrics: SHAP tables and figures, the test
curves, per-epoch losses of the Lightning steps, the GAN's quality, and the fitted pipeline as
a pyfunc model. Each function logs into the active run. What the decision layer adds
(calibration, threshold curve, walk-forward table) is in :mod:`bond_default.run.decision_logging`.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from omegaconf import DictConfig

log = logging.getLogger(__name__)


def log_shap(pipeline, x_train: pd.DataFrame, x_test: pd.DataFrame, cfg: DictConfig) -> None:
    """SHAP on the original indicators: importance and group tables, Fig. 7 and a beeswarm."""
    import mlflow

    from bond_default.evaluate import plots
    from bond_default.evaluate.explain import TOP, explain_pipeline
    from bond_default.run.scorecard_logging import log_iv_vs_shap

    log.info("SHAP: explaining %s test rows on the original indicators (explain.enabled=false "
             "skips it)...", cfg.explain.max_rows if cfg.explain.max_rows is not None
             else len(x_test))
    shap = explain_pipeline(pipeline, x_train, x_test, max_rows=cfg.explain.max_rows,
                            background_rows=int(cfg.explain.background_rows),
                            agnostic_rows=int(cfg.explain.agnostic_rows), seed=int(cfg.seed),
                            output=str(cfg.explain.output), method=str(cfg.explain.method))
    importance = shap.importance()
    mlflow.log_text(importance.to_csv(index=False), "shap/importance.csv")
    log_iv_vs_shap(pipeline, importance)  # classifier=scorecard: scorecard/iv_vs_shap.csv
    mlflow.log_text(shap.groups().to_csv(index=False), "shap/groups.csv")
    mlflow.log_metrics({"shap_top20_share": shap.top_share(), "shap_seconds": shap.seconds,
                        "shap_rows": len(shap.values)})
    mlflow.set_tags({"shap_explainer": shap.explainer, "shap_score": shap.score})
    for name, fig in (("shap_top20", plots.shap_bar_figure(importance, TOP, score=shap.score)),
                      ("shap_beeswarm", plots.shap_beeswarm_figure(shap.values, shap.data,
                                                                   TOP))):
        mlflow.log_figure(fig, f"plots/{name}.png")
        plots.close(fig)
    log.info("SHAP top 5: %s (top 20 hold %.0f%%)", ", ".join(importance["indicator"][:5]),
             100 * shap.top_share())


def log_figures(metrics: dict, y_true: np.ndarray, scores: np.ndarray, title: str) -> None:
    import mlflow

    from bond_default.evaluate import plots

    figures = {
        "plots/confusion_matrix.png": plots.confusion_figure(
            metrics["tp"], metrics["fp"], metrics["fn"], metrics["tn"], f"{title}: confusion"),
        "plots/roc.png": plots.roc_figure({title: (y_true, scores)}),
        "plots/pr.png": plots.pr_figure(y_true, scores, f"{title}: precision-recall"),
    }
    for path, fig in figures.items():
        mlflow.log_figure(fig, path)
        plots.close(fig)


def epoch_logger(prefix: str):
    """A listener for :func:`bond_default.classifiers.epoch_metrics.streaming` that sends each
    epoch's metrics to the active MLflow run as the epoch ends (one call per epoch), so that
    ``mlflow ui`` draws the curves while the network trains; its ``log_epochs(rows)`` sends
    several epochs ``[(epoch, metrics), ...]`` in one batch (the GANs' thousands of epochs)."""
    import time

    import mlflow
    from mlflow.entities import Metric

    def log_epoch(epoch: int, metrics: dict[str, float]) -> None:
        if mlflow.active_run() is not None:
            mlflow.log_metrics({f"{prefix}_{k}": float(v) for k, v in metrics.items()},
                               step=epoch)

    def log_epochs(rows) -> None:
        run = mlflow.active_run()
        if run is None:
            return
        now = int(time.time() * 1000)
        batch = [Metric(f"{prefix}_{k}", float(v), now, epoch)
                 for epoch, metrics in rows for k, v in metrics.items()]
        for start in range(0, len(batch), 1000):  # MLflow's limit per batch
            mlflow.MlflowClient().log_batch(run.info.run_id, metrics=batch[start:start + 1000])

    log_epoch.log_epochs = log_epochs
    return log_epoch


def log_missing_indicators(pipeline) -> None:
    """Say once, in the log and as the run's tag, which columns got a missing-value indicator."""
    import mlflow

    gaps = getattr(pipeline.named_steps["preprocess"], "missing_columns_", [])
    if gaps:
        log.info("missing-value indicators: %d column(s) with gaps in the training rows get a "
                 "0/1 column missing=<column> beside them (%s)", len(gaps),
                 ", ".join(gaps[:5]) + (", ..." if len(gaps) > 5 else ""))
        mlflow.set_tag("missing_indicators", ",".join(gaps)[:5000])


def validation_counts(pipeline) -> dict[str, float]:
    """Rows held out for early stopping, the epochs trained and kept, and the offset the
    output bias was moved by (none without early stopping)."""
    from bond_default.pipeline.bond_pipeline import VALIDATION_STEP

    holdout = pipeline.named_steps.get(VALIDATION_STEP)
    if holdout is None:
        return {}
    network = pipeline[-1]
    offsets = network.output_offsets_
    return {"n_validation": holdout.n_rows_, "n_validation_defaulted": holdout.n_defaulted_,
            "best_epoch": network.best_epoch_, "epochs_trained": len(network.losses_),
            "output_logit_offset": float(offsets[-1] - offsets[0])}


def log_training_curves(pipeline) -> None:
    """Per-epoch losses of every step that trained with Lightning (GAN, CNN, FCNN, TabM);
    the figure for each, and the metrics of those that did not stream them while training."""
    import time

    import mlflow
    from mlflow.entities import Metric

    from bond_default.evaluate import plots

    run_id = mlflow.active_run().info.run_id
    now = int(time.time() * 1000)
    for name, step in pipeline.named_steps.items():
        history = getattr(step, "losses_", None)
        if not history:
            continue
        metrics = [] if getattr(step, "curves_streamed_", False) else [
            Metric(f"{name}_{key}", float(value), now, epoch)
            for epoch, losses in enumerate(history, start=1) for key, value in losses.items()]
        for start in range(0, len(metrics), 1000):
            mlflow.MlflowClient().log_batch(run_id, metrics=metrics[start:start + 1000])
        fig = plots.losses_figure(history, f"{name}: {type(step).__name__} loss per epoch",
                                  best_epoch=getattr(step, "best_epoch_", None))
        mlflow.log_figure(fig, f"plots/{name}_losses.png")
        plots.close(fig)


def sampler_quality(pipeline, x_train, y_train, year_columns=()):
    """The quality report of the rows the pipeline's over-sampler generated, or None.

    A sampler that reports its own (the GANs: ``quality_``) gives it; for the others (SMOTE,
    Borderline-SMOTE) the steps up to the sampler are run again on copies, seeded as they
    were, so the generated rows are those the classifier got (imbalanced-learn puts them
    after the original rows).
    """
    from sklearn.base import clone

    from bond_default.samplers.gan_quality import assess

    sampler = pipeline.named_steps.get("oversample")
    if sampler is None:
        return None
    if getattr(sampler, "quality_", None) is not None:
        return sampler.quality_
    X, y = x_train, y_train
    for name, step in pipeline.steps:
        if name == "oversample":
            break
        X, y = (clone(step).fit_resample(X, y) if hasattr(step, "fit_resample")
                else (step.transform(X), y))
    fitted = clone(sampler)
    resampled, labels = fitted.fit_resample(X, y)
    names = list(getattr(X, "columns", [])) or None
    X, resampled = np.asarray(X, dtype=float), np.asarray(resampled, dtype=float)
    generated = resampled[len(X):]
    if len(generated) == 0:
        return None
    label = np.asarray(labels)[len(X)]
    positions = [names.index(c) for c in year_columns if names and c in names]
    return assess(X[np.asarray(y) == label], generated, names, seed=0,
                  year_positions=positions, every=X,
                  copied_positions=getattr(fitted, "copied_positions_", ()))


def log_sampler_quality(pipeline, x_train, y_train, year_columns=()) -> None:
    """The over-sampler's two-sample test, KS distances, near-copies, spread and
    year-consistency (``gan_*`` metrics, for every over-sampler)."""
    import mlflow

    quality = sampler_quality(pipeline, x_train, y_train, year_columns)
    if quality is None:
        return
    mlflow.log_metrics(quality.metrics())
    table = quality.ks.rename_axis("column").reset_index()
    mlflow.log_text(table.to_csv(index=False), "gan/ks_by_column.csv")
    years = ("" if np.isnan(quality.year_consistency)
             else f", year-consistent {100 * quality.year_consistency:.0f}%")
    generated_part = ("" if np.isnan(quality.memorized_share_generated_columns) else
                      f"; on the generated columns alone "
                      f"{100 * quality.memorized_share_generated_columns:.1f}% against "
                      f"{100 * quality.memorized_share_real_generated_columns:.1f}%")
    if not np.isnan(quality.pair_consistency):
        years += (f", every discrete pair one a real row has in "
                  f"{100 * quality.pair_consistency:.0f}%")
    if not np.isnan(quality.copied_unique_share):
        years += (f", copied columns those of exactly one real row in "
                  f"{100 * quality.copied_unique_share:.0f}%")
    log.info("generated rows: two-sample AUC %.3f (0.5 ideal), mean KS %.3f, near-copies "
             "%.1f%% (real rows among themselves: %.1f%%%s), spread %.2f of the real rows'%s",
             quality.c2st_auc, quality.ks.mean(), 100 * quality.memorized_share,
             100 * quality.memorized_share_real, generated_part, quality.spread_ratio, years)


#: What loading and scoring a logged model imports, pinned to the running versions in its
#: requirements (the project itself travels as the model's code, so it needs no registry).
SERVING_PACKAGES = ("mlflow", "cloudpickle", "numpy", "pandas", "scipy", "scikit-learn",
                    "imbalanced-learn", "torch", "pytorch-lightning", "tabm",
                    "rtdl-num-embeddings", "optbinning", "omegaconf")


def serving_requirements() -> list[str]:
    """``name==version`` of :data:`SERVING_PACKAGES` as installed here (a local build label
    such as torch's ``+cpu`` left out: pip then takes the build that suits the machine)."""
    from importlib.metadata import PackageNotFoundError, version

    pinned = []
    for name in SERVING_PACKAGES:
        try:
            pinned.append(f"{name}=={version(name).split('+')[0]}")
        except PackageNotFoundError:  # an optional package this install lacks
            continue
    return pinned


def log_model(model, x_test: pd.DataFrame, scores: np.ndarray, calibration: str = "none",
              threshold: float = 0.5):
    """Log the fitted model (pipeline, calibration, threshold policy) as a pyfunc model whose
    ``predict`` gives default probabilities; its metadata says which calibration they carry
    and the decision threshold. Returns MLflow's ``ModelInfo``.

    The model is logged from code (MLflow's models-from-code: no object pickled by MLflow,
    no warning), with the fitted model as an artifact, this package as its code and its
    requirements pinned, so ``mlflow models serve`` can build its environment anywhere.
    """
    import tempfile
    from pathlib import Path

    import cloudpickle
    import mlflow.pyfunc
    from mlflow.models import infer_signature

    import bond_default
    from bond_default.serve.pyfunc_model import PIPELINE_ARTIFACT

    example = x_test.head(50)
    # Integer-coded columns are declared as doubles: new files may carry gaps in them.
    example = example.astype({c: "float64" for c in example.select_dtypes("integer").columns})
    import shutil

    package = Path(bond_default.__file__).parent
    with tempfile.TemporaryDirectory(prefix="model_") as folder:
        pickled = Path(folder) / "pipeline.pkl"
        with open(pickled, "wb") as file:
            cloudpickle.dump(model, file)
        code = Path(folder) / "bond_default"  # the package's sources, without caches
        shutil.copytree(package, code, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        return mlflow.pyfunc.log_model(
            name="model", python_model=str(package / "serve" / "pyfunc_entry.py"),
            artifacts={PIPELINE_ARTIFACT: str(pickled)}, code_paths=[str(code)],
            metadata={"calibration": calibration, "decision_threshold": float(threshold)},
            signature=infer_signature(example, scores[:50]), input_example=example.head(3),
            pip_requirements=serving_requirements(),
        )
