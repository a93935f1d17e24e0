"""CNN epoch time: Lightning (as the project trains it) vs a bare PyTorch loop.

Same network (the paper's CNN), data (11,000 x 51, the paper's fitted size), batch (30),
optimiser (fused Adam) and thread count. The project's Lightning module trains 16
consecutive batches of 30 per ``training_step`` call (``BATCHES_PER_CALL``), so its loader
cuts 480-row slices; the bare loop runs twice, with a loader of 30-row batches (the plain
way) and with the same 480-row slices cut into 30s, and the ratio is taken against the
faster of the two. An epoch's time runs from the start of one epoch to the start of the
next (under Lightning: between its epoch-start hooks, so every per-step and per-epoch cost
of the loop is in it; the one-off set-up of a ``Trainer`` is printed apart, as the whole
``fit`` per epoch). Prints the least-disturbed epoch of several interleaved repeats of each
and, last, the ratio.

    python bench/cnn_epoch.py [--epochs 5] [--repeats 6]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from bond_default.classifiers.cnn import CNNClassifier
from bond_default.classifiers.lean_trainer import adam, one_torch_thread, shuffled_batches
from bond_default.classifiers.networks import Conv1dNet
from bond_default.classifiers.training_module import BATCHES_PER_CALL, LogitsTrainer


def bare_epochs(X: np.ndarray, y: np.ndarray, epochs: int, grouped: bool,
                seed: int = 0) -> list[float]:
    """Seconds of each epoch of a plain zero_grad / forward / backward / step loop, over
    30-row batches from the loader or (``grouped``) over 480-row slices cut into 30s."""
    torch.manual_seed(seed)
    net = Conv1dNet(X.shape[1], 2)
    optimiser = adam(net.parameters(), 1e-3)
    per_item = BATCHES_PER_CALL if grouped else 1
    loader = shuffled_batches((torch.from_numpy(X), torch.from_numpy(y)), 30 * per_item, seed)
    seconds = []
    with one_torch_thread():
        for _ in range(epochs):
            start = time.perf_counter()
            for xs, ys in loader:
                for first in range(0, len(xs), 30):
                    optimiser.zero_grad(set_to_none=True)
                    loss = torch.nn.functional.cross_entropy(net(xs[first:first + 30]),
                                                             ys[first:first + 30])
                    loss.backward()
                    optimiser.step()
            seconds.append(time.perf_counter() - start)
    return seconds


def lightning_epochs(X: np.ndarray, y: np.ndarray, epochs: int,
                     seed: int = 0) -> tuple[list[float], float]:
    """Seconds of each epoch of ``CNNClassifier.fit``, and of the whole fit per epoch."""
    starts: list[float] = []
    hooks = (LogitsTrainer.on_train_epoch_start, LogitsTrainer.on_train_end)
    LogitsTrainer.on_train_epoch_start = lambda self: starts.append(time.perf_counter())
    LogitsTrainer.on_train_end = lambda self: starts.append(time.perf_counter())
    try:
        model = CNNClassifier(max_epochs=epochs, random_state=seed, progress_bar=False)
        start = time.perf_counter()
        model.fit(X, y)
        whole = (time.perf_counter() - start) / epochs
    finally:
        LogitsTrainer.on_train_epoch_start, LogitsTrainer.on_train_end = hooks
    return list(np.diff(starts)), whole


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=6)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(11_000, 51)).astype(np.float32)
    y = (X[:, :5].sum(axis=1) > 2).astype(np.int64)
    lightning_epochs(X, y, 1)  # warm-up: imports, first allocations
    bare, grouped, light, whole = [], [], [], []
    for _ in range(args.repeats):
        bare += bare_epochs(X, y, args.epochs, grouped=False)
        grouped += bare_epochs(X, y, args.epochs, grouped=True)
        epochs, fit = lightning_epochs(X, y, args.epochs)
        light += epochs
        whole.append(fit)
    # A shared VM drifts by +-20% over minutes: compare the least-disturbed epochs, taken
    # in turns so that all sides see the same drift.
    b = min(min(bare), min(grouped))
    m = min(light)
    print(f"medians: bare {statistics.median(bare):.3f}, bare with 480-row slices "
          f"{statistics.median(grouped):.3f}, Lightning {statistics.median(light):.3f} s/epoch")
    print(f"whole CNNClassifier.fit incl. Trainer set-up: {min(whole):.3f} s/epoch "
          f"({min(whole) / b:.2f} x bare)")
    print(f"bare PyTorch loop: {min(bare):.3f} s/epoch (30-row loader), {min(grouped):.3f} "
          f"(480-row slices)")
    print(f"Lightning (CNNClassifier.fit): {m:.3f} s/epoch")
    print(f"lightning/bare epoch ratio: {m / b:.2f}")


if __name__ == "__main__":
    main()
