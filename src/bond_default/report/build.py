"""Rebuild a multirun's tables and the paper's figures from the MLflow store alone.

    python -m bond_default.report [--experiment bond-default] [--sweep RUN_ID] [--out report]

Takes the latest multirun (or ``--sweep``, a parent run id) of the experiment and writes into
one folder: Table 2 (``table2.md``, ``table2.csv``, ``table2.html``) with the paper's
published Table 2 beside it, the ROC overlay (Fig. 6), the GAN losses (Fig. 3), the CNN loss
(Fig. 4), the confusion matrix (Fig. 5) and SHAP (Fig. 7) of the cnn + gan cell (SHAP from
the latest run of the experiment that has it when the cell has none) with its shares by
indicator group (``shap_groups.csv``), and ``index.html``.
"""

from __future__ import annotations

import argparse
import html
import logging
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from bond_default.errors import InputError

log = logging.getLogger("bond_default.report")

METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc", "balanced_accuracy", "pr_auc")


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


def table_2(children) -> pd.DataFrame:
    """Test metrics of every cell beside the paper's Table 2."""
    from bond_default.report.paper import table_2 as paper

    rows = [{"classifier": r.data.tags.get("classifier"), "sampler": r.data.tags.get("sampler"),
             "seed": r.data.tags.get("seed"), "status": r.info.status,
             **{m: r.data.metrics.get(f"test_{m}") for m in METRICS}} for r in children]
    return pd.DataFrame(rows).merge(paper(), on=["classifier", "sampler"], how="left")


def build(experiment: str, tracking_uri: str, out: Path, sweep: str | None = None) -> Path:
    """Write every table and figure into ``out``; the path of ``index.html``."""
    import mlflow

    from bond_default.evaluate import plots
    from bond_default.evaluate.explain import TOP

    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    found = client.get_experiment_by_name(experiment)
    if found is None:
        raise InputError(f"no experiment {experiment!r} in {tracking_uri}")
    parent = _sweep(client, found.experiment_id, sweep)
    children = _children(client, found.experiment_id, parent.info.run_id)
    if not children:
        raise InputError(f"the multirun {parent.info.run_id} has no cells")
    out.mkdir(parents=True, exist_ok=True)
    figures: dict[str, str] = {}
    groups_html = None

    table = table_2(children)
    table.to_csv(out / "table2.csv", index=False)
    shown = table.drop(columns=["status"]).round(4)
    (out / "table2.md").write_text(shown.to_markdown(index=False) + "\n")
    (out / "table2.html").write_text(shown.to_html(index=False, na_rep=""))

    tmp = Path(tempfile.mkdtemp(prefix="report_"))
    curves = {}
    for run in children:
        if run.info.status != "FINISHED":
            continue
        path = client.download_artifacts(run.info.run_id, "predictions.csv", str(tmp))
        frame = pd.read_csv(path)
        label = f"{run.data.tags.get('classifier')} + {run.data.tags.get('sampler')}"
        if len({r.data.tags.get("seed") for r in children}) > 1:
            label += f" s{run.data.tags.get('seed')}"
        curves[label] = (frame["y_true"].to_numpy(), frame["score"].to_numpy())
    if curves:
        figures["fig6_roc.png"] = "Fig. 6: ROC of every cell"
        _save(plots.roc_figure(curves, "ROC of every cell (test split)"), out / "fig6_roc.png")

    paper_cell = paper_cell_of(children)
    if paper_cell is not None:
        rid = paper_cell.info.run_id
        cell = f"cnn + gan, seed {paper_cell.data.tags.get('seed', '?')}"
        for metric, file, caption in (
                (("oversample_generator_loss", "oversample_discriminator_loss"),
                 "fig3_gan_losses.png", f"Fig. 3: GAN losses per epoch ({cell})"),
                (("classifier_train_loss",), "fig4_cnn_loss.png",
                 f"Fig. 4: CNN training loss per epoch ({cell})")):
            history = _history(client, rid, metric)
            if history:
                figures[file] = caption
                _save(plots.losses_figure(history, caption), out / file)
        m = paper_cell.data.metrics
        if all(f"test_{k}" in m for k in ("tp", "fp", "fn", "tn")):
            figures["fig5_confusion.png"] = f"Fig. 5: confusion matrix ({cell})"
            _save(plots.confusion_figure(*(int(m[f"test_{k}"]) for k in ("tp", "fp", "fn", "tn")),
                                         f"Confusion matrix, {cell} (test split)"),
                  out / "fig5_confusion.png")

    shap_run = _shap_run(client, found.experiment_id, paper_cell)
    if shap_run is not None:
        path = client.download_artifacts(shap_run.info.run_id, "shap/importance.csv", str(tmp))
        importance = pd.read_csv(path)
        importance.to_csv(out / "shap_importance.csv", index=False)
        name = (f"{shap_run.data.tags.get('classifier')} + {shap_run.data.tags.get('sampler')}")
        figures["fig7_shap.png"] = f"Fig. 7: top {TOP} indicators by SHAP ({name})"
        _save(plots.shap_bar_figure(importance, TOP, f"Top {TOP} indicators by SHAP, {name}",
                                    score=shap_run.data.tags.get("shap_score", "score")),
              out / "fig7_shap.png")
        if any(a.path == "shap/groups.csv"
               for a in client.list_artifacts(shap_run.info.run_id, "shap")):
            groups = pd.read_csv(client.download_artifacts(shap_run.info.run_id,
                                                           "shap/groups.csv", str(tmp)))
            groups.to_csv(out / "shap_groups.csv", index=False)
            groups_html = groups.round(3).to_html(index=False)
    shutil.rmtree(tmp, ignore_errors=True)

    page = [f"<html><head><meta charset='utf-8'><title>{html.escape(experiment)}</title></head>",
            "<body style='font-family: sans-serif'>",
            f"<h1>{html.escape(experiment)}: {html.escape(parent.info.run_name or '')}</h1>",
            "<h2>Table 2 (test split), beside the paper's published Table 2</h2>",
            "<p>The paper's 'AUC' is balanced accuracy at its threshold: compare it with "
            "balanced_accuracy, not roc_auc.</p>", (out / "table2.html").read_text()]
    for file, caption in figures.items():
        page += [f"<h2>{html.escape(caption)}</h2>", f"<img src='{file}' style='max-width:800px'>"]
    if groups_html is not None:
        page += ["<h2>SHAP by indicator group (the same run as Fig. 7)</h2>",
                 "<p>Share of the total mean |SHAP| per group and how many of the group's "
                 "indicators are in the top 20; here the top 20 hold "
                 f"{shap_run.data.metrics['shap_top20_share']:.0%} (the paper: over 80%). Most "
                 "macroeconomic indicators take one value per year, so a model may spread the "
                 "year's effect over any of them: read their group's share rather than their "
                 "ranks.</p>",
                 groups_html]
    page.append("</body></html>")
    index = out / "index.html"
    index.write_text("\n".join(page))
    log.info("report of %d cells in %s (%d figures)", len(children), index, len(figures))
    return index


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


def _save(fig, path: Path) -> None:
    from bond_default.evaluate import plots

    fig.savefig(path, dpi=120)
    plots.close(fig)


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

