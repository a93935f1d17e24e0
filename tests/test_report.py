"""The report command rebuilds Table 2 and the paper's figures from the MLflow store alone."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from conftest import run_train


def test_report_rebuilds_every_table_and_figure_from_the_store(tmp_path):
    done = run_train(["-m", "classifier=cnn,lr", "sampler=gan,none", "debug=smoke",
                      "explain.enabled=true", "debug.explain_rows=50",
                      "tracking.log_model=false"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    for folder in tmp_path.glob("multirun"):  # the report must not need the sweep folder
        import shutil

        shutil.rmtree(folder)
    report = subprocess.run([sys.executable, "-m", "bond_default.report", "--out", "rep"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert report.returncode == 0, report.stderr[-3000:]
    out = tmp_path / "rep"
    expected = {"table2.md", "table2.csv", "table2.html", "fig6_roc.png", "fig3_gan_losses.png",
                "fig4_cnn_loss.png", "fig5_confusion.png", "fig7_shap.png", "index.html",
                "shap_importance.csv", "shap_groups.csv"}
    assert expected <= {p.name for p in out.iterdir()}
    table = pd.read_csv(out / "table2.csv")
    assert len(table) == 4 and table["roc_auc"].notna().all()
    paper_row = table[(table["classifier"] == "cnn") & (table["sampler"] == "gan")]
    assert paper_row["paper_auc_balanced_accuracy"].item() == 0.9157
    page = (out / "index.html").read_text()
    assert all(f"src='{name}'" in page for name in expected if name.startswith("fig"))
    groups = pd.read_csv(out / "shap_groups.csv")
    assert groups["share_of_total"].sum() == pytest.approx(1.0)
    assert groups["in_top20"].sum() == 20 and "macroeconomic_environment" in set(groups["group"])
    assert "SHAP by indicator group" in page and "here the top 20 hold" in page

    empty = subprocess.run([sys.executable, "-m", "bond_default.report", "--experiment",
                            "nothing"], cwd=tmp_path, capture_output=True, text=True)
    assert empty.returncode == 2 and "no experiment 'nothing'" in empty.stderr


def test_a_loss_figure_of_one_epoch_shows_its_point_on_whole_epochs():
    from bond_default.evaluate import plots

    ax = plots.losses_figure([{"train_loss": 0.36}], "one epoch (debug=smoke)").axes[0]
    assert ax.lines[0].get_marker() == "o"  # a line through one point alone draws nothing
    assert list(ax.get_xticks()) == [1]
    ax = plots.losses_figure([{"train_loss": 1 / e} for e in range(1, 101)], "100").axes[0]
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_figures_3_to_5_come_from_the_finished_cnn_gan_cell_with_the_lowest_seed():
    from types import SimpleNamespace

    from bond_default.report.build import paper_cell_of

    def run(classifier, sampler, seed, status="FINISHED"):
        return SimpleNamespace(info=SimpleNamespace(status=status, run_id=f"{sampler}{seed}"),
                               data=SimpleNamespace(tags={"classifier": classifier,
                                                          "sampler": sampler, "seed": seed}))

    children = [run("cnn", "gan", "3"), run("lr", "gan", "0"), run("cnn", "gan", "1"),
                run("cnn", "gan", "0", status="FAILED"), run("cnn", "none", "0"),
                run("cnn", "gan", "2")]
    assert paper_cell_of(children).info.run_id == "gan1"
    assert paper_cell_of([run("cnn", "none", "0")]) is None
