"""Large data: lr, svm and gbdt x none and smote at 10x the default market (265,610 bonds).

Each cell is one real command (``python train.py classifier=.. sampler=.. data.n_bonds=..``,
no model logging, no SHAP) in its own process, so its wall time and peak memory (the
process's maximum resident set) are its own. Runs the same cells at 1x for the ratio.

    python bench/large_data.py [--scale 10] [--workdir /tmp/large]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRAIN = Path(__file__).resolve().parents[1] / "train.py"
DEFAULT_BONDS = 26_561
CELLS = [(c, s) for c in ("lr", "svm", "gbdt") for s in ("none", "smote")]


def run_cell(classifier: str, sampler: str, n_bonds: int, workdir: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (GiB) of one cell's process."""
    command = [sys.executable, str(TRAIN), f"classifier={classifier}", f"sampler={sampler}",
               f"data.n_bonds={n_bonds}", "tracking.log_model=false", "explain.enabled=false",
               "hydra.run.dir=outputs/${now:%H-%M-%S-%f}"]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=workdir, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{classifier}+{sampler} at {n_bonds} bonds failed:\n"
                         f"{process.stderr.read()[-3000:]}")
    return seconds, usage.ru_maxrss / 2**20  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="large-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for classifier, sampler in CELLS:
        small = run_cell(classifier, sampler, DEFAULT_BONDS, workdir)
        large = run_cell(classifier, sampler, DEFAULT_BONDS * args.scale, workdir)
        rows.append((classifier, sampler, small, large))
        print(f"{classifier:5} {sampler:6} 1x {small[0]:6.1f} s {small[1]:5.2f} GiB | "
              f"{args.scale}x {large[0]:7.1f} s {large[1]:5.2f} GiB | "
              f"ratio {large[0] / small[0]:5.1f} time, {large[1] / small[1]:4.1f} memory",
              flush=True)
    total_small = sum(r[2][0] for r in rows)
    total_large = sum(r[3][0] for r in rows)
    peak = max(r[3][1] for r in rows)
    print(f"large data {args.scale}x: {total_large:.0f} s for {len(rows)} cells "
          f"({total_large / total_small:.1f}x the 1x time), peak memory {peak:.2f} GiB")


if __name__ == "__main__":
    main()
