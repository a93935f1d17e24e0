"""The report command rebuilds Table 2 and the paper's figures from the MLflow store alone."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_train


def test_a_seed_grid_is_tracked_as_mlflow_users_expect_and_its_report_is_an_appendix(
        tmp_path, isolated_mlflow):
    done = run_train(["-m", "classifier=cnn,lr", "sampler=gan", "seed=0,1",
                      "debug=smoke", "explain.enabled=true", "debug.explain_rows=50"],
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    sweep = next(tmp_path.glob("multirun/*/*"))
    cells = pd.read_csv(sweep / "summary.csv", dtype={"delong_p": str})
    reference = (cells["classifier"] == "cnn") & (cells["sampler"] == "gan")
    assert cells.loc[reference, "delong_p"].isna().all()
    # p-values to the precision the test supports: "< 0.001", never 1e-193
    assert all(p == "< 0.001" or 0.001 <= float(p) <= 1 for p in cells.loc[~reference,
                                                                          "delong_p"])
    by_seed = pd.read_csv(sweep / "summary_by_seed.csv")
    assert len(by_seed) == 2 and (by_seed["seeds"] == 2).all()
    assert (by_seed["roc_auc_ci_low"] <= by_seed["roc_auc_mean"]).all()

    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    client = mlflow.MlflowClient()
    experiment = client.get_experiment_by_name("bond-default")
    # MLflow 3 opens an experiment of this kind on its training runs, not the GenAI overview
    assert experiment.tags["mlflow.experimentKind"] == "custom_model_development"
    assert "mlflow.note.content" in experiment.tags
    runs = client.search_runs([experiment.experiment_id], "tags.classifier = 'lr'")
    run = runs[0]
    assert not [k for k in run.data.params if "_target_" in k or "_convert_" in k]
    inputs = {i.dataset.name: i for i in run.inputs.dataset_inputs}
    assert set(inputs) == {"synthetic-train", "synthetic-test"}
    train = inputs["synthetic-train"]
    assert {t.key: t.value for t in train.tags}["mlflow.data.context"] == "training"
    assert '"n_bonds": "2000"' in train.dataset.source and train.dataset.digest
    assert int({t.key: t.value for t in train.tags}["rows"]) == run.data.metrics["n_train"]
    # tracking.register=auto: the grid's best cell by test ROC-AUC, saying so
    means = cells.groupby(["classifier", "sampler"])["roc_auc"].mean()
    classifier, sampler = means.idxmax()
    cell = cells[(cells["classifier"] == classifier) & (cells["sampler"] == sampler)]
    name = f"bond-default-{classifier}-{sampler}"
    (version,) = client.search_model_versions(f"name = '{name}'")
    assert version.run_id == cell.loc[cell["roc_auc"].idxmax(), "run_id"]
    assert version.tags["chosen_by"] == "test_roc_auc (mean of 2 seeds)"
    model = mlflow.pyfunc.load_model(f"models:/{name}/{version.version}")
    assert model.metadata.metadata["decision_threshold"] == 0.5
    requirements = (Path(mlflow.artifacts.download_artifacts(
        f"models:/{name}/{version.version}"))
        / "requirements.txt").read_text().split()
    assert "bond-default" not in requirements and all("==" in r for r in requirements)

    for folder in tmp_path.glob("multirun"):  # the report must not need the sweep folder
        shutil.rmtree(folder)
    report = subprocess.run([sys.executable, "-m", "bond_default.report", "--out", "rep"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert report.returncode == 0, report.stderr[-3000:]
    assert "Downloading artifacts" not in report.stderr  # a quiet console
    out = tmp_path / "rep"
    figures = {"fig6_roc", "fig6b_pr", "fig_calibration", "fig3_gan_losses", "fig4_cnn_loss",
               "fig5_confusion", "fig7_shap"}
    expected = {"table2.md", "table2.csv", "table2.html", "table2.tex", "index.html",
                "shap_importance.csv", "shap_groups.csv"}
    expected |= {f"{f}.{s}" for f in figures for s in ("png", "svg")}
    assert expected <= {p.name for p in out.iterdir()}
    table = pd.read_csv(out / "table2.csv")
    assert len(table) == 4 and table["roc_auc"].notna().all()
    paper_row = table[(table["classifier"] == "cnn") & (table["sampler"] == "gan")]
    assert (paper_row["paper_auc_balanced_accuracy"] == 0.9157).all()
    markdown = (out / "table2.md").read_text()
    assert "±" in markdown and "DeLong p" in markdown and "nan" not in markdown
    assert "**" in markdown  # the best value per column is marked
    latex = (out / "table2.tex").read_text()
    assert "\\toprule" in latex and "$\\pm$" in latex and "95\\%" in latex
    page = (out / "index.html").read_text()
    assert all(f'src="{f}.png"' in page for f in figures)
    assert "debug=smoke" in page and 'id="smoke-warning"' in page
    assert "seeds 0, 1" in page and all(r.info.run_id[:8] in page for r in runs)
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


def _latex_with_booktabs() -> bool:
    return bool(shutil.which("kpsewhich") and subprocess.run(
        ["kpsewhich", "booktabs.sty"], capture_output=True, text=True).stdout.strip())


@pytest.mark.skipif(not _latex_with_booktabs(), reason="no LaTeX with booktabs here (.ci/run "
                    "installs texlive-latex-recommended where it can)")
def test_table_2_in_latex_compiles_and_fits_the_text_width_of_a_plain_article(tmp_path):
    from bond_default.report.tables import results_table

    rng = np.random.default_rng(0)
    grid = [(c, s, seed) for c in ("cnn", "fcnn", "svm", "lr") for s in
            ("gan", "smote", "borderline", "none") for seed in range(3)]
    cells = pd.DataFrame(grid, columns=["classifier", "sampler", "seed"]).assign(
        ratio="paper", data="synthetic", status="FINISHED",
        **{m: rng.uniform(0.1, 0.9, len(grid)) for m in
           ("roc_auc", "pr_auc", "balanced_accuracy", "recall", "precision", "f1", "ece")},
        delong_p=rng.uniform(0, 1, len(grid)))
    (tmp_path / "table2.tex").write_text(results_table(cells).latex(
        "Test metrics, mean ± 95% CI over 3 seeds (synthetic_market); DeLong's p & more",
        "tab:table2"))
    (tmp_path / "paper.tex").write_text(
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n"
        "\\begin{document}\n\\input{table2.tex}\n\\end{document}\n")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           "paper.tex"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Overfull \\hbox" not in done.stdout and (tmp_path / "paper.pdf").stat().st_size
