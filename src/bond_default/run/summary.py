"""End of a multirun: the Table 2 style summary, the ROC overlay and the parent MLflow run."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import pandas as pd
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from bond_default.run.cell import PREDICTIONS_FILE, RESULT_FILE, WALK_FORWARD_FILE
from bond_default.run.tracking import PARENT_RUN_FILE

log = logging.getLogger(__name__)

TABLE_COLUMNS = ("accuracy", "precision", "recall", "f1", "roc_auc", "balanced_accuracy",
                 "pr_auc")
EXTRA_COLUMNS = ("ks", "brier", "ece", "mean_pd", "default_rate", "threshold", "n_fit",
                 "n_fit_defaulted")
#: ``split=walk_forward``: the ROC-AUC of each test year, ``roc_auc_<year>``.
YEAR_PREFIX = "roc_auc_"


def collect_results(sweep_dir: Path) -> list[dict]:
    """Every job's ``result.json`` under the sweep folder, in job order."""
    def job_number(path: Path) -> tuple[int, str]:
        name = path.parent.name
        return (int(name), name) if name.isdigit() else (sys.maxsize, name)

    files = sorted(sweep_dir.glob(f"*/{RESULT_FILE}"), key=job_number)
    return [json.loads(f.read_text()) | {"folder": str(f.parent)} for f in files]


def summary_table(results: list[dict]) -> pd.DataFrame:
    """One row per cell: its labels, status and test metrics (the paper's Table 2 layout)."""
    rows = []
    for result in results:
        labels, metrics = result["labels"], result.get("metrics") or {}
        row: dict[str, Any] = {
            "classifier": labels.get("classifier"), "sampler": labels.get("sampler"),
            "ratio": labels.get("ratio"), "data": labels.get("data"),
            "seed": labels.get("seed"), "status": result["status"],
        }
        row.update({k: metrics.get(k) for k in TABLE_COLUMNS + EXTRA_COLUMNS})
        row.update({k: v for k, v in sorted(metrics.items()) if k.startswith(YEAR_PREFIX)})
        row["run_id"] = result.get("run_id")
        row["error"] = result.get("error")
        rows.append(row)
    return pd.DataFrame(rows)


#: The paper's model: every other cell's ROC-AUC is tested against it (DeLong).
REFERENCE = ("cnn", "gan")


def add_delong(table: pd.DataFrame, results: list[dict]) -> pd.DataFrame:
    """Column ``delong_p``: DeLong's p-value of each cell's ROC-AUC against the cnn + gan
    cell of the same seed, data and ratio, on the same test rows (empty where there is none)."""
    from bond_default.evaluate.significance import delong_against_reference

    predictions = {}
    for index, result in zip(table.index, results, strict=True):
        path = Path(result["folder"]) / PREDICTIONS_FILE
        if result["status"] == "FINISHED" and path.exists():
            predictions[index] = pd.read_csv(path)
    table = table.copy()
    table["delong_p"] = delong_against_reference(table, predictions, REFERENCE)
    return table


def markdown(table: pd.DataFrame) -> str:
    """The summary as a markdown table with metrics to 4 decimals; failed cells say so."""
    columns = ["classifier", "sampler"]
    columns += [c for c in ("ratio", "data", "seed") if table[c].nunique() > 1]
    years = [c for c in table.columns if c.startswith(YEAR_PREFIX)]
    shown = table[columns + ["status", *TABLE_COLUMNS, *years]].copy()
    for column in (*TABLE_COLUMNS, *years):
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.4f}")
    return shown.to_markdown(index=False)


def _is_search(config: DictConfig) -> bool:
    """Whether this multirun is a hyperparameter search (``hparams_search=...``)."""
    return OmegaConf.select(config, "search") is not None


