"""The decision threshold chosen on training rows against the paper's 0.5, on the default market.

    python bench/thresholds.py [--seeds 0 1 2] [--classifiers lr gbdt] [--sampler none]
                               [--out bench/thresholds.csv]

For each seed and classifier the cell's model (``python train.py``'s, without MLflow) is
fitted on the paper's split with ``threshold=0.5``, ``threshold=max_f1`` and ``threshold=cost``
(a missed default costs 10 false alarms); the last two choose their threshold on 5-fold
cross-validated scores of the training rows and refit. Reported: the threshold and the test
F1, recall, precision and cost per bond of each.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate

REPO = Path(__file__).resolve().parents[1]
POLICIES = {"0.5": ["threshold=fixed"], "max_f1": ["threshold=max_f1"],
            "cost": ["threshold=cost"]}


def _config(overrides: list[str]):
    with initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
        return compose("train", overrides=overrides)


def measure(seed: int, classifier: str, sampler: str) -> list[dict]:
    from sklearn.metrics import f1_score, precision_score, recall_score

    from bond_default.data.loading import load_data
    from bond_default.decision.cost import negative_cost
    from bond_default.run.cell import fit_fold

    rows = []
    for policy, overrides in POLICIES.items():
        cfg = _config([f"classifier={classifier}", f"sampler={sampler}", f"seed={seed}",
                       *overrides])
        data = load_data(cfg)
        fit = fit_fold(cfg, data, (None, *instantiate(cfg.split).split(data, seed)),
                       last=False)
        predicted = (fit.scores >= fit.threshold).astype(int)
        y_test = fit.y_test
        rows.append({"seed": seed, "classifier": classifier, "sampler": sampler,
                     "threshold_policy": policy, "threshold": fit.threshold,
                     "f1": f1_score(y_test, predicted), "recall": recall_score(y_test, predicted),
                     "precision": precision_score(y_test, predicted, zero_division=0),
                     "cost_per_bond": -negative_cost(y_test, predicted, 10, 1)})
        print(pd.DataFrame(rows[-1:]).round(4).to_string(index=False), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--classifiers", nargs="+", default=["lr", "gbdt"])
    parser.add_argument("--sampler", default="none")
    parser.add_argument("--out", default=str(REPO / "bench" / "thresholds.csv"))
    args = parser.parse_args()
    table = pd.DataFrame([row for seed in args.seeds for classifier in args.classifiers
                          for row in measure(seed, classifier, args.sampler)])
    table.to_csv(args.out, index=False)
    print(table.pivot_table(index=["classifier", "seed"], columns="threshold_policy",
                            values="f1").round(4).to_string())


if __name__ == "__main__":
    main()
