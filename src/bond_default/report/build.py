"""Rebuild a multirun's tables and the paper's figures from the MLflow store alone.

    python -m bond_default.report [--experiment bond-default] [--sweep RUN_ID] [--out report]

Takes the latest multirun (or ``--sweep``, a parent run id) of the experiment and writes into
one folder an appendix: ``index.html`` with a provenance header (data and its size, the
settings that differ from the paper's, seeds, commit, date, run ids; a warning for a
``debug=smoke`` grid); Table 2 (``table2.html``, ``.md``, ``.tex``, ``.csv``: mean ± 95% CI
over seeds and DeLong's p against CNN + GAN) with the paper's published Table 2 in its own
block; the generated rows' quality; every run's row counts; the ROC (Fig. 6),
precision-recall and calibration overlays; the GAN losses (Fig. 3), CNN loss (Fig. 4),
confusion matrix (Fig. 5) of the CNN + GAN cell and SHAP (Fig. 7), each figure in PNG and
SVG and captioned with the runs it comes from.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bond_default.errors import InputError
from bond_default.run.summary import TABLE_COLUMNS

log = logging.getLogger("bond_default.report")

#: Every run's test metrics in the appendix's csv: the grid summary's columns.
METRICS = TABLE_COLUMNS


def _children(client, experiment_id: str, parent: str):
    """The multirun's cells: its child runs and the earlier runs it reused (``resume=true``)."""
    from bond_default.run.resume import reused_in_tag

    runs = {}
    for query in (f"tags.mlflow.parentRunId = '{parent}'",
                  f"tags.{reused_in_tag(parent)} = 'true'"):
        for run in client.search_runs([experiment_id], query, max_results=1000):
            runs[run.info.run_id] = run
    return sorted(runs.values(), key=lambda run: run.info.start_time)


def _sweep(client, experiment_id: str, sweep: str | None):
    if sweep:
        return client.get_run(sweep)
    runs = client.search_runs([experiment_id], "tags.kind = 'multirun'", max_results=1,
                              order_by=["start_time DESC"])
    if not runs:
        raise InputError("the experiment has no multirun; run python train.py -m ... first")
    return runs[0]


#: Metrics read from each run: the test metrics of Table 2 and what the report adds.
RUN_METRICS = METRICS + ("ece", "mean_pd", "default_rate")


def cells_frame(children) -> pd.DataFrame:
    """One row per run: labels, status, run id, test metrics, row counts, sampler quality."""
    rows = []
    for r in children:
        m = r.data.metrics
        row = {"classifier": r.data.tags.get("classifier"), "sampler": r.data.tags.get("sampler"),
               "seed": r.data.tags.get("seed"), "data": r.data.tags.get("dataset"),
               "ratio": r.data.tags.get("ratio"), "status": r.info.status,
               "run_id": r.info.run_id}
        row.update({k: m.get(f"test_{k}") for k in RUN_METRICS})
        row.update({k: v for k, v in m.items() if k.startswith(("n_", "sampler_"))})
        rows.append(row)
    return pd.DataFrame(rows)


def table_2(cells: pd.DataFrame) -> pd.DataFrame:
    """Test metrics of every run beside the paper's Table 2 (``table2.csv``)."""
    from bond_default.report.paper import table_2 as paper

    columns = ["classifier", "sampler", "seed", "status", *METRICS, "ece", "delong_p",
               "run_id"]
    return cells[[c for c in columns if c in cells]].merge(paper(), on=["classifier", "sampler"],
                                                           how="left")


@dataclass
class Figure:
    """A figure of the page: its file stem (PNG and SVG), caption, and the runs it shows."""

    stem: str
    caption: str
    source: str


