"""What makes Lightning fast on small tabular models: a lean Trainer, batch loader, Adam."""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager


def epoch_progress_bar(description: str):
    """A Lightning progress bar that counts epochs of ``max_epochs`` with a time estimate.

    Lightning's own bar counts the batches of one epoch (``Epoch 319: 0/1`` for a GAN that
    takes its rows in one batch) and never says how many epochs remain; this one shows
    ``<description>: 319/2000 epochs [00:41<03:20]`` and the last epoch's losses.
    """
    import pytorch_lightning as pl
    from tqdm.auto import tqdm

    class EpochProgressBar(pl.callbacks.ProgressBar):
        def __init__(self) -> None:
            super().__init__()
            self._enabled, self._bar = True, None

        def disable(self) -> None:
            self._enabled = False

        def enable(self) -> None:
            self._enabled = True

        @property
        def is_enabled(self) -> bool:
            return self._enabled

        def on_train_start(self, trainer, pl_module) -> None:
            if self._enabled:
                self._bar = tqdm(total=trainer.max_epochs, desc=description, unit="epoch",
                                 dynamic_ncols=True, file=sys.stderr)

        def on_train_epoch_end(self, trainer, pl_module) -> None:
            if self._bar is None:
                return
            history = getattr(pl_module, "history", None)
            if history:
                self._bar.set_postfix({k.replace("_loss", ""): f"{v:.3g}"
                                       for k, v in history[-1].items()}, refresh=False)
            self._bar.update(1)

        def on_train_end(self, trainer, pl_module) -> None:
            if self._bar is not None:
                self._bar.close()
                self._bar = None

    return EpochProgressBar()


def history_stream(listener, every_seconds: float = 2.0):
    """A Lightning callback that hands the module's per-epoch ``history`` to ``listener``
    every ``every_seconds`` and when training ends: the curves of a GAN's thousands of short
    epochs reach MLflow while it trains, a batch at a time (one store write per epoch would
    cost more than the epochs)."""
    import time

    import pytorch_lightning as pl

    class HistoryStream(pl.Callback):
        def __init__(self) -> None:
            self.sent, self.last = 0, time.monotonic()

        def _flush(self, pl_module) -> None:
            rows = list(enumerate(pl_module.history[self.sent:], start=self.sent + 1))
            if rows:
                log_epochs = getattr(listener, "log_epochs", None)
                if log_epochs is not None:
                    log_epochs(rows)
                else:
                    for epoch, metrics in rows:
                        listener(epoch, metrics)
                self.sent += len(rows)
            self.last = time.monotonic()

        def on_train_epoch_end(self, trainer, pl_module) -> None:
            if time.monotonic() - self.last >= every_seconds:
                self._flush(pl_module)

        def on_train_end(self, trainer, pl_module) -> None:
            self._flush(pl_module)

    return HistoryStream()


def lean_trainer(max_epochs: int, progress_bar: bool | None = None, callbacks=(),
                 description: str = "training"):
    """CPU ``Trainer`` with no logger, checkpointing, model summary or sanity check.

    Parameters
    ----------
    max_epochs : int
        Epochs to train (at most, with an early-stopping callback).
    progress_bar : bool or None
        A bar counting epochs (:func:`epoch_progress_bar`); ``None`` shows it only when a
        person watches (a terminal).
    callbacks : sequence of pytorch_lightning.Callback
        Extra callbacks, e.g. ``EarlyStopping``.
    description : str
        What the bar says is training (``GAN``, ``cnn``).
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
                      callbacks=list(callbacks) + ([epoch_progress_bar(description)]
                                                   if show else []))


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
