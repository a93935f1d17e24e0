"""Where the deep models stand against gradient boosting, over seeds (issue 16's tables).

Runs two grids with ``sampler=none`` in a scratch folder (or --workdir), one job per core:
every classifier with the default early stopping, then the paper's fixed-epoch CNN and FCNN
(``trainer.early_stopping=false``). Prints one markdown table: per model the test ROC-AUC and
PR-AUC, mean ± std over the seeds, the epochs trained, and DeLong's test against gbdt on the
same test rows (median p over seeds; seeds where p < 0.05); then the wall time.

    python bench/deep_vs_boosting.py polish --data-path .../polish_1year.arff --seeds 0,1,2
    python bench/deep_vs_boosting.py synthetic --seeds 0,1,2,3,4
    python bench/deep_vs_boosting.py polish --workdir DIR --report-only   # table of DIR's grids
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from bond_default.evaluate.significance import delong_test  # noqa: E402

CLASSIFIERS = "tabm,cnn,fcnn,gbdt,lr,svm"
FIXED = "cnn,fcnn"


def run_grids(args, workdir: Path) -> None:
    base = [sys.executable, str(REPO / "train.py"), "-m", "sampler=none",
            f"seed={args.seeds}", "hydra/launcher=joblib", f"hydra.launcher.n_jobs={args.jobs}",
            "tracking.log_model=false", f"tracking.experiment=deep-vs-boosting-{args.data}"]
    if args.data == "polish":
        base += ["data=polish", f"data.path={Path(args.data_path).resolve()}"]
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    for name, extra in ((f"{args.data}_es", [f"classifier={args.classifiers}"]),
                        (f"{args.data}_fixed", [f"classifier={args.fixed}",
                                                "trainer.early_stopping=false"])):
        done = subprocess.run([*base, *extra, f"hydra.sweep.dir=multirun/{name}"], cwd=workdir,
                              env=env)
        if done.returncode:
            sys.exit(done.returncode)


def cells(workdir: Path, data: str) -> pd.DataFrame:
    rows = []
    for job in sorted(workdir.glob(f"multirun/{data}_*/*/result.json")):
        result = json.loads(job.read_text())
        config = OmegaConf.to_container(OmegaConf.load(job.parent / ".hydra" / "config.yaml"),
                                        resolve=True)
        classifier = result["labels"]["classifier"]
        fixed = classifier in FIXED.split(",") and not config["trainer"]["early_stopping"]
        rows.append({"model": f"{classifier} ({config['trainer']['max_epochs']} epochs, "
                              "no early stopping)" if fixed else classifier,
                     "seed": int(result["labels"]["seed"]), "status": result["status"],
                     "roc_auc": result["metrics"].get("roc_auc"),
                     "pr_auc": result["metrics"].get("pr_auc"),
                     "epochs": result["metrics"].get(
                         "epochs_trained", config["trainer"]["max_epochs"] if fixed else None),
                     "predictions": job.parent / "predictions.csv"})
    return pd.DataFrame(rows)


def table(frame: pd.DataFrame) -> pd.DataFrame:
    done = frame[frame["status"] == "FINISHED"]
    gbdt = {r.seed: pd.read_csv(r.predictions) for r in done[done["model"] == "gbdt"].itertuples()}
    out = []
    for model, group in done.groupby("model", sort=False):
        p = []
        for r in group.itertuples():
            if model != "gbdt" and r.seed in gbdt:
                both = pd.read_csv(r.predictions).merge(gbdt[r.seed], on="row",
                                                        suffixes=("", "_gbdt"))
                p.append(delong_test(both["y_true"], both["score"], both["score_gbdt"]).p_value)
        epochs = group["epochs"].dropna()
        out.append({
            "model": model, "seeds": len(group),
            "ROC-AUC": f"{group['roc_auc'].mean():.4f} ± {group['roc_auc'].std():.4f}",
            "PR-AUC": f"{group['pr_auc'].mean():.4f} ± {group['pr_auc'].std():.4f}",
            "epochs trained": f"{epochs.mean():.0f}" if len(epochs) else "",
            "DeLong p vs gbdt (median; seeds < 0.05)":
                f"{np.median(p):.2g} ({sum(v < 0.05 for v in p)}/{len(p)})" if p else "",
            "_mean": group["roc_auc"].mean()})
    return pd.DataFrame(out).sort_values("_mean", ascending=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", choices=["polish", "synthetic"])
    parser.add_argument("--data-path", default=str(REPO.parent / "shared" / "data"
                                                   / "polish_1year.arff"))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--classifiers", default=CLASSIFIERS,
                        help="with early stopping (the default)")
    parser.add_argument("--fixed", default=FIXED,
                        help="networks also trained the paper's way: fixed epochs")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="deep_vs_boosting_"))
    workdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if not args.report_only:
        run_grids(args, workdir)
    shown = table(cells(workdir, args.data))
    means = dict(zip(shown["model"], shown["_mean"], strict=True))
    print(shown.drop(columns="_mean").to_markdown(index=False))
    fixed_cnn = next((m for m in means if m.startswith("cnn (")), None)
    if "tabm" in means and "gbdt" in means:
        print(f"tabm - gbdt: {means['tabm'] - means['gbdt']:+.4f} ROC-AUC")
    if "cnn" in means and fixed_cnn:
        print(f"early-stopped cnn - fixed-epoch cnn: {means['cnn'] - means[fixed_cnn]:+.4f}")
    print(f"outputs in {workdir}")
    if not args.report_only:
        print(f"deep vs boosting ({args.data}, seeds {args.seeds}): "
              f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
