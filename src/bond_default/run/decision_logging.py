"""What a cell logs to its MLflow run about its decisions: the calibration of its PDs, the
curve its threshold was chosen from, and the walk-forward backtest's table by year. Each
function logs into the active run.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)


def log_calibration(y_true: np.ndarray, scores: np.ndarray, title: str,
                    calibration: str) -> None:
    """The reliability table (deciles of the predicted PD) and the calibration curve."""
    import mlflow

    from bond_default.evaluate import plots
    from bond_default.evaluate.metrics import calibration_bins

    rows, predicted, observed = calibration_bins(y_true, scores)
    table = pd.DataFrame({"bin": np.arange(1, len(rows) + 1), "rows": rows,
                          "mean_predicted_pd": predicted, "observed_default_rate": observed})
    mlflow.log_text(table.to_csv(index=False), "calibration/reliability.csv")
    fig = plots.calibration_figure({f"{title} (calibration {calibration})": (predicted,
                                                                            observed)})
    mlflow.log_figure(fig, "plots/calibration.png")
    plots.close(fig)


def log_threshold_curve(model, policy: str, title: str) -> None:
    """``threshold=max_f1`` or ``cost``: the objective at every candidate threshold, on the
    cross-validated training scores it was chosen from (in a walk-forward, the last year's:
    the model the run logs; every year's is in ``threshold/curves_by_year.csv``)
    (``threshold/curve.csv``, and
    ``plots/threshold.png`` with the chosen one marked); nothing for a fixed threshold."""
    table = _threshold_curve(model)
    if table is None:
        return
    import mlflow

    from bond_default.evaluate import plots

    objective = {"max_f1": "F1", "cost": "minus the mean cost per bond"}.get(policy, policy)
    mlflow.log_text(table.to_csv(index=False), "threshold/curve.csv")
    fig = plots.threshold_figure(table["threshold"].to_numpy(), table["score"].to_numpy(),
                                 float(model.best_threshold_), objective,
                                 f"{title}: threshold={policy}")
    mlflow.log_figure(fig, "plots/threshold.png")
    plots.close(fig)


def _threshold_curve(model) -> pd.DataFrame | None:
    """A tuned threshold's objective at every candidate (``threshold``, ``score``), from the
    cross-validated training scores; ``None`` for a fixed threshold."""
    results = getattr(model, "cv_results_", None)
    if not results:
        return None
    return pd.DataFrame({"threshold": results["thresholds"], "score": results["scores"]})


def log_walk_forward(folds, title: str) -> pd.DataFrame:
    """The backtest's table (one row per test year) and figure; per-year metrics with the
    year as their step (``mlflow ui`` draws them against the year); with a tuned threshold,
    every year's curve it was chosen from (``threshold/curves_by_year.csv``). Returns the
    table."""
    import mlflow

    from bond_default.evaluate import plots
    from bond_default.evaluate.metrics import calibration_metrics, evaluate, population_stability

    rows = []
    for fold in folds:
        metrics = evaluate(fold.y_test, fold.scores, fold.threshold)
        calibration = calibration_metrics(fold.y_test, fold.scores)
        rows.append({"test_year": fold.year, "n_train": len(fold.train_scores),
                     "rows": len(fold.y_test), "defaults": int(fold.y_test.sum()),
                     "roc_auc": metrics["roc_auc"], "gini": 2 * metrics["roc_auc"] - 1,
                     "pr_auc": metrics["pr_auc"], "ece": calibration["ece"],
                     "mean_pd": calibration["mean_pd"],
                     "default_rate": calibration["default_rate"],
                     "psi": population_stability(fold.train_scores, fold.scores),
                     "threshold": fold.threshold, "recall": metrics["recall"],
                     "precision": metrics["precision"]})
    table = pd.DataFrame(rows)
    mlflow.log_text(table.to_csv(index=False), "walk_forward.csv")
    curves = [curve.assign(test_year=fold.year)[["test_year", "threshold", "score"]]
              for fold in folds if (curve := _threshold_curve(fold.model)) is not None]
    if curves:  # each year's threshold was chosen from its own curve
        mlflow.log_text(pd.concat(curves).to_csv(index=False), "threshold/curves_by_year.csv")
    for row in rows:
        mlflow.log_metrics({f"year_{k}": float(v) for k, v in row.items()
                            if k not in ("test_year", "n_train")}, step=int(row["test_year"]))
    # Pooled test_* metrics mix models of different years (and score levels); the mean of
    # the years' ROC-AUC is each model judged on its own year.
    mlflow.log_metrics({"walk_forward_mean_roc_auc": float(table["roc_auc"].mean()),
                        "walk_forward_mean_pr_auc": float(table["pr_auc"].mean()),
                        "walk_forward_max_psi": float(table["psi"].max())})
    fig = plots.walk_forward_figure(table, f"{title}: walk-forward backtest")
    mlflow.log_figure(fig, "plots/walk_forward.png")
    plots.close(fig)
    log.info("walk-forward by test year:\n%s", table[
        ["test_year", "rows", "defaults", "roc_auc", "gini", "pr_auc", "ece", "mean_pd",
         "default_rate", "psi"]].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return table
