"""Optuna tunes from the Hydra command line: trials in storage and MLflow, resume, workers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, run_train, runs_in

from bond_default.search.space import format_value, parse_space

SMOKE_CNN = ["-m", "hparams_search=cnn", "debug=smoke", "tracking.log_model=false",
             "explain.enabled=false"]


def _trials(db: Path) -> list[tuple[int, str, float | None]]:
    """(number, state, value) of every trial in an Optuna SQLite storage."""
    with sqlite3.connect(db) as con:
        return con.execute(
            "SELECT t.number, t.state, v.value FROM trials t LEFT JOIN trial_values v "
            "ON v.trial_id = t.trial_id ORDER BY t.number").fetchall()


def test_sweep_syntax_becomes_optuna_distributions():
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    space = {d.key: d.distribution for d in parse_space({
        "a": "tag(log, interval(1e-4, 1e-2))", "b": "int(interval(1, 4))",
        "c": "choice(16, 32)", "d": "choice([64,64], [128])", "e": "range(1, 4)",
        "f": "interval(0.0, 0.5)"})}
    assert space["a"] == FloatDistribution(1e-4, 1e-2, log=True)
    assert space["b"] == IntDistribution(1, 4)
    assert space["c"] == CategoricalDistribution([16, 32])
    assert space["d"] == CategoricalDistribution(["[64,64]", "[128]"])
    assert space["e"] == IntDistribution(1, 3)  # Hydra's range excludes its stop
    assert space["f"] == FloatDistribution(0.0, 0.5)
    assert format_value([16, [1, 2]]) == "[16,[1,2]]" and format_value(True) == "true"
    with pytest.raises(ValueError, match="single value"):
        parse_space({"a": "3"})


def test_two_trial_study_lands_in_storage_and_mlflow_and_its_best_config_reruns(tmp_path):
    with_model = [a for a in SMOKE_CNN if not a.startswith("tracking.log_model")]
    done = run_train([*with_model, "hydra.sweeper.n_trials=2"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    sweep = tmp_path / "multirun" / "search" / "cnn"
    trials = _trials(sweep / "optuna.db")
    assert [t[0] for t in trials] == [0, 1]
    assert all(state in ("COMPLETE", "PRUNED") for _, state, _ in trials)

    runs = runs_in(tmp_path)
    (parent,) = [r for r in runs if r.data.tags.get("kind") == "study"]
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    trial_runs = [r for r in children if r.data.tags.get("kind") == "trial"]
    assert sorted(r.data.tags["trial"] for r in trial_runs) == ["0", "1"]
    refit = [r for r in children if r.data.tags.get("kind") == "best_refit"]
    assert len(refit) == 1 and "test_roc_auc" in refit[0].data.metrics
    for run in trial_runs:
        assert "cv_roc_auc_mean" in run.data.metrics
        assert run.data.tags["state"] in ("COMPLETE", "PRUNED")
        assert "classifier.estimator.learning_rate" in run.data.params
        # the trial's GAN takes the year-level columns from a real year, as the refit's does
        assert run.data.tags["year_level_columns"] == refit[0].data.tags["year_level_columns"]
        assert "pmi_yoy" in run.data.tags["year_level_columns"]
        assert run.data.metrics["sampler_year_consistency"] == 1.0
    assert parent.info.status == "FINISHED"
    assert "best_cv_roc_auc" in parent.data.metrics
    import mlflow  # tracking.register=auto: the refit's model, chosen by the study

    registry = mlflow.MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    (version,) = registry.search_model_versions("name = 'bond-default-cnn-gan'")
    assert version.run_id == refit[0].info.run_id and version.tags["chosen_by"] == "cv_roc_auc"
    assert float(version.tags["chosen_value"]) == pytest.approx(
        parent.data.metrics["best_cv_roc_auc"], rel=1e-5)

    best = (sweep / "best.yaml").read_text()
    best_trial = max((t for t in trials if t[1] == "COMPLETE"), key=lambda t: t[2])
    assert f"trial {best_trial[0]}," in best
    assert "python train.py --config-dir" in best
    again = tmp_path / "again"
    again.mkdir()
    rerun = run_train(["--config-dir", str(sweep), "--config-name", "best",
                       "tracking.log_model=false", "explain.enabled=false"], cwd=again)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    (run,) = runs_in(again)
    best_params = {k: v for k, v in trial_runs[0].data.params.items()}  # keys to compare
    searched = [k for k in best_params if not k.startswith("config.")]
    winner = next(r for r in trial_runs if r.data.tags["trial"] == str(best_trial[0]))
    for key in searched:
        logged = run.data.params[key]
        assert logged.replace(" ", "") == winner.data.params[key].replace(" ", ""), key
    assert run.data.metrics["test_roc_auc"] == pytest.approx(refit[0].data.metrics[
        "test_roc_auc"])


def _default_sigint() -> None:
    # A job started in the background by a non-interactive shell (CI) inherits an ignored
    # SIGINT, and Python then never turns Ctrl-C into KeyboardInterrupt: restore it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _worker(cwd: Path, args: list[str]) -> subprocess.Popen:
    env = dict(os.environ, HYDRA_FULL_ERROR="0", PYTHONWARNINGS="ignore", OMP_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, str(REPO / "train.py"), *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=_default_sigint)


def test_two_workers_share_one_study_without_losing_or_duplicating_trials(tmp_path):
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    common = ["-m", "hparams_search=gbdt", "debug=smoke", "tracking.log_model=false",
              f"hydra.sweeper.storage={storage}", "hydra.sweeper.refit=false"]
    workers = [_worker(tmp_path / name, [*common, "hydra.sweeper.n_trials=3",
                                         f"hydra.sweeper.seed={seed}"])
               for name, seed in (("a", 1), ("b", 2)) if (tmp_path / name).mkdir() is None]
    outputs = [w.communicate(timeout=600)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs[0][-2000:] + outputs[1][-2000:]
    trials = _trials(tmp_path / "shared.db")
    assert [t[0] for t in trials] == list(range(6))
    assert all(state in ("COMPLETE", "PRUNED") for _, state, _ in trials)


SMOKE_GBDT = ["-m", "hparams_search=gbdt", "debug=smoke", "tracking.log_model=false"]


def test_an_interrupted_study_resumes_with_the_same_command(tmp_path):
    # gbdt trials (a second each): what is tested is the sweeper's, whatever the model (a
    # signal during a Lightning fit: test_run_endings.py)
    db = tmp_path / "multirun" / "search" / "gbdt" / "optuna.db"
    first = _worker(tmp_path, [*SMOKE_GBDT, "hydra.sweeper.n_trials=200"])
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if db.exists() and sum(s == "COMPLETE" for _, s, _ in _trials(db)) >= 2:
                break
        except sqlite3.OperationalError:  # the storage is being created
            pass
        time.sleep(0.5)
    first.send_signal(signal.SIGINT)
    first.communicate(timeout=120)
    before = _trials(db)
    kept = [t for t in before if t[1] == "COMPLETE"]
    assert 2 <= len(kept) and len(before) < 200
    assert "RUNNING" not in {state for _, state, _ in before}  # the interrupted one: FAIL

    done = run_train([*SMOKE_GBDT, "hydra.sweeper.n_trials=1"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    after = _trials(db)
    assert len(after) == len(before) + 1
    assert set(kept) <= set(after)  # earlier trials kept, with their values


@pytest.mark.parametrize("search", ["cnn", "fcnn", "tabm", "gbdt"])
def test_every_search_space_names_settings_its_classifier_has(search):
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    with initialize_config_dir(version_base="1.3", config_dir=str(REPO / "conf")):
        cfg = compose("train", overrides=[f"hparams_search={search}"], return_hydra_config=True)
    params = OmegaConf.to_container(cfg.hydra.sweeper.params, resolve=True)
    assert parse_space(params)  # every dimension is valid sweep syntax
    for key in params:
        assert OmegaConf.select(cfg, key, default="absent") != "absent", key
