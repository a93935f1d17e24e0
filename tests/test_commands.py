"""The real commands on tiny settings: a tracked grid, its summary, file data, out-of-time."""

from __future__ import annotations

import math

import pandas as pd
from conftest import run_train, runs_in

from bond_default.evaluate.metrics import METRIC_NAMES

TEST_METRICS = {f"test_{name}" for name in METRIC_NAMES}
COUNTS = {"n_train", "n_train_defaulted", "n_test", "n_test_defaulted", "n_fit",
          "n_fit_defaulted"}


def test_smoke_grid_gives_four_tracked_cells_a_parent_and_a_summary(tmp_path):
    done = run_train(["-m", "classifier=lr,gbdt", "sampler=none,smote",
                      "debug=smoke"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    runs = runs_in(tmp_path)
    parents = [r for r in runs if r.data.tags.get("kind") == "multirun"]
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert len(parents) == 1 and parents[0].info.status == "FINISHED"
    assert len(children) == 4
    for run in children:
        assert run.info.status == "FINISHED"
        assert run.data.tags["mlflow.parentRunId"] == parents[0].info.run_id
        assert TEST_METRICS | COUNTS <= set(run.data.metrics)
        assert {"classifier", "sampler", "ratio", "dataset", "seed"} <= set(run.data.tags)
    cells = {(r.data.tags["classifier"], r.data.tags["sampler"]) for r in children}
    assert len(cells) == 4
    none_run = next(r for r in children if r.data.tags["sampler"] == "none")
    assert none_run.data.metrics["n_fit"] == none_run.data.metrics["n_train"]
    smote_run = next(r for r in children if r.data.tags["sampler"] == "smote")
    m = smote_run.data.metrics
    assert m["n_fit_defaulted"] == math.floor(3.5 * m["n_train_defaulted"] + 0.5)
    assert m["n_fit"] - m["n_fit_defaulted"] == 10 * m["n_fit_defaulted"]

    sweep = next(tmp_path.glob("multirun/*/*/summary.csv")).parent
    summary = pd.read_csv(sweep / "summary.csv")
    assert len(summary) == 4 and (summary["status"] == "FINISHED").all()
    assert (sweep / "summary.md").read_text().count("\n") == 6
    assert (sweep / "roc.png").stat().st_size > 10_000
    assert "| classifier" in done.stderr + done.stdout

    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    parent_files = {f.path for f in client.list_artifacts(parents[0].info.run_id)}
    assert {"summary.csv", "summary.md", "roc.png"} <= parent_files
    child_files = {f.path for f in client.list_artifacts(children[0].info.run_id)}
    assert {"config.yaml", "predictions.csv", "data", "plots"} <= child_files
    drivers = client.download_artifacts(children[0].info.run_id, "data/true_drivers.csv",
                                        str(tmp_path))
    assert pd.read_csv(drivers).columns.tolist() == ["indicator"]
    plots = {f.path for f in client.list_artifacts(children[0].info.run_id, "plots")}
    assert plots == {"plots/confusion_matrix.png", "plots/roc.png", "plots/pr.png",
                     "plots/calibration.png"}


def test_polish_benchmark_runs_with_imputation(tmp_path, polish_path):
    # lr, which cannot take a gap, before and after SMOTE, which cannot either
    done = run_train(["-m", "data=polish", f"data.path={polish_path}", "classifier=lr",
                      "sampler=none,smote", "tracking.log_model=false", "explain.enabled=false"],
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    children = [r for r in runs_in(tmp_path) if "mlflow.parentRunId" in r.data.tags]
    assert len(children) == 2 and {r.info.status for r in children} == {"FINISHED"}
    for run in children:
        assert run.data.tags["dataset"] == "polish"
        # all 7,027 companies are kept: gaps are imputed, not dropped
        assert run.data.metrics["n_train"] + run.data.metrics["n_test"] == 7027
        assert run.data.metrics["test_roc_auc"] > 0.7


def test_out_of_time_split_tests_on_later_years(tmp_path):
    done = run_train(["debug=smoke", "split=out_of_time", "classifier=lr", "sampler=none",
                      "tracking.log_model=false"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    (run,) = runs_in(tmp_path)
    assert run.data.params["split.test_from_year"] == "2020"
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    path = client.download_artifacts(run.info.run_id, "predictions.csv", str(tmp_path))
    assert len(pd.read_csv(path)) == run.data.metrics["n_test"]


def test_single_run_logs_the_model_and_it_predicts_default_probabilities(tmp_path):
    done = run_train(["debug=smoke", "classifier=gbdt", "sampler=smote"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    (run,) = runs_in(tmp_path)
    import mlflow

    from bond_default.data.synthetic import generate_market

    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    model = mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    frame, _ = generate_market(n_bonds=300, seed=9)
    # the model's signature declares every indicator a double (gaps stay representable)
    rows = frame.dropna().drop(columns=["default", "year"]).astype("float64")
    probabilities = model.predict(rows)
    assert probabilities.shape == (len(rows),)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    pipeline = model.unwrap_python_model().pipeline
    assert list(pipeline.named_steps) == ["preprocess", "oversample", "undersample", "count",
                                          "classifier"]


def test_a_grid_of_every_paper_sampler_runs_in_two_parallel_jobs_and_loses_nothing(tmp_path):
    # two joblib workers write into one new SQLite store: created once before they start.
    # The paper's four samplers with a network and a linear model (fcnn and svm add time,
    # not claims: the full 16-cell grid is bench/paper_grid.py's)
    done = run_train(["-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
                      "classifier=cnn,lr", "sampler=gan,smote,borderline,none",
                      "debug=smoke", "tracking.log_model=false", "explain.enabled=false"],
                     cwd=tmp_path, fresh_store=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "database is locked" not in done.stdout + done.stderr
    summary = pd.read_csv(next(tmp_path.glob("multirun/*/*/summary.csv")))
    assert len(summary) == 8 and (summary["status"] == "FINISHED").all()
    runs = runs_in(tmp_path)
    assert len(runs) == 9 and all(r.info.status == "FINISHED" for r in runs)
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert len({(r.data.tags["classifier"], r.data.tags["sampler"]) for r in children}) == 8
    gan = [r for r in children if r.data.tags["sampler"] == "gan"]
    assert len(gan) == 2
    for run in gan:
        assert {"oversample_generator_loss", "oversample_discriminator_loss"} <= set(
            run.data.metrics)
    for run in children:  # every over-sampler's generated rows are judged, the same way
        if run.data.tags["sampler"] != "none":
            assert {"sampler_c2st_auc", "sampler_ks_mean", "sampler_memorized_share",
                    "sampler_memorized_share_real", "sampler_spread_ratio",
                    "sampler_year_consistency"} <= set(
                        run.data.metrics), run.data.tags["sampler"]
            consistency = run.data.metrics["sampler_year_consistency"]
            assert consistency == 1.0 if run.data.tags["sampler"] == "gan" else \
                consistency < 1.0
            assert "macro_prosperity_index" in run.data.tags["year_level_columns"]
            # the GAN takes real rows' discrete and year-level values, SMOTE takes none
            assert ("sampler_copied_unique_share" in run.data.metrics) == (
                run.data.tags["sampler"] == "gan")
            # its discrete columns come as a real row's combination, so every pair is real
            pairs = run.data.metrics["sampler_pair_consistency"]
            assert pairs == 1.0 if run.data.tags["sampler"] == "gan" else 0.0 <= pairs <= 1.0
    cnn = next(r for r in children if r.data.tags["classifier"] == "cnn")
    assert "classifier_train_loss" in cnn.data.metrics


def test_tabm_trains_stops_early_streams_its_curves_and_explains_itself(tmp_path):
    done = run_train(["debug=smoke", "classifier=tabm", "sampler=gan", "trainer.max_epochs=3",
                      "classifier.estimator.k=4", "classifier.estimator.d_block=32"],
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stdout + done.stderr
    assert "TabMClassifier: training on" in log and "validated on" in log
    (run,) = runs_in(tmp_path)
    assert run.info.status == "FINISHED"
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    curve = client.get_metric_history(run.info.run_id, "classifier_val_roc_auc")
    assert [m.step for m in curve] == list(range(1, int(run.data.metrics["epochs_trained"]) + 1))
    assert run.data.metrics["n_validation"] > 0 and run.data.metrics["best_epoch"] >= 1
    # stopped early, its output bias was moved to the optimum, and the run says by how much
    assert "output bias fitted on the" in log and "output_logit_offset" in run.data.metrics
    # validation rows: a fifth of the real training rows, cut before the GAN adds any
    assert abs(run.data.metrics["n_validation"] - 0.2 * run.data.metrics["n_train"]) <= 1
    assert run.data.tags["shap_explainer"].startswith("Gradient")
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "plots")}
    assert "plots/classifier_losses.png" in artifacts