def _claim_sweep_dir(config: DictConfig) -> Path:
    """Create this multirun's sweep folder, one no other multirun has.

    Two grids started in the same second resolve the same ``multirun/DATE/HH-MM-SS``; the
    folder is created exclusively (atomic), and the one that finds it taken moves to
    ``HH-MM-SS-2`` (``-3`` ...): on the launcher's config and, through a Hydra override, on
    the config every job is composed from.
    """
    from omegaconf import open_dict, read_write

    base = Path(config.hydra.sweep.dir)
    base.parent.mkdir(parents=True, exist_ok=True)
    candidate, n = base, 1
    while True:
        try:
            candidate.mkdir()
            break
        except FileExistsError:
            n += 1
            candidate = base.with_name(f"{base.name}-{n}")
    if candidate != base:
        log.info("sweep folder %s is another multirun's; this one writes to %s", base,
                 candidate)
        with read_write(config.hydra), open_dict(config.hydra):
            config.hydra.sweep.dir = str(candidate)
            config.hydra.overrides.hydra.append(f"hydra.sweep.dir={candidate}")
    return candidate


class MultirunSummary(Callback):
    """Hydra callback: a parent MLflow run for the sweep, and its summary at the end.

    At the start it creates the MLflow store and experiment once (parallel jobs must not
    race to create a new SQLite file) and a parent run whose id the jobs read from the sweep
    folder. At the end it writes ``summary.csv``, ``summary.md`` and ``roc.png`` into the
    sweep folder, logs them to the parent run, prints the table and exits non-zero when a
    cell failed.
    """

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        from bond_default.errors import InputError
        from bond_default.run.settings_check import check_config
        from bond_default.run.tracking import check_store

        try:  # settings and the store every cell shares are checked once, before any job
            check_config(config)
            check_store(config.tracking.uri)
        except InputError as err:
            log.error("%s", err)
            sys.exit(2)
        from mlflow import MlflowClient

        from bond_default.run.lifecycle import (
            PROCESS_TAG,
            end_grid_on_signals,
            end_orphaned_runs,
            process_tag,
        )
        from bond_default.run.tracking import use_experiment

        if _is_search(config):
            return  # the Optuna sweeper keeps the study's parent run and its summary
        try:  # Hydra would turn an error here into a warning and run every cell anyway
            sweep_dir = _claim_sweep_dir(config)
            experiment_id = use_experiment(config.tracking.uri, config.tracking.experiment)
            end_orphaned_runs(experiment_id)  # runs a killed command left RUNNING
            run = MlflowClient().create_run(
                experiment_id, run_name=f"sweep {sweep_dir.parent.name}/{sweep_dir.name}",
                tags={"sweep_dir": str(sweep_dir.resolve()), "kind": "multirun",
                      PROCESS_TAG: process_tag()})
            (sweep_dir / PARENT_RUN_FILE).write_text(run.info.run_id)
            end_grid_on_signals(lambda name: _interrupted_grid(
                sweep_dir, config.tracking.uri, config.tracking.experiment, name), sweep_dir)
        except Exception as err:
            log.error("the multirun could not start (%s: %s); no cell was run",
                      type(err).__name__, err)
            sys.exit(1)
        log.info("MLflow parent run %s (experiment %s)", run.info.run_id,
                 config.tracking.experiment)

    @staticmethod
    def _write_seed_summary(table: pd.DataFrame, sweep_dir: Path) -> None:
        """Per cell over seeds: mean, std, 95% CI, and DeLong p-values against cnn + gan."""
        from bond_default.evaluate.significance import format_p, seed_summary

        by_seed = seed_summary(table)
        written = by_seed.copy()
        if "delong_p_median" in written:
            written["delong_p_median"] = written["delong_p_median"].map(format_p)
        written.to_csv(sweep_dir / "summary_by_seed.csv", index=False)
        shown = by_seed[["classifier", "sampler", "seeds"]].copy()
        for metric in ("roc_auc", "balanced_accuracy"):
            shown[metric] = [
                f"{r[f'{metric}_mean']:.4f} ± {r[f'{metric}_std']:.4f} "
                f"[{r[f'{metric}_ci_low']:.4f}, {r[f'{metric}_ci_high']:.4f}]"
                for _, r in by_seed.iterrows()]
        if "delong_p_median" in by_seed:
            shown["DeLong p vs cnn+gan (median; seeds < 0.05)"] = [
                "" if pd.isna(r["delong_p_median"]) else
                f"{format_p(r['delong_p_median'])} ({r['delong_p_below_05']})"
                for _, r in by_seed.iterrows()]
        text = shown.to_markdown(index=False)
        (sweep_dir / "summary_by_seed.md").write_text(
            "Mean ± std [95% t-interval] over seeds; DeLong's test of each cell's ROC-AUC "
            "against cnn + gan on the same test rows, per seed.\n\n" + text + "\n")
        log.info("over seeds:\n%s", text)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if _is_search(config):
            return
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            from bond_default.run.registry import registers_best

            failed = finish_multirun(sweep_dir, config.tracking.uri, config.tracking.experiment,
                                     register_best=registers_best(config))
        except Exception as err:  # Hydra would turn it into a warning and exit 0
            log.error("the multirun's summary could not be written (%s: %s); its parent run "
                      "ends FAILED", type(err).__name__, err)
            _end_parent(sweep_dir, config.tracking.uri, config.tracking.experiment, "FAILED",
                        f"summary not written: {type(err).__name__}: {err}")
            sys.exit(1)
        if failed:
            sys.exit(1)


