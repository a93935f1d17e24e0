"""Lightning module that trains any logits network with cross-entropy and Adam."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytorch_lightning as pl
import torch
from torch import nn

#: Batches trained per call of ``training_step`` (Keras's ``steps_per_execution``): the
#: loader hands Lightning this many consecutive batches at once and the step trains them one
#: by one, so Lightning's per-call cost (~0.5 ms, a sixth of a 30-row CNN step here) is paid
#: once per 16 optimiser steps. Same batches, same order, same updates as one per call.
BATCHES_PER_CALL = 16

#: What early stopping can watch, and which way is better.
MONITORS = {"val_roc_auc": "max", "val_loss": "min"}


class LogitsTrainer(pl.LightningModule):
    """Cross-entropy training of ``network``; per-epoch metrics in :attr:`history`.

    With a validation loader, each epoch ends with the validation rows' loss and ROC-AUC,
    logged for Lightning's ``EarlyStopping``; the weights of the best epoch by ``monitor`` are
    kept in memory and put back by :meth:`restore_best`. The validation loss is that of the
    probabilities at the validation rows' class rate: a network trained on resampled rows
    (1 defaulted per 10) and judged on real ones (1 per 60) would otherwise be judged on the
    resampling as much as on its ranking, and the epoch it keeps would be the one whose raw
    probabilities happen to sit nearest the real rate (see ``validation_logit_offset``).

    Parameters
    ----------
    network : torch.nn.Module
        Maps a batch of rows to class logits. A network with a ``loss(x, y)`` method (an
        ensemble such as TabM, whose members each get the loss) is trained on that instead.
    learning_rate : float
        Adam learning rate.
    batch_size : int or None
        Rows per optimiser step. Each loader item may hold several such batches back to back
        (see :data:`BATCHES_PER_CALL`); ``None``: one step per loader item.
    weight_decay : float
        Decoupled weight decay (AdamW); 0 is plain Adam, as the paper.
    monitor : {"val_roc_auc", "val_loss"}
        The validation metric that picks the best epoch.
    on_epoch_end : callable or None
        Called with each epoch's number (from 1) and metrics as the epoch ends.
    validation_logit_offset : float
        Added to the second class's logit before the validation loss of a two-class network:
        the log of the validation rows' odds over the training rows' odds, which is the prior
        shift of :func:`bond_default.decision.prior_shift.shift_prior` (0: no shift). The
        ROC-AUC does not depend on it.
    """

    def __init__(self, network: nn.Module, learning_rate: float = 1e-3,
                 batch_size: int | None = None, weight_decay: float = 0.0,
                 monitor: str = "val_roc_auc",
                 on_epoch_end: Callable[[int, dict[str, float]], None] | None = None,
                 validation_logit_offset: float = 0.0) -> None:
        super().__init__()
        # Manual optimisation: one plain zero_grad/backward/step per batch, without the
        # closure and hook machinery of automatic optimisation (a visible share of a CNN step).
        self.automatic_optimization = False
        self.network = network
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.monitor = monitor
        self.on_epoch_end = on_epoch_end
        self.validation_logit_offset = float(validation_logit_offset)
        self.history: list[dict[str, float]] = []
        self.best_epoch: int | None = None
        self._best_value: float | None = None
        self._best_state: dict[str, torch.Tensor] | None = None
        self._losses: list[torch.Tensor] = []
        self._validation: dict[str, float] = {}

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
        from bond_default.classifiers.lean_trainer import adam

        return adam(self.network.parameters(), self.learning_rate, self.weight_decay)

    def _loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        own = getattr(self.network, "loss", None)
        if own is not None:
            return own(x, y)
        return nn.functional.cross_entropy(self.network(x), y)

    def training_step(self, batch, batch_idx):
        x, y = batch
        optimizer = self.optimizers()
        size = self.batch_size or len(x)
        for start in range(0, len(x), size):
            optimizer.zero_grad(set_to_none=True)
            loss = self._loss(x[start:start + size], y[start:start + size])
            self.manual_backward(loss)
            optimizer.step()
            # Kept here, logged once per epoch: self.log on every step costs 20-40% of an epoch.
            self._losses.append(loss.detach())
        return loss

    def validation_step(self, batch, batch_idx):
        from sklearn.metrics import roc_auc_score

        x, y = batch
        logits = self.network(x)
        shifted = logits
        if logits.shape[1] == 2 and self.validation_logit_offset:
            shifted = logits + logits.new_tensor([0.0, self.validation_logit_offset])
        loss = float(nn.functional.cross_entropy(shifted, y))
        probabilities = torch.softmax(logits, dim=1).numpy()
        labels = y.numpy()
        try:  # two classes: the defaulted class's score; more: one against the rest
            auc = float(roc_auc_score(labels, probabilities[:, 1]) if logits.shape[1] == 2
                        else roc_auc_score(labels, probabilities, multi_class="ovr"))
        except ValueError:  # a class missing from the validation rows
            auc = 0.5
        self._validation = {"val_loss": loss, "val_roc_auc": auc}
        # once per epoch (one batch of all validation rows): what EarlyStopping watches
        self.log_dict(self._validation, on_epoch=True, batch_size=len(y))
        value = self._validation[self.monitor]
        better = (self._best_value is None or (value > self._best_value
                                               if MONITORS[self.monitor] == "max"
                                               else value < self._best_value))
        if better and math.isfinite(value):
            self._best_value = value
            self.best_epoch = self.current_epoch + 1
            self._best_state = {k: v.detach().clone()
                                for k, v in self.network.state_dict().items()}

    def on_train_epoch_end(self) -> None:
        if self._losses:
            entry = {"train_loss": float(torch.stack(self._losses).mean()), **self._validation}
            self.history.append(entry)
            if self.on_epoch_end is not None:
                self.on_epoch_end(len(self.history), entry)
            if not math.isfinite(entry["train_loss"]):
                self.trainer.should_stop = True  # the wrapper reports it after fit
        self._losses.clear()
        self._validation = {}

    def restore_best(self) -> None:
        """Put back the weights of the best validation epoch (nothing without validation)."""
        if self._best_state is not None:
            self.network.load_state_dict(self._best_state)
