"""Every anticipated bad input: one clear sentence, non-zero exit, no traceback, no FINISHED run."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from conftest import run_train, runs_in

from bond_default.data.synthetic import generate_market


@pytest.fixture(scope="module")
def market() -> pd.DataFrame:
    frame, _ = generate_market(n_bonds=1500, seed=5)
    return frame.dropna().reset_index(drop=True)


def _label_not_binary(m):
    m = m.copy()
    m.loc[:3, "default"] = 2
    return m


def _non_numeric(m):
    m = m.copy().astype({"quick_ratio": object})
    m.loc[[4, 9, 11], "quick_ratio"] = "twelve"
    return m


def _infinite(m):
    m = m.copy()
    m.loc[[2, 7], "current_ratio"] = np.inf
    return m


def _few_defaults(m):
    keep = m[m["default"] == 0].index.tolist() + m[m["default"] == 1].index[:6].tolist()
    return m.loc[keep]


CASES = {
    # name: (file name, table maker or None, extra overrides, expected words in the message)
    "missing_file": ("nowhere.csv", None, [], "does not exist"),
    "unknown_extension": ("bonds.dat", lambda m: m, [],
                          "unknown extension '.dat'; allowed: .csv, .txt, .tsv, .parquet"),
    "unreadable": ("bonds.parquet", "garbage", [], "could not be read as Parquet"),
    "label_missing": ("bonds.csv", lambda m: m.drop(columns="default"), [],
                      "has no column 'default'"),
    "columns_missing": ("bonds.csv", lambda m: m.drop(columns=["coupon_rate", "listed"]), [],
                        "lacks 2 of the 51 catalogue indicators: coupon_rate, listed"),
    "label_not_binary": ("bonds.csv", _label_not_binary, [], "must hold 0/1 values"),
    "one_class": ("bonds.csv", lambda m: m[m["default"] == 0], [],
                  "holds only the class 0"),
    "non_numeric": ("bonds.csv", _non_numeric, [],
                    "column 'quick_ratio' in .* has 3 cells that are not numbers \\(e.g. "
                    "'twelve'\\)"),
    "infinite": ("bonds.csv", _infinite, [], "column 'current_ratio' .* has 2 infinite values"),
    "too_few_defaulted": ("bonds.csv", _few_defaults, ["sampler=smote"],
                          "sampler=smote needs at least 6 defaulted training rows, and the "
                          "training split has 4"),
    "out_of_time_without_year": ("bonds.csv", lambda m: m.drop(columns="year"),
                                 ["split=out_of_time"], "split=out_of_time needs a year column"),
    "year_columns_unknown": ("bonds.csv", lambda m: m,
                             ["sampler=gan", "sampler.year_columns=[gdp_yoy,nonexistent]"],
                             "sampler.year_columns names 'nonexistent', which is not a column "
                             "of the preprocessed data; allowed: auto"),
    "sampler_setting_not_allowed": ("bonds.csv", lambda m: m,
                                    ["sampler=gan", "sampler.instance_noise=-1"],
                                    "The 'instance_noise' parameter of GANOverSampler must be a "
                                    "float in the range \\[0.0, inf\\). Got -1 instead; set it "
                                    "with an allowed value \\(sampler.<parameter>=...\\)"),
    "network_setting_not_allowed": (
        "bonds.csv", lambda m: m, ["classifier=fcnn", "classifier.estimator.fit_output_bias=maybe"],
        "The 'fit_output_bias' parameter of FCNNClassifier must be .* Got 'maybe' instead; set "
        "it with an allowed value \\(classifier.estimator.<parameter>=...\\)"),
    "threshold_tuner_setting_not_allowed": (
        "bonds.csv", lambda m: m, ["threshold=max_f1", "threshold.tuner.thresholds=0"],
        "The 'thresholds' parameter of TunedThresholdClassifierCV must be an int in the range "
        "\\[1, inf\\) or an array-like. Got 0 instead; set it with an allowed value "
        "\\(threshold.tuner.<parameter>=...\\)"),
    "calibration_setting_not_allowed": (
        "bonds.csv", lambda m: m, ["calibration=sigmoid", "calibration.model.method=logistic"],
        "The 'method' parameter of CalibratedClassifierCV must be a str among .*Got 'logistic' "
        "instead; set it with an allowed value \\(calibration.model.<parameter>=...\\)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_stops_with_one_sentence(case, market, tmp_path):
    name, make, overrides, expected = CASES[case]
    path = tmp_path / name
    if make == "garbage":
        path.write_bytes(b"this is not a parquet file")
    elif make is not None:
        make(market).to_csv(path, index=False)
    year = [] if case == "out_of_time_without_year" else ["data.year=year"]
    classifier = [] if any(o.startswith("classifier=") for o in overrides) else ["classifier=lr"]
    done = run_train(["data=file", f"data.path={path}", *classifier, *year, *overrides],
                     cwd=tmp_path, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if "[ERROR]" in line]
    assert len(errors) == 1, output
    assert re.search(expected, errors[0]), errors[0]
    assert not runs_in(tmp_path)  # nothing in MLflow: neither FINISHED nor FAILED


def test_bad_input_in_a_multirun_fails_every_cell_and_the_command(market, tmp_path):
    path = tmp_path / "bonds.csv"
    _infinite(market).to_csv(path, index=False)
    done = run_train(["-m", "data=file", f"data.path={path}", "data.year=year",
                      "classifier=lr,gbdt"],
                     cwd=tmp_path, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    runs = runs_in(tmp_path)
    assert [r.info.status for r in runs] == ["FAILED"]  # the parent; no child was started
    summary = pd.read_csv(next(tmp_path.glob("multirun/*/*/summary.csv")))
    assert summary["status"].tolist() == ["FAILED", "FAILED"]
    assert summary["error"].str.contains("infinite values").all()
    assert "2 of 2 cells failed" in output
