"""A Wind-style export (tests/data/wind_export_small.xlsx, made by tests/wind_export.py: a title
row, Chinese headers with units, level names, 是/否, rating letters with commercial paper's
short-term A-1, '--' blanks, a percentage written 36.0%, a source line) trains with
``data=wind`` as it is, like the same rows given clean; a model scores the format it was trained
on, and a model trained on text categories gives the probabilities of one trained on codes.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_train, runs_in

from bond_default.data.catalogue import CATEGORICAL_LEVELS, RATING_SCALE

DATA = Path(__file__).parent / "data"
WIND = DATA / "wind_export_small.xlsx"
CLEAN = DATA / "wind_export_small_clean.csv"
SMOKE = ["classifier=lr", "sampler=none", "debug=smoke", "explain.enabled=false"]


def _score(args, cwd):
    return subprocess.run([sys.executable, "-m", "bond_default.score", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _only_run(cwd):
    (run,) = runs_in(cwd)
    assert run.info.status == "FINISHED"
    return run


def test_a_wind_export_trains_as_it_is_like_the_same_rows_given_clean(tmp_path):
    wind, clean = tmp_path / "wind", tmp_path / "clean"
    wind.mkdir(), clean.mkdir()
    done = run_train(["data=wind", f"data.path={WIND}", *SMOKE], cwd=wind)
    assert done.returncode == 0, done.stderr[-3000:]
    # what the log says once: how the file was read, the columns used and ignored, the rows
    for words in ("sheet '债券数据', header on row 2",
                  "skipped 1 row(s) above the header, 1 line(s) below the table",
                  "columns used: 51 indicators (catalogue mode), label '是否违约', year '年度'; "
                  "ignored: '债券代码' (id), '债券简称' (id)",
                  "converted '资产负债率' -> asset_liability_ratio: percent sign read",
                  "converted '流动资产/总资产' -> current_assets_ratio: percent -> fraction "
                  "(x0.01, unit from range)",
                  "short-term A-1 read as AA", "blank markers '--' read as empty",
                  "rows: 400 read, 16 dropped: gaps in indicators"):
        assert words in done.stdout, words
    done = run_train(["data=file", f"data.path={CLEAN}", "data.year=year",
                      "data.id_columns=[bond_code,bond_name]", *SMOKE], cwd=clean)
    assert done.returncode == 0, done.stderr[-3000:]
    wind_run, clean_run = _only_run(wind), _only_run(clean)
    assert wind_run.data.metrics["n_train"] == clean_run.data.metrics["n_train"]
    assert abs(wind_run.data.metrics["test_roc_auc"]
               - clean_run.data.metrics["test_roc_auc"]) <= 0.02

    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{wind / 'mlflow.db'}")
    profile = pd.read_csv(client.download_artifacts(wind_run.info.run_id, "data/profile.csv",
                                                    str(wind)))
    assert len(profile) == 55 and profile["role"].value_counts()["indicator"] == 51
    row = profile.set_index("header").loc["股东权益比率(%)"]
    assert (row["name"], row["unit_in_file"], row["unit_from"]) == (
        "shareholder_equity_ratio", "percent", "header")
    assert "params" not in str(wind_run.data.params.get("data.columns", ""))
    assert wind_run.data.params["data.columns"] == "51 entries (config.yaml)"

    scored = _score([wind_run.info.run_id, str(WIND), "--out", "scores.csv"], wind)
    assert scored.returncode == 0, scored.stderr[-3000:]
    scores = pd.read_csv(wind / "scores.csv")
    assert list(scores.columns) == ["债券代码", "债券简称", "default_probability",
                                    "predicted_default"]
    assert len(scores) == 400 and scores["default_probability"].between(0, 1).all()


@pytest.fixture(scope="module")
def clean_rows() -> pd.DataFrame:
    return pd.read_csv(CLEAN).dropna().reset_index(drop=True)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The same rows with categories, yes/no and ratings as words (nothing lost)."""
    import yaml

    levels = yaml.safe_load((Path(__file__).parents[1] / "conf/data/wind.yaml").read_text(
        encoding="utf-8"))["levels"]
    text = frame.copy()
    for name, names in levels.items():
        chinese = {english: word for word, english in names.items()}
        text[name] = frame[name].map(lambda c, n=name, z=chinese: z[CATEGORICAL_LEVELS[n][int(c)]])
    for name in ("listed", "special_terms"):
        text[name] = frame[name].map({0: "否", 1: "是"})
    for name in ("issuer_rating", "bond_rating"):
        text[name] = frame[name].map(lambda c: RATING_SCALE[int(c)])
    return text


def test_a_model_trained_on_text_categories_scores_them_like_one_trained_on_codes(
        clean_rows, tmp_path, caplog, monkeypatch):
    import yaml

    from bond_default.serve.score import main as score_main

    levels = yaml.safe_load((Path(__file__).parents[1] / "conf/data/wind.yaml").read_text(
        encoding="utf-8"))["levels"]
    mapping = tmp_path / "levels.yaml"
    mapping.write_text(yaml.safe_dump({"levels": levels}, allow_unicode=True), encoding="utf-8")
    probabilities = {}
    for kind, frame, extra in (("codes", clean_rows, []),
                               ("text", _as_text(clean_rows), [f"data.columns_file={mapping}"])):
        cwd = tmp_path / kind
        cwd.mkdir()
        frame.to_csv(cwd / "bonds.csv", index=False)
        done = run_train(["data=file", f"data.path={cwd / 'bonds.csv'}", "data.year=year",
                          "data.id_columns=[bond_code,bond_name]", *SMOKE, *extra], cwd=cwd)
        assert done.returncode == 0, done.stderr[-3000:]
        new = frame.drop(columns=["default", "year"]).head(60)
        new.to_csv(cwd / "new.csv", index=False)
        # in this process (the command itself is run by the test above and test_score.py),
        # each folder's default sqlite:///mlflow.db: the second is its own folder's store
        monkeypatch.chdir(cwd)
        assert score_main([_only_run(cwd).info.run_id, "new.csv", "--out", "s.csv"]) == 0
        probabilities[kind] = pd.read_csv(cwd / "s.csv")["default_probability"].to_numpy()
    assert (abs(probabilities["text"] - probabilities["codes"]) < 1e-9).all()
    assert probabilities["codes"].std() > 0

    cwd = tmp_path / "text"
    monkeypatch.chdir(cwd)
    bad = _as_text(clean_rows).drop(columns=["default", "year"]).head(20)
    for case, table, args, expected in (
            ("empty", bad.assign(quick_ratio=None), [],
             "column 'quick_ratio' in empty.csv is empty in every row"),
            ("unknown_level", bad.assign(bond_type="可转债"), [],
             "column 'bond_type' in unknown_level.csv has levels that are not declared: "
             "'可转债' (20 rows)"),
            ("undeclared", bad.assign(note="x"), [],
             "1 column(s) with no declared role: 'note'; declare each as an identifier "
             "(--id-column) or ignored (--drop-column)"),
            ("threshold", bad, ["--threshold", "1.5"], "--threshold 1.5 is not a probability")):
        table.to_csv(cwd / f"{case}.csv", index=False)
        # the scoring command's main in this process (the command itself, its exit status
        # and the absence of a traceback are tested above and in test_score.py)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            status = score_main([_only_run(cwd).info.run_id, f"{case}.csv", *args])
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert status == 2 and len(errors) == 1, caplog.text[-2000:]
        assert expected in errors[0], errors[0]
        assert "data." not in errors[0].split(expected)[-1], errors[0]  # its own options
