"""Scoring new bonds with a logged model: one probability per row, clear errors for bad files."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
from conftest import run_train, runs_in

from bond_default.data.synthetic import generate_market


def _score(args, cwd):
    return subprocess.run([sys.executable, "-m", "bond_default.score", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_a_logged_model_scores_a_file_of_new_bonds_and_refuses_a_malformed_one(tmp_path):
    done = run_train(["classifier=lr", "sampler=none", "debug=smoke", "explain.enabled=false"],
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    (run,) = runs_in(tmp_path)
    bonds, _ = generate_market(n_bonds=300, seed=5)
    bonds = bonds.drop(columns=["default", "year"])
    assert bonds.isna().any(axis=1).any()  # rows with gaps are scored too (imputed)
    bonds.insert(0, "isin", [f"CN{i:08d}" for i in range(len(bonds))])
    bonds.to_csv(tmp_path / "new_bonds.csv", index=False)

    scored = _score([run.info.run_id, "new_bonds.csv", "--id-column", "isin", "--out",
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
    refused = _score([run.info.run_id, "bad.csv", "--id-column", "isin"], tmp_path)
    assert refused.returncode == 2
    errors = [line for line in refused.stderr.splitlines() if "[ERROR]" in line]
    assert len(errors) == 1 and "column 'quick_ratio' in bad.csv" in errors[0]
    assert "non-numeric" in errors[0] and "Traceback" not in refused.stderr

    missing = _score([run.info.run_id, "nowhere.csv"], tmp_path)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
