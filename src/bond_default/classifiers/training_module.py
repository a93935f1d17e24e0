"""Lightning module that trains any logits network with cross-entropy and Adam."""

from __future__ import annotations

import math

import pytorch_lightning as pl
import torch
from torch import nn

#: Batches trained per call of ``training_step`` (Keras's ``steps_per_execution``): the
#: loader hands Lightning this many consecutive batches at once and the step trains them one
#: by one, so Lightning's per-call cost (~0.5 ms, a sixth of a 30-row CNN step here) is paid
#: once per 16 optimiser steps. Same batches, same order, same updates as one per call.
BATCHES_PER_CALL = 16


class LogitsTrainer(pl.LightningModule):
    """Cross-entropy training of ``network``; per-epoch mean loss in :attr:`history`.

    Parameters
    ----------
    network : torch.nn.Module
        Maps a batch of rows to class logits.
    learning_rate : float
        Adam learning rate.
    batch_size : int or None
        Rows per optimiser step. Each loader item may hold several such batches back to back
        (see :data:`BATCHES_PER_CALL`); ``None``: one step per loader item.
    """

    def __init__(self, network: nn.Module, learning_rate: float = 1e-3,
                 batch_size: int | None = None) -> None:
        super().__init__()
        # Manual optimisation: one plain zero_grad/backward/step per batch, without the
        # closure and hook machinery of automatic optimisation (a visible share of a CNN step).
        self.automatic_optimization = False
        self.network = network
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.history: list[dict[str, float]] = []
        self._losses: list[torch.Tensor] = []

    def __setattr__(self, name: str, value) -> None:
        # Lightning names the hook it is in (_current_fx_name) about 30 times per step;
        # nn.Module.__setattr__ checks each value against parameters, buffers and submodules,
        # a visible share of a 30-row CNN step. A hook's name is none of those.
        if name == "_current_fx_name":
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    def transfer_batch_to_device(self, batch, device, dataloader_idx: int):
        # Batches are built on the CPU and trained there: no copy, no walk over the batch.
        return batch if device.type == "cpu" else super().transfer_batch_to_device(
            batch, device, dataloader_idx)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x)

    def configure_optimizers(self):
        from bond_default.lean_trainer import adam

        return adam(self.network.parameters(), self.learning_rate)

    def training_step(self, batch, batch_idx):
        x, y = batch
        optimizer = self.optimizers()
        size = self.batch_size or len(x)
        for start in range(0, len(x), size):
            optimizer.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(self.network(x[start:start + size]),
                                               y[start:start + size])
            self.manual_backward(loss)
            optimizer.step()
            # Kept here, logged once per epoch: self.log on every step costs 20-40% of an epoch.
            self._losses.append(loss.detach())
        return loss

    def on_train_epoch_end(self) -> None:
        if self._losses:
            loss = float(torch.stack(self._losses).mean())
            self.history.append({"train_loss": loss})
            if not math.isfinite(loss):
                self.trainer.should_stop = True  # the wrapper reports it after fit
        self._losses.clear()
