"""Probabilities of default before and after the correction, on the default market.

    python bench/calibration.py [--seeds 0 1 2] [--classifiers lr cnn] [--sampler gan]
                                [--methods prior sigmoid isotonic] [--override KEY=VALUE ...]
                                [--out bench/calibration.csv]

For each seed and classifier the cell's model (``python train.py``'s, without MLflow) is
fitted on the paper's split with the paper's ratio; ``none`` is the pipeline's own
probability and ``prior`` the same fitted pipeline's, mapped back to the training rows'
default rate (:class:`bond_default.decision.prior_shift.PriorShiftCalibration`: one fit gives
both). ``sigmoid`` and ``isotonic`` fit the pipeline on 80% of the training rows and the map on
the held-out fifth (one more fit each). Reported: mean predicted PD on the test rows against
the observed default rate (and their ratio), ECE on deciles of the prediction, Brier with its
reliability and resolution, ROC-AUC.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate

REPO = Path(__file__).resolve().parents[1]


def _config(overrides: list[str]):
    with initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
        return compose("train", overrides=overrides)


def _row(labels: dict, y, scores, seconds: float) -> dict:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    from bond_default.evaluate.metrics import calibration_metrics

    figures = calibration_metrics(y, scores)
    return {**labels, "mean_pd": figures["mean_pd"], "default_rate": figures["default_rate"],
            "pd_ratio": figures["pd_ratio"], "ece": figures["ece"],
            "brier": brier_score_loss(y, scores),
            "brier_reliability": figures["brier_reliability"],
            "brier_resolution": figures["brier_resolution"],
            "roc_auc": roc_auc_score(y, scores), "seconds": seconds}


def measure(seed: int, classifier: str, sampler: str, methods: list[str],
            overrides: tuple[str, ...] = ()) -> list[dict]:
    from bond_default.data.loading import load_data
    from bond_default.decision.model import fitted_pipeline
    from bond_default.run.cell import fit_fold

    rows = []
    for method in methods:
        cfg = _config([f"classifier={classifier}", f"sampler={sampler}", f"seed={seed}",
                       f"calibration={method}", *overrides])
        data = load_data(cfg)
        train, test = instantiate(cfg.split).split(data, seed)
        start = time.perf_counter()
        fit = fit_fold(cfg, data, (None, train, test), last=False)
        seconds = time.perf_counter() - start
        labels = {"seed": seed, "classifier": classifier, "sampler": sampler,
                  "settings": " ".join(overrides)}
        if method == "prior":
            raw = fitted_pipeline(fit.model).predict_proba(data.features.iloc[test])[:, 1]
            rows.append(_row({**labels, "calibration": "none"}, fit.y_test, raw, seconds))
        rows.append(_row({**labels, "calibration": method}, fit.y_test, fit.scores, seconds))
        print(pd.DataFrame(rows[-2:]).to_string(index=False), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--classifiers", nargs="+", default=["lr", "cnn"])
    parser.add_argument("--sampler", default="gan")
    parser.add_argument("--methods", nargs="+", default=["prior", "sigmoid", "isotonic"])
    parser.add_argument("--override", nargs="*", default=[],
                        help="more config overrides, e.g. trainer.monitor=val_loss")
    parser.add_argument("--out", default=str(REPO / "bench" / "calibration.csv"))
    args = parser.parse_args()
    rows = [row for seed in args.seeds for classifier in args.classifiers
            for row in measure(seed, classifier, args.sampler, args.methods,
                               tuple(args.override))]
    table = pd.DataFrame(rows)
    table.to_csv(args.out, index=False)
    summary = table.groupby(["classifier", "sampler", "calibration"], sort=False)[
        ["mean_pd", "default_rate", "pd_ratio", "ece", "brier", "roc_auc"]].agg(["mean", "std"])
    print(summary.round(4).to_string())


if __name__ == "__main__":
    main()
