"""How runs end, through the real commands: MLflow's state, the exit status and the summary
agree. A tracking store that is away fails fast, before any data is read; two grids started at
the same moment never share a sweep folder or a parent run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, run_train, runs_in

SMOKE = ["debug=smoke", "classifier=lr", "tracking.log_model=false", "explain.enabled=false"]
DOWN = "http://127.0.0.1:1"  # nothing listens on port 1


def _one_error(done, *words: str) -> str:
    output = done.stdout + done.stderr
    errors = [line for line in output.splitlines() if "[ERROR]" in line or
              ("[HYDRA]" in line and "cannot be reached" in line)]
    assert len(errors) == 1, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    for word in words:
        assert word in errors[0], errors[0]
    return output


def test_a_tracking_server_that_is_down_fails_with_one_sentence_before_any_data(tmp_path):
    expected = f"the MLflow tracking server {DOWN} cannot be reached"
    single = run_train([*SMOKE, "sampler=none", f"tracking.uri={DOWN}"], cwd=tmp_path,
                       timeout=120)
    assert single.returncode == 2
    output = _one_error(single, expected)
    assert "rows" not in output  # the data was not loaded

    grid = run_train(["-m", *SMOKE, "sampler=none,smote", f"tracking.uri={DOWN}"],
                     cwd=tmp_path, timeout=120)
    assert grid.returncode == 2
    _one_error(grid, expected)
    assert not (tmp_path / "multirun").exists()  # no job started

    scored = subprocess.run([sys.executable, "-m", "bond_default.score", "0" * 32, "x.csv",
                             "--tracking-uri", DOWN], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert scored.returncode == 2
    _one_error(scored, expected)


def test_an_sqlite_store_in_a_missing_folder_is_refused_before_any_data(tmp_path):
    done = run_train([*SMOKE, "sampler=none", "tracking.uri=sqlite:///no/such/folder/m.db"],
                     cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    _one_error(done, "tracking.uri=sqlite:///no/such/folder/m.db: the folder no/such/folder "
                     "does not exist")


# slow: two grids at once (about 45 s); every grid claims its folder the same way
@pytest.mark.slow
def test_two_grids_started_at_the_same_moment_get_their_own_folder_and_parent(tmp_path):
    # the store exists first: what is tested is the folders and parents, not the SQLite
    # creation race that run.tracking.use_experiment retries
    from bond_default.run.tracking import use_experiment

    use_experiment(f"sqlite:///{tmp_path / 'mlflow.db'}", "bond-default")
    # the same sweep folder for both, as two grids started in the same second resolve it
    grids = {sampler: subprocess.Popen(
        [sys.executable, str(REPO / "train.py"), "-m", *SMOKE, f"sampler=none,{sampler}",
         "hydra.sweep.dir=multirun/same"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True) for sampler in ("smote", "borderline")}
    for grid in grids.values():
        output, _ = grid.communicate(timeout=300)
        assert grid.returncode == 0, output[-3000:]
    folders = sorted(p.name for p in (tmp_path / "multirun").iterdir())
    assert folders == ["same", "same-2"]
    samplers = {frozenset(pd.read_csv(tmp_path / "multirun" / f / "summary.csv")["sampler"])
                for f in folders}
    assert samplers == {frozenset({"none", "smote"}), frozenset({"none", "borderline"})}
    runs = runs_in(tmp_path)
    assert not [r for r in runs if r.info.status != "FINISHED"]
    parents = [r for r in runs if r.data.tags.get("kind") == "multirun"]
    assert len(parents) == 2
    for parent in parents:
        children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
        folder = parent.data.tags["sweep_dir"]
        expected = pd.read_csv(f"{folder}/summary.csv")["sampler"].tolist()
        assert sorted(r.data.tags["sampler"] for r in children) == sorted(expected)


# -- signals, kill -9 and a full store ------------------------------------------------------

GAN_FOREVER = ["sampler.max_epochs=100000"]


def _start(args: list[str], cwd) -> subprocess.Popen:
    import shutil

    from conftest import _empty_store

    if not (Path(cwd) / "mlflow.db").exists():  # as run_train: the schema made once
        shutil.copyfile(_empty_store(), Path(cwd) / "mlflow.db")
    return subprocess.Popen([sys.executable, str(REPO / "train.py"), *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _signal_during_the_gan_fit(process: subprocess.Popen, signum: int) -> str:
    """Wait until the GAN trains, send ``signum``; the whole output once the process ended."""
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "GAN: training on" in line:
            import time

            time.sleep(1)  # well inside the fit
            os.killpg(process.pid, signum) if signum == signal.SIGKILL else \
                process.send_signal(signum)
            break
    rest, _ = process.communicate(timeout=180)
    return "".join(lines) + rest


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_the_gan_fit_ends_the_single_run_killed(signum, tmp_path):
    process = _start([*SMOKE, "sampler=gan", *GAN_FOREVER], tmp_path)
    output = _signal_during_the_gan_fit(process, signum)
    assert process.returncode == 128 + signum, output[-3000:]
    name = signal.Signals(signum).name
    assert f"interrupted by {name} during lr-gan-paper-s0; its MLflow run ends KILLED" in output
    assert "Traceback" not in output
    (run,) = runs_in(tmp_path)
    assert run.info.status == "KILLED"
    assert run.data.tags["end_reason"] == f"interrupted by {name}"


# Each signal and each launcher once (SIGTERM of a basic grid's cell takes the single run's
# path, tested above, then the grid's ending, tested here with SIGINT).
@pytest.mark.parametrize("signum, launcher", [
    (signal.SIGINT, []),
    (signal.SIGTERM, ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"])],
    ids=["SIGINT", "SIGTERM-joblib"])
def test_a_signal_during_a_grid_keeps_what_finished_and_ends_every_run(signum, launcher,
                                                                      tmp_path):
    process = _start(["-m", *SMOKE, "sampler=none,gan", "debug.gan_epochs=100000", *launcher],
                     tmp_path)
    output = _signal_during_the_gan_fit(process, signum)
    assert process.returncode == 128 + signum, output[-3000:]
    name = signal.Signals(signum).name
    during = "" if launcher else " during lr-gan-paper-s0"  # joblib: the cell is a worker's
    assert (f"interrupted by {name}{during}; 1 cell(s) of this grid finished; rerun with "
            "resume=true to finish the grid") in output
    summary = pd.read_csv(next(tmp_path.glob("multirun/*/*/summary.csv")))
    assert summary[["sampler", "status"]].values.tolist() == [["none", "FINISHED"],
                                                                ["gan", "KILLED"]]
    runs = runs_in(tmp_path)
    assert sorted(r.info.status for r in runs) == ["FINISHED", "KILLED", "KILLED"]
    (parent,) = [r for r in runs if r.data.tags.get("kind") == "multirun"]
    assert parent.info.status == "KILLED"


def test_kill_9_of_a_grid_then_resume_ends_the_orphans_and_finishes_the_grid(tmp_path):
    # enough GAN epochs (seconds) to be killed inside the fit; the resume trains them again
    grid = ["-m", *SMOKE, "sampler=none,gan", "debug.gan_epochs=800"]
    process = _start(grid, tmp_path)
    _signal_during_the_gan_fit(process, signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    left = runs_in(tmp_path)
    assert sorted(r.info.status for r in left) == ["FINISHED", "RUNNING", "RUNNING"]
    finished_before = next(r.info.run_id for r in left if r.info.status == "FINISHED")

    again = run_train([*grid, "resume=true"], cwd=tmp_path, timeout=300)
    assert again.returncode == 0, (again.stdout + again.stderr)[-3000:]
    runs = {r.info.run_id: r for r in runs_in(tmp_path)}
    assert not [r for r in runs.values() if r.info.status == "RUNNING"]
    orphans = [r for r in runs.values() if r.data.tags.get("end_reason") == "process gone"]
    assert sorted(r.info.status for r in orphans) == ["FAILED", "FAILED"]  # cell and parent
    assert runs[finished_before].info.status == "FINISHED"  # reused, not lost or rerun
    summary = pd.read_csv(sorted(tmp_path.glob("multirun/*/*/summary.csv"))[-1])
    assert summary["status"].tolist() == ["FINISHED", "FINISHED"]


def test_a_full_artifact_store_fails_the_grid_and_ends_every_run(tmp_path):
    store = tmp_path / "mlruns"
    store.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(store)],
                             capture_output=True).returncode == 0
    if not mounted:  # no mounting here: an artifact folder that cannot be a folder
        store.rmdir()
        store.write_text("not a folder")
    try:
        done = run_train(["-m", *SMOKE, "sampler=none,smote"], cwd=tmp_path, timeout=300)
    finally:
        if mounted:
            subprocess.run(["umount", str(store)], check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-3000:]
    runs = runs_in(tmp_path)
    assert runs and not [r for r in runs if r.info.status == "RUNNING"]
    (parent,) = [r for r in runs if r.data.tags.get("kind") == "multirun"]
    assert parent.info.status == "FAILED"
    summary = pd.read_csv(next(tmp_path.glob("multirun/*/*/summary.csv")))
    assert summary["status"].tolist() == ["FAILED", "FAILED"]


def test_optuna_trials_left_running_by_a_gone_sweeper_fail_before_the_study_resumes():
    import optuna
    from optuna.trial import TrialState

    from bond_default.run.lifecycle import PROCESS_TAG, process_tag
    from hydra_plugins.bond_default_sweeper.optuna_sweeper import _fail_orphaned_trials

    study = optuna.create_study(direction="maximize")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    orphan, alive = study.ask(), study.ask()
    orphan.set_user_attr(PROCESS_TAG, f"{process_tag().split(':')[0]}:{gone}:1")
    alive.set_user_attr(PROCESS_TAG, process_tag())  # another worker of the study, still up
    study.tell(study.ask(), 0.8)
    _fail_orphaned_trials(study)
    states = [t.state for t in study.get_trials(deepcopy=False)]
    assert states == [TrialState.FAIL, TrialState.RUNNING, TrialState.COMPLETE]