def _end_parent(sweep_dir: Path, uri: str, experiment: str, status: str, reason: str) -> None:
    """End the multirun's parent run, if any, as ``status`` with ``reason`` (best effort)."""
    from mlflow import MlflowClient

    from bond_default.run.lifecycle import END_REASON_TAG
    from bond_default.run.tracking import parent_run_id, use_experiment

    parent = parent_run_id(sweep_dir)
    if not parent:
        return
    try:
        use_experiment(uri, experiment)
        client = MlflowClient()
        client.set_tag(parent, END_REASON_TAG, reason[:5000])
        client.set_terminated(parent, status=status)
    except Exception as err:  # the store itself may be what failed
        log.error("the parent run %s could not be ended %s: %s", parent, status, err)


def _interrupted_grid(sweep_dir: Path, uri: str, experiment: str, name: str) -> None:
    finished = finish_multirun(sweep_dir, uri, experiment, interrupted=name)
    log.error("interrupted by %s; %d cell(s) of this grid finished; rerun with resume=true to "
              "finish the grid", name, finished)


def _write_walk_forward(results: list[dict], sweep_dir: Path) -> None:
    """``split=walk_forward``: every cell's table by test year, one file for the grid."""
    frames = []
    for result in results:
        path = Path(result["folder"]) / WALK_FORWARD_FILE
        if result["status"] == "FINISHED" and path.exists():
            labels = result["labels"]
            frame = pd.read_csv(path)
            for position, key in enumerate(("classifier", "sampler", "ratio", "seed")):
                frame.insert(position, key, labels.get(key))
            frames.append(frame)
    if frames:
        pd.concat(frames, ignore_index=True).to_csv(sweep_dir / WALK_FORWARD_FILE, index=False)


def _register_best(table: pd.DataFrame, parent: str | None) -> None:
    """``tracking.register=auto``: register the model of the grid's best cell by test
    ROC-AUC (its mean over seeds when the grid has several; of that cell, the seed with the
    highest), a choice made on the test split: the version's tags say so."""
    from bond_default.run.registry import register_run_model

    done = table[(table["status"] == "FINISHED") & table["roc_auc"].notna()].copy()
    if done.empty:
        return
    done["roc_auc"] = done["roc_auc"].astype(float)
    means = done.groupby(["classifier", "sampler"], sort=False)["roc_auc"].mean()
    classifier, sampler = means.idxmax()
    cell = done[(done["classifier"] == classifier) & (done["sampler"] == sampler)]
    best = cell.loc[cell["roc_auc"].idxmax()]
    seeds = len(cell)
    register_run_model(best["run_id"], classifier, sampler,
                       chosen_by="test_roc_auc" + (f" (mean of {seeds} seeds)" if seeds > 1
                                                   else ""),
                       value=float(means.max()),
                       context=f"best of {len(means)} cells of grid {parent}"
                               + (f"; its seed {best['seed']}" if seeds > 1 else ""))


