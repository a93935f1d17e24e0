"""How much of the CNN's gain from early stopping is left when networks are averaged.

    python bench/network_averaging.py --data-path .../polish_1year.arff [--seeds 0 1 2]
                                      [--networks 3] [--out bench/network_averaging.csv]

For each seed (the paper's split of the Polish 1st year, ``sampler=none``) ``--networks``
CNNs are fitted as ``python train.py``'s cell fits them (without MLflow), with the init and
the validation slice seeded ``100 * seed + j``; once with early stopping (the default) and
once for the paper's fixed epochs (``trainer.early_stopping=false``). Reported per seed and
setting: each network's test ROC-AUC and that of their averaged scores.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate

REPO = Path(__file__).resolve().parents[1]
SETTINGS = {"early stopping": [], "fixed epochs": ["trainer.early_stopping=false"]}


def measure(seed: int, networks: int, data_path: str, extra: list[str]) -> list[dict]:
    from sklearn.metrics import roc_auc_score

    from bond_default.data.loading import load_data
    from bond_default.run.cell import fit_fold

    rows, scores, data = [], [], None
    for j in range(networks):
        with initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
            cfg = compose("train", overrides=[
                "classifier=cnn", "sampler=none", f"seed={seed}", "data=polish",
                f"data.path={Path(data_path).resolve()}",
                f"classifier.estimator.random_state={100 * seed + j}", *extra])
        if data is None:  # the same rows for every network of the seed: read them once
            data = load_data(cfg)
        fit = fit_fold(cfg, data, (None, *instantiate(cfg.split).split(data, seed)),
                       last=False)
        scores.append(fit.scores)
        rows.append({"seed": seed, "network": j, "roc_auc": roc_auc_score(fit.y_test, fit.scores),
                     "averaged_roc_auc": roc_auc_score(fit.y_test, np.mean(scores, axis=0))})
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-path", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--networks", type=int, default=3)
    parser.add_argument("--out", default=str(REPO / "bench" / "network_averaging.csv"))
    args = parser.parse_args()
    table = pd.DataFrame([{"setting": name, **row} for name, extra in SETTINGS.items()
                          for seed in args.seeds
                          for row in measure(seed, args.networks, args.data_path, extra)])
    table.to_csv(args.out, index=False)
    last = table[table["network"] == args.networks - 1]
    print(last.groupby("setting")["averaged_roc_auc"].agg(["mean", "std"]).round(4).to_string())


if __name__ == "__main__":
    main()
