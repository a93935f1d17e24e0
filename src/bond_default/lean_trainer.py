"""What makes Lightning fast on small tabular models: a lean Trainer, batch loader, Adam."""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager


def lean_trainer(max_epochs: int, progress_bar: bool | None = None, callbacks=()):
    """CPU ``Trainer`` with no logger, checkpointing, model summary or sanity check.

    Parameters
    ----------
    max_epochs : int
        Epochs to train (at most, with an early-stopping callback).
    progress_bar : bool or None
        Lightning's progress bar; ``None`` shows it only when a person watches (a terminal).
    callbacks : sequence of pytorch_lightning.Callback
        Extra callbacks, e.g. ``EarlyStopping``.
    """
    import pytorch_lightning as pl

    # Lightning's banners (GPU/TPU available, tips) say nothing on a CPU run of a small model.
    logging.getLogger("pytorch_lightning.utilities.rank_zero").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*LeafSpec.*")
    warnings.filterwarnings("ignore", message=".*does not have many workers.*")
    warnings.filterwarnings("ignore", message=".*no `val_dataloader`.*")
    show = sys.stderr.isatty() if progress_bar is None else progress_bar
    return pl.Trainer(max_epochs=int(max_epochs), accelerator="cpu", devices=1, logger=False,
                      enable_checkpointing=False, enable_model_summary=False,
                      enable_progress_bar=show, num_sanity_val_steps=0,
                      callbacks=list(callbacks))


def shuffled_batches(tensors, batch_size: int, seed: int, drop_last: bool = False,
                     weights=None, rows_per_epoch: int | None = None):
    """``DataLoader`` of shuffled batches, each taken from the tensors by one index operation.

    The default ``DataLoader`` fetches rows one by one and stacks them; on batches of 30
    rows of 51 floats that costs about a millisecond per step, as much as the step itself.

    Parameters
    ----------
    tensors : sequence of torch.Tensor
        Row-aligned tensors (features, labels).
    batch_size : int
        Rows per batch.
    seed : int
        Seed of the shuffling; the same seed gives the same batches.
    drop_last : bool
        Drop the last, smaller batch.
    weights : sequence of float, optional
        Draw rows with replacement in proportion to these weights, ``rows_per_epoch`` of
        them each epoch (every row once per epoch without weights).
    rows_per_epoch : int, optional
        Rows drawn per epoch with ``weights`` (default: every row's count).
    """
    import torch
    from torch.utils.data import (
        BatchSampler,
        DataLoader,
        RandomSampler,
        TensorDataset,
        WeightedRandomSampler,
    )

    dataset = TensorDataset(*tensors)
    generator = torch.Generator().manual_seed(int(seed))
    if weights is None:
        order = RandomSampler(dataset, generator=generator)
    else:
        order = WeightedRandomSampler(weights, int(rows_per_epoch or len(dataset)),
                                      replacement=True, generator=generator)
    return DataLoader(dataset, sampler=BatchSampler(order, int(batch_size), drop_last),
                      batch_size=None)


def one_batch(tensors):
    """``DataLoader`` of a single batch holding every row (validation rows, in order)."""
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    dataset = TensorDataset(*tensors)
    return DataLoader(dataset, sampler=[torch.arange(len(dataset))], batch_size=None)


def adam(parameters, learning_rate: float, weight_decay: float = 0.0, **kwargs):
    """Adam with the fused kernel (one call per step instead of one per tensor, as on GPU).

    A positive ``weight_decay`` gives AdamW (decoupled decay, as TabM is trained); 0 gives
    plain Adam, step for step what the paper's Keras Adam does.
    """
    import torch

    if weight_decay:
        return torch.optim.AdamW(parameters, learning_rate, weight_decay=float(weight_decay),
                                 fused=True, **kwargs)
    return torch.optim.Adam(parameters, learning_rate, fused=True, **kwargs)


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Train with one intra-op thread, then restore the previous setting.

    The networks here are small (batches of 30-128 rows): a second thread gains little, and
    when another process (a parallel job, a test) keeps the other core busy, OpenMP's
    spinning threads make each step 10-20x slower.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
