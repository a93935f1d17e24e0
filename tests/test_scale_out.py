"""Grids that stay up: failed cells isolated, resume, determinism, settings checked up front."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from conftest import run_train, runs_in


def _client(cwd):
    import mlflow

    return mlflow.MlflowClient(tracking_uri=f"sqlite:///{cwd / 'mlflow.db'}")


def test_failed_cells_end_failed_with_their_error_and_the_others_go_on(tmp_path):
    # 300 bonds leave ~4 defaulted training rows: too few for SMOTE's 5 neighbours;
    # a learning rate of 1e12 makes the FCNN's loss NaN; the fourth cell is fine.
    done = run_train(["-m", "classifier=fcnn", "sampler=smote,none", "debug=smoke",
                      "data.n_bonds=300", "classifier.estimator.learning_rate=0.001,1e12",
                      "tracking.log_model=false", "explain.enabled=false"], cwd=tmp_path,
                     timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-3000:]
    assert "3 of 4 cells failed" in output
    children = {(r.data.tags["sampler"],
                 r.data.params["classifier.estimator.learning_rate"]): r
                for r in runs_in(tmp_path) if "mlflow.parentRunId" in r.data.tags}
    assert len(children) == 4
    client = _client(tmp_path)
    expected = {("smote", "0.001"): "sampler=smote needs at least 6 defaulted training rows",
                ("smote", "1000000000000.0"): "sampler=smote needs at least 6",
                ("none", "1000000000000.0"): "training diverged at epoch 1"}
    for key, run in children.items():
        if key in expected:
            assert run.info.status == "FAILED", key
            error = client.download_artifacts(run.info.run_id, "error.txt", str(tmp_path))
            assert expected[key] in open(error).read(), key
        else:
            assert run.info.status == "FINISHED", key
            assert 0 <= run.data.metrics["test_roc_auc"] <= 1
    summary = pd.read_csv(next(tmp_path.glob("multirun/*/*/summary.csv")))
    assert sorted(summary["status"]) == ["FAILED", "FAILED", "FAILED", "FINISHED"]
    assert summary.loc[summary["status"] == "FAILED", "error"].notna().all()
    parent = next(r for r in runs_in(tmp_path) if r.data.tags.get("kind") == "multirun")
    assert parent.info.status == "FAILED" and parent.data.metrics["n_failed"] == 3


@pytest.mark.slow  # resume's reuse is also held by test_run_endings.py's kill -9 test
def test_resume_runs_only_the_cells_that_did_not_finish(tmp_path):
    grid = ["-m", "classifier=lr", "debug=smoke", "tracking.log_model=false"]
    first = run_train([*grid, "sampler=none,smote"], cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    before = {r.info.run_id for r in runs_in(tmp_path) if "mlflow.parentRunId" in r.data.tags}
    # a new sampler and a changed setting (another seed) are new cells; the others are reused
    again = run_train([*grid, "sampler=none,smote,borderline", "seed=0,1", "resume=true"],
                      cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    after = [r for r in runs_in(tmp_path) if "mlflow.parentRunId" in r.data.tags]
    new = [r for r in after if r.info.run_id not in before]
    assert len(after) == 6 and sorted((r.data.tags["sampler"], r.data.tags["seed"])
                                      for r in new) == [("borderline", "0"), ("borderline", "1"),
                                                        ("none", "1"), ("smote", "1")]
    summaries = sorted(tmp_path.glob("multirun/*/*/summary.csv"))
    first_table = pd.read_csv(summaries[0]).set_index("sampler")
    resumed = pd.read_csv(summaries[1])
    assert len(resumed) == 6 and (resumed["status"] == "FINISHED").all()
    resumed = resumed[resumed["seed"] == 0].set_index("sampler")
    # the reused cells report the metrics and runs of the first grid
    for sampler in ("none", "smote"):
        assert resumed.loc[sampler, "roc_auc"] == first_table.loc[sampler, "roc_auc"]
        assert resumed.loc[sampler, "run_id"] == first_table.loc[sampler, "run_id"]
    # the report of the resumed grid, from the store alone, holds all its cells
    report = subprocess.run([sys.executable, "-m", "bond_default.report", "--out", "rep"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert report.returncode == 0, report.stderr[-3000:]
    table = pd.read_csv(tmp_path / "rep" / "table2.csv")
    assert sorted(set(table["sampler"])) == ["borderline", "none", "smote"]
    smote = table[table["sampler"] == "smote"]["roc_auc"]
    assert first_table.loc["smote", "roc_auc"] == pytest.approx(smote.iloc[0]) or \
        first_table.loc["smote", "roc_auc"] == pytest.approx(smote.iloc[-1])


def test_the_same_seed_gives_the_same_metrics_and_another_seed_other_ones(tmp_path):
    # a single run and the same seed's cell of a grid (after the grid's seed 1 would reveal
    # state carried over between cells) give the same figures
    def metrics(run) -> dict[str, float]:
        return {k: v for k, v in run.data.metrics.items() if k.startswith(("test_", "sampler_"))}

    common = ["classifier=cnn", "sampler=gan", "debug=smoke", "tracking.log_model=false",
              "explain.enabled=false"]
    for folder, args in (("single", ["seed=0"]), ("grid", ["-m", "seed=1,0"])):
        (tmp_path / folder).mkdir()
        done = run_train([*args, *common], cwd=tmp_path / folder)
        assert done.returncode == 0, done.stderr[-3000:]
    (single,) = runs_in(tmp_path / "single")
    cells = {r.data.params["seed"]: r for r in runs_in(tmp_path / "grid")
             if "mlflow.parentRunId" in r.data.tags}
    assert metrics(single) == metrics(cells["0"])
    assert metrics(single)["test_roc_auc"] != metrics(cells["1"])["test_roc_auc"]


@pytest.mark.parametrize("override, expected", [
    ("ratio.oversample=-1", "ratio.oversample=-1 is invalid: generated defaulted rows per "
                            "defaulted row must be 0 or more"),
    ("split.test_size=1.2", "split.test_size=1.2 is invalid: the test share must lie "
                            "strictly between 0 and 1"),
    ("split.test_size=0", "split.test_size=0 is invalid"),
    ("ratio.majority_per_minority=0.5", "ratio.majority_per_minority=0.5 is invalid: "
                                        "non-defaulted rows kept per defaulted row must be "
                                        "at least 1"),
    ("trainer.max_epochs=0", "trainer.max_epochs=0 is invalid: epochs must be a whole number"),
    ("sampler.max_epochs=0", "sampler.max_epochs=0 is invalid: GAN epochs"),
    ("explain.output=odds", "explain.output=odds is invalid: allowed are log-odds, probability"),
    ("explain.method=kernel", "explain.method=kernel is invalid: allowed are auto, permutation"),
    ("trainer.fit_output_bias=maybe", "trainer.fit_output_bias=maybe is invalid: allowed are "
                                      "True, False"),
    ("tracking.register=true tracking.log_model=false",
     "tracking.register=true registers each run's model, and tracking.log_model=false logs "
     "none"),
])
def test_an_invalid_setting_stops_before_any_data_is_loaded(override, expected, tmp_path):
    # a data path that does not exist: had the data been read, that error would show instead
    done = run_train(["data=file", f"data.path={tmp_path / 'absent.csv'}", *override.split()],
                     cwd=tmp_path, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if "[ERROR]" in line]
    assert len(errors) == 1 and expected in errors[0], output
    assert runs_in(tmp_path) == []


def test_an_unknown_option_lists_the_valid_ones(tmp_path):
    done = run_train(["classifier=xgboost"], cwd=tmp_path, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Could not find 'classifier/xgboost'" in output
    for name in ("cnn", "fcnn", "gbdt", "lr", "svm"):
        assert f"\t{name}\n" in output


def test_the_fingerprint_changes_with_a_setting_the_seed_or_an_edited_data_file(tmp_path):
    import os

    from omegaconf import OmegaConf

    from bond_default.run.resume import config_fingerprint

    data = tmp_path / "bonds.csv"
    data.write_text("default\n0\n")
    cfg = OmegaConf.create({"data": {"path": str(data)}, "seed": 0, "resume": False})
    first = config_fingerprint(cfg)
    assert config_fingerprint(OmegaConf.merge(cfg, {"resume": True})) == first
    # registering the model changes no result
    assert config_fingerprint(OmegaConf.merge(cfg, {"tracking": {"register": False}})) == \
        config_fingerprint(OmegaConf.merge(cfg, {"tracking": {}}))
    assert config_fingerprint(OmegaConf.merge(cfg, {"seed": 1})) != first
    data.write_text("default\n1\n")
    os.utime(data, ns=(1, 1))  # a different modification time whatever the clock's resolution
    assert config_fingerprint(cfg) != first


def test_a_grid_with_an_invalid_shared_setting_stops_before_any_job(tmp_path):
    done = run_train(["-m", "classifier=lr,gbdt", "ratio.oversample=-1"], cwd=tmp_path,
                     timeout=120, fresh_store=True)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "ratio.oversample=-1 is invalid" in output and "Traceback" not in output
    assert not (tmp_path / "mlflow.db").exists()
    assert not list(tmp_path.glob("multirun/*/*/0"))  # no job folder: no cell was launched
