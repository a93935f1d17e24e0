"""The full 16-cell grid at the paper's settings on the default synthetic market.

Runs `python train.py -m classifier=cnn,fcnn,svm,lr sampler=gan,smote,borderline,none` in a
scratch folder (or --workdir) and prints the summary table and, last, the wall time. With
``--jobs N`` (default 2, this machine's cores) the cells run N at a time through Hydra's
joblib launcher, each with one thread (``OMP_NUM_THREADS=1`` unless set, as the README
advises for parallel grids); ``--jobs 1`` runs them one after another.

    python bench/paper_grid.py [--workdir DIR] [--jobs N] [extra Hydra overrides ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--jobs", type=int, default=2)
    args, overrides = parser.parse_known_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="paper_grid_"))
    workdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(REPO / "train.py"), "-m",
               "classifier=cnn,fcnn,svm,lr", "sampler=gan,smote,borderline,none", *overrides]
    if args.jobs > 1:
        command += ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={args.jobs}"]
    env = dict(os.environ)
    if args.jobs > 1:
        env.setdefault("OMP_NUM_THREADS", "1")
    start = time.perf_counter()
    done = subprocess.run(command, cwd=workdir, env=env)
    seconds = time.perf_counter() - start
    summary = sorted(workdir.glob("multirun/*/*/summary.md"))
    if summary:
        print(summary[-1].read_text())
        print(f"outputs in {summary[-1].parent}")
    if done.returncode:
        sys.exit(done.returncode)
    print(f"paper grid: {seconds:.0f} s ({args.jobs} job{'s' if args.jobs > 1 else ''} at a time)")


if __name__ == "__main__":
    main()
