"""A Lightning Trainer without the extras that cost time on small tabular models."""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager


def lean_trainer(max_epochs: int, progress_bar: bool | None = None):
    """CPU ``Trainer`` with no logger, checkpointing, model summary or sanity check.

    Parameters
    ----------
    max_epochs : int
        Epochs to train.
    progress_bar : bool or None
        Lightning's progress bar; ``None`` shows it only when a person watches (a terminal).
    """
    import pytorch_lightning as pl

    # Lightning's banners (GPU/TPU available, tips) say nothing on a CPU run of a small model.
    logging.getLogger("pytorch_lightning.utilities.rank_zero").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*LeafSpec.*")
    warnings.filterwarnings("ignore", message=".*does not have many workers.*")
    show = sys.stderr.isatty() if progress_bar is None else progress_bar
    return pl.Trainer(max_epochs=int(max_epochs), accelerator="cpu", devices=1, logger=False,
                      enable_checkpointing=False, enable_model_summary=False,
                      enable_progress_bar=show, num_sanity_val_steps=0)


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
