"""scikit-learn classifier around a torch network trained by Lightning (base of CNN, FCNN, TabM)."""

from __future__ import annotations

import logging

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from bond_default.errors import check_finite_losses

log = logging.getLogger(__name__)

#: Rows per forward pass when predicting (bounds the memory of a wide ensemble).
PREDICT_CHUNK = 4096


def validation_logit_offset(encoded, y_val) -> float:
    """Log of the validation rows' odds of the second class over the training rows' odds.

    0 without validation rows, with more than two classes, or when a class is missing on
    either side. After over-sampling the training rows' odds are several times the real ones;
    the offset maps the network's logits to the real rows' rate before their loss is taken.
    """
    if y_val is None or max(np.max(encoded), np.max(y_val)) > 1:
        return 0.0
    fit_rate, real_rate = float(np.mean(encoded == 1)), float(np.mean(y_val == 1))
    if not (0 < fit_rate < 1 and 0 < real_rate < 1):
        return 0.0
    return float(np.log(real_rate / (1 - real_rate)) - np.log(fit_rate / (1 - fit_rate)))


def base_rate_offsets(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Offsets of the logits, one per class (the first 0), at the output bias's optimum.

    They minimise the mean cross-entropy of ``softmax(logits + offsets)`` against the encoded
    labels ``y`` with the rest of the network fixed; there each class's mean predicted
    probability equals its share of the rows.
    """
    from scipy.optimize import minimize
    from scipy.special import log_softmax

    logits = np.asarray(logits, dtype=np.float64)
    rows, n_classes = np.arange(len(y)), logits.shape[1]
    shares = np.bincount(y, minlength=n_classes) / len(y)

    def loss_and_gradient(free):
        log_p = log_softmax(logits + np.concatenate([[0.0], free]), axis=1)
        return -log_p[rows, y].mean(), (np.exp(log_p).mean(axis=0) - shares)[1:]

    found = minimize(loss_and_gradient, np.zeros(n_classes - 1), jac=True, method="L-BFGS-B",
                     options={"gtol": 1e-8})
    return np.concatenate([[0.0], found.x])


class LightningClassifier(ClassifierMixin, BaseEstimator):
    """Fit a torch network with Lightning inside ``fit``; ``predict_proba`` by softmax.

    Subclasses say which network to build in :meth:`build_network`. Fitted state (the
    network's weights) is picklable, so the pipeline around it can be logged as one MLflow
    model and cloned by scikit-learn's cross-validation.

    With ``early_stopping`` each epoch ends with the loss and ROC-AUC of validation rows the
    network does not train on; training stops when ``monitor`` has not improved for
    ``patience`` epochs, and the weights of the best epoch are kept. In the project's pipeline
    those rows are real rows cut before any resampling (``fit``'s ``validation``, see
    :class:`bond_default.pipeline.validation_holdout.ValidationHoldout`); alone, the
    classifier cuts a stratified ``validation_fraction`` of the rows it is given.

    Parameters
    ----------
    max_epochs : int
        Training epochs, at most (``trainer.max_epochs`` on the command line).
    batch_size : int
        Rows per step.
    learning_rate : float
        Adam learning rate.
    weight_decay : float
        Decoupled weight decay (AdamW) when positive; 0: plain Adam (the paper).
    early_stopping : bool
        Validate every epoch, stop after ``patience`` epochs without improvement and keep
        the best epoch's weights; ``False``: train exactly ``max_epochs`` (the paper).
    patience : int
        Epochs without improvement of ``monitor`` before training stops.
    validation_fraction : float
        Share of the rows held out for validation when ``fit`` is not given any.
    monitor : {"val_roc_auc", "val_loss"}
        What picks the best epoch: the validation rows' ROC-AUC (the ranking), or their log
        loss with the probabilities mapped from the rate the network trained at to the
        validation rows' own rate (:func:`validation_logit_offset`), which judges the
        probabilities that ``calibration=prior`` hands out.
    fit_output_bias : bool or "auto"
        After training, move the output logits by the offsets at which each class's mean
        predicted probability on the training rows equals its share of them (the output
        bias's log-loss optimum, the rest of the network fixed; :func:`base_rate_offsets`).
        A network stopped after a few epochs is short of it (the default market's CNN,
        stopped at epoch 3, predicted 13.7% on average for rows 9.1% defaulted), and
        ``calibration=prior`` relies on it. The ranking does not change. ``"auto"`` (the
        default): as ``early_stopping``, so ``early_stopping=False`` alone gives the paper's
        network exactly.
    random_state : int or None
        Seeds the weights, the batch order and the validation slice.
    progress_bar : bool or None
        Lightning's progress bar; ``None`` shows it only when a person watches.

    Attributes
    ----------
    classes_ : numpy.ndarray
        Class labels seen in ``fit``.
    losses_ : list of dict
        Per epoch: mean training loss, and with validation ``val_loss`` and ``val_roc_auc``
        (the paper's Fig. 4).
    best_epoch_ : int
        The epoch whose weights the network has (the last one without validation).
    output_offsets_ : numpy.ndarray
        Offsets added to the trained network's logits, one per class (zeros without
        ``fit_output_bias``).
    n_validation_, n_validation_defaulted_ : int
        Validation rows, and of those defaulted (0 without validation).
    network_ : torch.nn.Module
        The trained network.
    """

    #: Checked by scikit-learn's ``_validate_params`` in ``fit``, and by the pipeline's checks
    #: before a run starts (:func:`bond_default.pipeline.checks.check_parameters`).
    _parameter_constraints: dict = {"fit_output_bias": ["boolean", StrOptions({"auto"})]}

    def __init__(self, max_epochs=100, batch_size=30, learning_rate=1e-3, weight_decay=0.0,
                 early_stopping=True, patience=10, validation_fraction=0.2,
                 monitor="val_roc_auc", fit_output_bias="auto", random_state=None,
                 progress_bar=None):
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.monitor = monitor
        self.fit_output_bias = fit_output_bias
        self.random_state = random_state
        self.progress_bar = progress_bar

    def build_network(self, X: np.ndarray, y: np.ndarray):
        """The untrained torch network for training rows ``X`` and encoded labels ``y``."""
        raise NotImplementedError

    def fit(self, X, y, validation=None):
        """Train on ``X, y`` for ``max_epochs`` epochs, or until validation stops improving.

        Parameters
        ----------
        X, y : array-like
            Training rows and labels.
        validation : tuple, callable or None
            ``(X_val, y_val)`` to validate on, or a function returning it (or ``None`` for
            no validation) when training starts; ``None``: with ``early_stopping``, a
            stratified ``validation_fraction`` of ``X, y`` is held out.
        """
        import torch

        from bond_default.classifiers.epoch_metrics import current_listener
        from bond_default.classifiers.lean_trainer import (
            lean_trainer,
            one_batch,
            one_torch_thread,
            shuffled_batches,
        )
        from bond_default.classifiers.training_module import (
            BATCHES_PER_CALL,
            MONITORS,
            LogitsTrainer,
        )

        if self.monitor not in MONITORS:
            raise ValueError(f"monitor={self.monitor!r}; allowed: {sorted(MONITORS)}")
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        seed = (int(np.random.default_rng().integers(2**31)) if self.random_state is None
                else int(self.random_state))
        X, encoded, X_val, y_val = self._validation_rows(X, encoded, validation, seed)
        torch.manual_seed(seed)
        module = LogitsTrainer(self.build_network(X, encoded), self.learning_rate,
                               self.batch_size, float(self.weight_decay), self.monitor,
                               current_listener("classifier"),
                               validation_logit_offset(encoded, y_val))
        callbacks, val_loader = [], None
        if X_val is not None:
            from pytorch_lightning.callbacks import EarlyStopping

            callbacks.append(EarlyStopping(self.monitor, mode=MONITORS[self.monitor],
                                           patience=int(self.patience)))
            val_loader = one_batch((torch.from_numpy(X_val),
                                    torch.as_tensor(y_val, dtype=torch.long)))
        log.info("%s: training on %d rows x %d columns for %s epochs%s", type(self).__name__,
                 X.shape[0], X.shape[1],
                 f"up to {self.max_epochs}" if X_val is not None else self.max_epochs,
                 f", validated on {len(y_val)} real rows ({int(y_val.sum())} of class "
                 f"{self.classes_[-1]})" if X_val is not None else "")
        # BATCHES_PER_CALL batches per loader item: the same shuffled order of rows, cut
        # into the same batches by the training step
        loader = shuffled_batches(
            (torch.from_numpy(X), torch.as_tensor(encoded, dtype=torch.long)),
            self.batch_size * BATCHES_PER_CALL, seed)
        with one_torch_thread():
            lean_trainer(self.max_epochs, self.progress_bar, callbacks,
                         description=type(self).__name__).fit(
                module, loader, val_dataloaders=val_loader)
        self.losses_ = list(module.history)
        check_finite_losses(self.losses_, type(self).__name__, self.learning_rate)
        module.restore_best()
        self.best_epoch_ = module.best_epoch or len(self.losses_)
        self.n_validation_ = 0 if y_val is None else len(y_val)
        self.n_validation_defaulted_ = 0 if y_val is None else int((y_val == 1).sum())
        self.curves_streamed_ = module.on_epoch_end is not None
        if X_val is not None:
            log.info("%s: best epoch %d of %d (%s %.4f)", type(self).__name__,
                     self.best_epoch_, len(self.losses_), self.monitor,
                     self.losses_[self.best_epoch_ - 1][self.monitor])
        self.network_ = self._fit_output_bias(module.network.eval(), X, encoded)
        return self

    def _fit_output_bias(self, network, X, encoded):
        """``network`` with its logits moved to the output bias's optimum on the training
        rows (``fit_output_bias``), or as it is."""
        self.output_offsets_ = np.zeros(len(self.classes_))
        wanted = (self.early_stopping if isinstance(self.fit_output_bias, str)  # "auto"
                  else self.fit_output_bias)
        if not wanted or len(self.classes_) < 2:
            return network
        from scipy.special import softmax

        from bond_default.classifiers.networks import ShiftedLogits

        logits = self._logits(network, X).numpy().astype(np.float64)
        self.output_offsets_ = base_rate_offsets(logits, encoded)
        before = softmax(logits, axis=1).mean(axis=0)
        after = softmax(logits + self.output_offsets_, axis=1).mean(axis=0)
        moved = zip(self.classes_[1:], before[1:], after[1:], strict=True)
        log.info("%s: output bias fitted on the %d training rows: logit offset%s %s, mean "
                 "probability %s (its share of them)", type(self).__name__, len(encoded),
                 "s" if len(self.classes_) > 2 else "",
                 ", ".join(f"{o:+.3f}" for o in self.output_offsets_[1:] -
                           self.output_offsets_[0]),
                 ", ".join(f"of class {c} {b:.4f} -> {a:.4f}" for c, b, a in moved))
        return ShiftedLogits(network, self.output_offsets_).eval()

    @staticmethod
    def _logits(network, X: np.ndarray):
        """The network's logits (a torch tensor) for rows ``X``, a chunk at a time, without
        gradients."""
        import torch

        with torch.no_grad():
            return torch.cat([network(torch.from_numpy(X[i:i + PREDICT_CHUNK]))
                              for i in range(0, max(len(X), 1), PREDICT_CHUNK)])

    def _validation_rows(self, X, encoded, validation, seed):
        """``(X, y, X_val, y_val)``: the rows to train on and to validate on (labels encoded);
        the last two ``None`` without validation."""
        from bond_default.pipeline.validation_holdout import stratified_holdout

        if not self.early_stopping:
            return X, encoded, None, None
        if validation is None:
            split = stratified_holdout(encoded, float(self.validation_fraction), seed)
            if split is None:
                log.warning("%s: too few rows of each class for a validation slice: training "
                            "%d epochs without one", type(self).__name__, self.max_epochs)
                return X, encoded, None, None
            keep, held = split
            return X[keep], encoded[keep], X[held], encoded[held]
        rows = validation() if callable(validation) else validation
        if rows is None:
            return X, encoded, None, None
        X_val = validate_data(self, rows[0], dtype=np.float32, reset=False)
        return X, encoded, X_val, np.searchsorted(self.classes_, np.asarray(rows[1]))

    def predict_proba(self, X):
        """Class probabilities (softmax of the network's logits), columns as ``classes_``."""
        import torch

        check_is_fitted(self, "network_")
        X = validate_data(self, X, dtype=np.float32, reset=False)
        logits = self._logits(self.network_, X)
        return torch.softmax(logits, dim=1).numpy().astype(np.float64)

    def predict(self, X):
        """Most probable class."""
        check_is_fitted(self, "network_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True  # one epoch in the estimator checks
        tags.non_deterministic = self.random_state is None
        return tags
