"""How runs end, through the real commands: MLflow's state, the exit status and the summary
agree. A tracking store that is away fails fast, before any data is read; two grids started at
the same moment never share a sweep folder or a parent run.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
from conftest import REPO, run_train, runs_in

SMOKE = ["debug=smoke", "classifier=lr", "tracking.log_model=false"]
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


def test_two_grids_started_at_the_same_moment_get_their_own_folder_and_parent(tmp_path):
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