def finish_multirun(sweep_dir: Path, uri: str, experiment: str,
                    interrupted: str | None = None, register_best: bool = False) -> int:
    """Write the summary of the cells that left a result, log it to the parent run, end it.

    The parent ends FINISHED when every cell did, FAILED when one did not, KILLED when the
    grid was ``interrupted`` (by that signal). With ``register_best`` (see
    :func:`bond_default.run.registry.registers_best`) and the grid not interrupted, its best
    cell's model is registered. Returns the number of cells not
    FINISHED, or, when interrupted, the number that FINISHED.
    """
    from mlflow import MlflowClient

    from bond_default.evaluate import plots
    from bond_default.run.tracking import parent_run_id, use_experiment

    results = collect_results(sweep_dir)
    if not results:
        log.warning("no cell of this multirun left a result in %s", sweep_dir)
        if interrupted:
            _end_parent(sweep_dir, uri, experiment, "KILLED", f"interrupted by {interrupted}")
        return 0
    from bond_default.evaluate.significance import format_p

    table = add_delong(summary_table(results), results)
    # p-values as the test supports them ("< 0.001"), not to 1e-193
    table.assign(delong_p=table["delong_p"].map(format_p)).to_csv(sweep_dir / "summary.csv",
                                                                  index=False)
    text = markdown(table)
    (sweep_dir / "summary.md").write_text(text + "\n")
    if table["seed"].nunique() > 1:
        MultirunSummary._write_seed_summary(table, sweep_dir)
    _write_walk_forward(results, sweep_dir)
    curves = {}
    for result in results:
        predictions = Path(result["folder"]) / PREDICTIONS_FILE
        if result["status"] == "FINISHED" and predictions.exists():
            frame = pd.read_csv(predictions)
            labels = result["labels"]
            curves[f"{labels['classifier']} + {labels['sampler']}"
                   + (f" s{labels['seed']}" if table["seed"].nunique() > 1 else "")] = (
                frame["y_true"].to_numpy(), frame["score"].to_numpy())
    if curves:
        fig = plots.roc_figure(curves, "ROC of every cell (test split)")
        fig.savefig(sweep_dir / "roc.png", dpi=120)
        plots.close(fig)

    failed = table[table["status"] != "FINISHED"]
    parent = parent_run_id(sweep_dir)
    if parent:
        use_experiment(uri, experiment)
        client = MlflowClient()
        for name in ("summary.csv", "summary.md", "roc.png", "summary_by_seed.csv",
                     "summary_by_seed.md", WALK_FORWARD_FILE):
            if (sweep_dir / name).exists():
                client.log_artifact(parent, str(sweep_dir / name))
        client.log_metric(parent, "n_cells", len(table))
        client.log_metric(parent, "n_failed", len(failed))
        if interrupted:
            client.set_tag(parent, "end_reason", f"interrupted by {interrupted}")
        if register_best and not interrupted:
            _register_best(table, parent)
        client.set_terminated(parent, status="KILLED" if interrupted else
                              "FAILED" if len(failed) else "FINISHED")
    log.info("summary of %d cells (%s):\n%s", len(table), sweep_dir, text)
    if interrupted:
        return int((table["status"] == "FINISHED").sum())
    if len(failed):
        log.error("%d of %d cells failed: %s", len(failed), len(table), "; ".join(
            f"{r.classifier}+{r.sampler}: {r.error}" for r in failed.itertuples()))
    return len(failed)
