"""CNN epoch time: Lightning (as the project trains it) vs a bare PyTorch loop.

Same network (the paper's CNN), data (11,000 x 51, the paper's fitted size), batch (30),
batch loader, optimiser (fused Adam) and thread count. Prints the seconds per epoch
of the least-disturbed of several interleaved repeats of each and, last, the ratio.

    python bench/cnn_epoch.py [--epochs 5] [--repeats 6]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from bond_default.classifiers.cnn import CNNClassifier
from bond_default.classifiers.networks import Conv1dNet
from bond_default.lean_trainer import adam, one_torch_thread, shuffled_batches


def bare_epochs(X: np.ndarray, y: np.ndarray, epochs: int, seed: int = 0) -> float:
    torch.manual_seed(seed)
    net = Conv1dNet(X.shape[1], 2)
    optimiser = adam(net.parameters(), 1e-3)
    loader = shuffled_batches((torch.from_numpy(X), torch.from_numpy(y)), 30, seed)
    start = time.perf_counter()
    with one_torch_thread():
        for _ in range(epochs):
            for xb, yb in loader:
                optimiser.zero_grad(set_to_none=True)
                loss = torch.nn.functional.cross_entropy(net(xb), yb)
                loss.backward()
                optimiser.step()
    return (time.perf_counter() - start) / epochs


def lightning_epochs(X: np.ndarray, y: np.ndarray, epochs: int, seed: int = 0) -> float:
    model = CNNClassifier(max_epochs=epochs, random_state=seed, progress_bar=False)
    start = time.perf_counter()
    model.fit(X, y)
    return (time.perf_counter() - start) / epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=6)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(11_000, 51)).astype(np.float32)
    y = (X[:, :5].sum(axis=1) > 2).astype(np.int64)
    lightning_epochs(X, y, 1)  # warm-up: imports, first allocations
    bare, light = [], []
    for _ in range(args.repeats):
        bare.append(bare_epochs(X, y, args.epochs))
        light.append(lightning_epochs(X, y, args.epochs))
    # A shared VM drifts by +-20% over minutes: compare the least-disturbed repeats, taken
    # in turns so that both sides see the same drift.
    b, m = min(bare), min(light)
    print(f"medians: bare {statistics.median(bare):.3f}, Lightning "
          f"{statistics.median(light):.3f} s/epoch")
    print(f"bare PyTorch loop: {b:.3f} s/epoch")
    print(f"Lightning (CNNClassifier.fit): {m:.3f} s/epoch")
    print(f"lightning/bare epoch ratio: {m / b:.2f}")


if __name__ == "__main__":
    main()
