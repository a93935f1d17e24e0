"""Scoring new bonds with a logged model: one probability per row, clear errors for bad files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from conftest import free_port, run_train, runs_in

from bond_default.data.synthetic import generate_market

#: the scoring command in a process where imbalanced-learn cannot be imported
BLOCK_IMBLEARN = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "imblearn":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
from bond_default.serve.score import main
sys.exit(main(sys.argv[1:]))
"""


def _score(args, cwd):
    return subprocess.run([sys.executable, "-m", "bond_default.score", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _logged_model(cwd) -> str:
    """Run id of an lr run (debug=smoke) that logged its model into ``cwd``'s store."""
    done = run_train(["classifier=lr", "sampler=none", "debug=smoke", "explain.enabled=false"],
                     cwd=cwd)
    assert done.returncode == 0, done.stderr[-3000:]
    (run,) = runs_in(cwd)
    assert f"MLflow run {run.info.run_id}" in done.stdout  # the id a user scores with
    return run.info.run_id


def _new_bonds() -> pd.DataFrame:
    """Bonds in the training data's format, without the label (and year) columns."""
    bonds, _ = generate_market(n_bonds=300, seed=5)
    return bonds.drop(columns=["default", "year"])


def test_a_relative_sqlite_store_means_the_current_folders_file(tmp_path, monkeypatch):
    # MLflow keeps a store per URI string: scoring after a chdir must not reach the old one
    from bond_default.run.tracking import absolute_store_uri

    monkeypatch.chdir(tmp_path)
    assert absolute_store_uri("sqlite:///mlflow.db") == f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert absolute_store_uri("sqlite:///runs/m.db") == f"sqlite:///{tmp_path / 'runs/m.db'}"
    for kept in (f"sqlite:///{tmp_path / 'm.db'}", "sqlite:///:memory:",
                 "http://127.0.0.1:5000", "postgresql://u@host/db"):
        assert absolute_store_uri(kept) == kept


def test_a_logged_model_scores_a_file_of_new_bonds_and_refuses_a_malformed_one(tmp_path):
    run_id = _logged_model(tmp_path)
    bonds = _new_bonds()
    assert bonds.isna().any(axis=1).any()  # rows with gaps are scored too (imputed)
    bonds.insert(0, "isin", [f"CN{i:08d}" for i in range(len(bonds))])
    bonds.to_csv(tmp_path / "new_bonds.csv", index=False)

    scored = _score([run_id, "new_bonds.csv", "--id-column", "isin", "--out",
                     "scores.csv"], tmp_path)
    assert scored.returncode == 0, scored.stderr[-3000:]
    out = pd.read_csv(tmp_path / "scores.csv")
    assert list(out.columns) == ["isin", "default_probability", "predicted_default"]
    assert len(out) == len(bonds) and out["isin"].tolist() == bonds["isin"].tolist()
    assert out["default_probability"].between(0, 1).all()
    assert set(out["predicted_default"]) <= {0, 1}

    bonds["quick_ratio"] = bonds["quick_ratio"].astype(object)
    bonds.loc[3, "quick_ratio"] = "twelve"
    bonds.to_csv(tmp_path / "bad.csv", index=False)
    refused = _score([run_id, "bad.csv", "--id-column", "isin"], tmp_path)
    assert refused.returncode == 2
    errors = [line for line in refused.stderr.splitlines() if "[ERROR]" in line]
    assert len(errors) == 1 and "column 'quick_ratio' in bad.csv" in errors[0]
    assert "not numbers" in errors[0] and "Traceback" not in refused.stderr

    missing = _score([run_id, "nowhere.csv"], tmp_path)
    assert missing.returncode == 2 and "does not exist" in missing.stderr

    # a model that exists but needs a package this environment lacks is not "no model"
    without_imblearn = subprocess.run([sys.executable, "-c", BLOCK_IMBLEARN, run_id,
                                       "new_bonds.csv"], cwd=tmp_path, capture_output=True,
                                      text=True, timeout=300)
    assert without_imblearn.returncode == 2, without_imblearn.stderr[-3000:]
    assert "needs the Python module 'imblearn'" in without_imblearn.stderr
    assert "no model at" not in without_imblearn.stderr
    assert "Traceback" not in without_imblearn.stderr


# slow: starts a model server (about 40 s); what the served model computes, the pyfunc
# model's predict, is held by the scoring tests here and in test_backtest_command.py
@pytest.mark.slow
def test_mlflow_models_serve_answers_with_the_scoring_commands_probabilities(tmp_path):
    run_id = _logged_model(tmp_path)
    rows = _new_bonds().dropna().head(5).astype("float64")
    rows.to_csv(tmp_path / "rows.csv", index=False)
    scored = _score([run_id, "rows.csv", "--out", "scores.csv"], tmp_path)
    assert scored.returncode == 0, scored.stderr[-3000:]
    expected = pd.read_csv(tmp_path / "scores.csv")["default_probability"].to_numpy()

    port = free_port()
    # mlflow starts `uvicorn` from PATH: the venv's bin folder must be on it (activated venv)
    venv_bin = str(Path(sys.executable).parent)
    env = dict(os.environ, MLFLOW_TRACKING_URI=f"sqlite:///{tmp_path / 'mlflow.db'}",
               PATH=venv_bin + os.pathsep + os.environ.get("PATH", ""))
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("mlflow")), "models", "serve", "-m",
         f"runs:/{run_id}/model", "-p", str(port), "--env-manager", "local"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    try:
        body = json.dumps({"dataframe_split": rows.to_dict(orient="split")}).encode()
        deadline, answer = time.monotonic() + 120, None
        while answer is None and time.monotonic() < deadline:
            assert server.poll() is None, server.stderr.read()[-2000:]
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/invocations", data=body,
                    headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=10) as response:
                    answer = json.loads(response.read())
            except OSError:
                time.sleep(1)
        assert answer is not None, "mlflow models serve did not answer within 120 s"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    served = pd.Series(answer["predictions"], dtype=float).to_numpy()
    assert served.shape == (5,)
    assert abs(served - expected).max() < 1e-6