def build(experiment: str, tracking_uri: str, out: Path, sweep: str | None = None) -> Path:
    """Write every table and figure into ``out``; the path of ``index.html``."""
    import mlflow

    from bond_default.evaluate import plots
    from bond_default.evaluate.explain import TOP
    from bond_default.evaluate.significance import delong_against_reference
    from bond_default.report import tables
    from bond_default.report.provenance import provenance

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # a quiet console
    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    found = client.get_experiment_by_name(experiment)
    if found is None:
        raise InputError(f"no experiment {experiment!r} in {tracking_uri}")
    parent = _sweep(client, found.experiment_id, sweep)
    children = _children(client, found.experiment_id, parent.info.run_id)
    if not children:
        raise InputError(f"the multirun {parent.info.run_id} has no cells")
    out.mkdir(parents=True, exist_ok=True)
    log.info("report of grid %s: %d runs; reading their predictions...", parent.info.run_id,
             len(children))
    header = provenance(experiment, parent, children)
    cells = cells_frame(children)
    tmp = Path(tempfile.mkdtemp(prefix="report_"))
    predictions, reliability = {}, {}
    for index, run in zip(cells.index, children, strict=True):
        if run.info.status != "FINISHED":
            continue
        logged = {a.path for a in client.list_artifacts(run.info.run_id)}
        if "predictions.csv" in logged:
            predictions[index] = pd.read_csv(client.download_artifacts(
                run.info.run_id, "predictions.csv", str(tmp / run.info.run_id)))
        if "calibration" in logged:
            reliability[index] = pd.read_csv(client.download_artifacts(
                run.info.run_id, "calibration/reliability.csv", str(tmp / run.info.run_id)))
    cells["delong_p"] = delong_against_reference(cells, predictions)

    log.info("writing Table 2 (HTML, Markdown, LaTeX) and the figures...")
    table = table_2(cells)
    table.to_csv(out / "table2.csv", index=False)
    results = tables.results_table(cells)
    seeds = f", mean ± 95% CI over {len(header.seeds)} seeds" if len(header.seeds) > 1 else ""
    (out / "table2.md").write_text(results.markdown() + "\n")
    (out / "table2.html").write_text(results.html("table2"))
    (out / "table2.tex").write_text(results.latex(
        f"Test metrics of each classifier and sampler{seeds} ({header.data}); DeLong's p "
        "against CNN + GAN. Best per column in bold.", "tab:table2"))

    figures: list[Figure] = []

    def save(fig, stem: str, caption: str, source: str) -> None:
        for suffix in ("png", "svg"):
            fig.savefig(out / f"{stem}.{suffix}", dpi=120)
        plots.close(fig)
        figures.append(Figure(stem, caption, source))

    # One curve per cell: its lowest seed's run (the table gives the mean over seeds).
    shown = (cells[cells.index.isin(predictions.keys())]
             .assign(seed_order=lambda f: pd.to_numeric(f["seed"], errors="coerce"))
             .sort_values("seed_order").drop_duplicates(["classifier", "sampler"]))
    one_seed = f" (seed {', '.join(sorted(set(shown['seed'])))} of each cell)" \
        if len(header.seeds) > 1 else ""
    curves = {f"{tables.human('classifier', r.classifier)} + "
              f"{tables.human('sampler', r.sampler)}": (
                  predictions[i]["y_true"].to_numpy(), predictions[i]["score"].to_numpy())
              for i, r in shown.iterrows()}
    runs = "Runs: " + ", ".join(f"{label} {r.run_id[:8]}"
                                for label, r in zip(curves, shown.itertuples(), strict=True))
    if curves:
        save(plots.roc_figure(curves, f"ROC of every cell{one_seed}"), "fig6_roc",
             f"Fig. 6: ROC of every cell, test split{one_seed}", runs)
        save(plots.pr_overlay_figure(curves, f"Precision-recall of every cell{one_seed}"),
             "fig6b_pr", f"Precision-recall of every cell, test split{one_seed}", runs)
    calibration = {label: (reliability[i]["mean_predicted_pd"].to_numpy(),
                           reliability[i]["observed_default_rate"].to_numpy())
                   for label, (i, _) in zip(curves, shown.iterrows(), strict=True)
                   if i in reliability}
    if calibration:
        save(plots.calibration_figure(calibration, f"Calibration of every cell{one_seed}"),
             "fig_calibration", "Calibration: mean predicted PD against the observed "
                                f"default rate per decile of the prediction{one_seed}", runs)

    paper_cell = paper_cell_of(children)
    if paper_cell is not None:
        rid = paper_cell.info.run_id
        cell = f"CNN + GAN, seed {paper_cell.data.tags.get('seed', '?')}"
        source = f"Run {rid} ({cell})."
        for metric, stem, caption in (
                (("oversample_generator_loss", "oversample_discriminator_loss"),
                 "fig3_gan_losses", f"Fig. 3: GAN losses per epoch ({cell})"),
                (("classifier_train_loss", "classifier_val_loss"), "fig4_cnn_loss",
                 f"Fig. 4: CNN loss per epoch ({cell})")):
            history = _history(client, rid, metric)
            if history:
                save(plots.losses_figure(history, caption), stem, caption, source)
        m = paper_cell.data.metrics
        if all(f"test_{k}" in m for k in ("tp", "fp", "fn", "tn")):
            save(plots.confusion_figure(*(int(m[f"test_{k}"]) for k in ("tp", "fp", "fn", "tn")),
                                        f"Confusion matrix, {cell} (test split)"),
                 "fig5_confusion", f"Fig. 5: confusion matrix ({cell})", source)

    groups_html, top_share = None, ""
    shap_run = _shap_run(client, found.experiment_id, paper_cell)
    if shap_run is not None:
        log.info("drawing SHAP (Fig. 7) from run %s...", shap_run.info.run_id)
        rid = shap_run.info.run_id
        importance = pd.read_csv(client.download_artifacts(rid, "shap/importance.csv",
                                                           str(tmp / rid)))
        importance.to_csv(out / "shap_importance.csv", index=False)
        name = (f"{tables.human('classifier', shap_run.data.tags.get('classifier'))} + "
                f"{tables.human('sampler', shap_run.data.tags.get('sampler'))}")
        in_grid = any(c.info.run_id == rid for c in children)
        save(plots.shap_bar_figure(importance, TOP, f"Top {TOP} indicators by SHAP, {name}",
                                   score=shap_run.data.tags.get("shap_score", "score")),
             "fig7_shap", f"Fig. 7: top {TOP} indicators by SHAP ({name})",
             f"Run {rid} ({name}, seed {shap_run.data.tags.get('seed', '?')})"
             + ("." if in_grid else ": not a cell of this grid, whose CNN + GAN cell has no "
                                    "SHAP; the latest run of the experiment that has it."))
        if any(a.path == "shap/groups.csv" for a in client.list_artifacts(rid, "shap")):
            groups = pd.read_csv(client.download_artifacts(rid, "shap/groups.csv",
                                                           str(tmp / rid)))
            groups.to_csv(out / "shap_groups.csv", index=False)
            groups_html = groups.round(3).to_html(index=False)
            top_share = f"{shap_run.data.metrics['shap_top20_share']:.0%}"
    shutil.rmtree(tmp, ignore_errors=True)

    quality = tables.quality_table(cells)
    page = _template().render(
        p=header, results=results.html("table2"), paper=tables.paper_table().html("paper"),
        quality=quality.html("quality") if quality is not None else None,
        counts=tables.counts_table(cells).html("counts"), figures=figures,
        groups=groups_html, top_share=top_share)
    index = out / "index.html"
    index.write_text(page)
    if header.smoke:
        log.warning("this grid ran with debug=smoke: the report says its numbers are no "
                    "results")
    log.info("report of %d runs in %s (%d figures, PNG and SVG)", len(children), index,
             len(figures))
    return index


def _template():
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(loader=PackageLoader("bond_default.report", "templates"),
                              autoescape=select_autoescape(["html", "j2"]))
    return environment.get_template("index.html.j2")


def _history(client, run_id: str, metrics) -> list[dict[str, float]]:
    by_epoch: dict[int, dict[str, float]] = {}
    for metric in metrics:
        for point in client.get_metric_history(run_id, metric):
            key = metric.split("_", 1)[1]
            by_epoch.setdefault(point.step, {})[key] = point.value
    return [by_epoch[e] for e in sorted(by_epoch)]


def paper_cell_of(children):
    """The finished cnn + gan run with the lowest seed (Figs. 3-5 show one cell), or None."""
    cells = [r for r in children if r.data.tags.get("classifier") == "cnn"
             and r.data.tags.get("sampler") == "gan" and r.info.status == "FINISHED"]

    def seed(run) -> float:
        try:
            return float(run.data.tags.get("seed", "inf"))
        except ValueError:
            return float("inf")

    return min(cells, key=seed, default=None)


def _shap_run(client, experiment_id: str, preferred):
    candidates = ([preferred] if preferred is not None else []) + list(client.search_runs(
        [experiment_id], "metrics.shap_top20_share > 0", max_results=1,
        order_by=["start_time DESC"]))
    return next((run for run in candidates if "shap_top20_share" in run.data.metrics), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bond_default.report",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default="bond-default")
    parser.add_argument("--tracking-uri", default="sqlite:///mlflow.db")
    parser.add_argument("--sweep", default=None, help="parent run id (default: the latest)")
    parser.add_argument("--out", default="report")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s] - %(message)s")
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    try:
        build(args.experiment, args.tracking_uri, Path(args.out), args.sweep)
    except InputError as err:
        log.error("%s", err)
        return 2
    return 0

