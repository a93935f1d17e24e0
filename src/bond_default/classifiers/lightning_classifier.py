"""scikit-learn classifier around a torch network trained by Lightning (base of CNN and FCNN)."""

from __future__ import annotations

import logging

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from bond_default.errors import check_finite_losses

log = logging.getLogger(__name__)


class LightningClassifier(ClassifierMixin, BaseEstimator):
    """Fit a torch network with Lightning inside ``fit``; ``predict_proba`` by softmax.

    Subclasses say which network to build in :meth:`build_network`. Fitted state (the
    network's weights) is picklable, so the pipeline around it can be logged as one MLflow
    model and cloned by scikit-learn's cross-validation.

    Parameters
    ----------
    max_epochs : int
        Training epochs (``trainer.max_epochs`` on the command line).
    batch_size : int
        Rows per step.
    learning_rate : float
        Adam learning rate.
    random_state : int or None
        Seeds the weights and the batch order.
    progress_bar : bool or None
        Lightning's progress bar; ``None`` shows it only when a person watches.

    Attributes
    ----------
    classes_ : numpy.ndarray
        Class labels seen in ``fit``.
    losses_ : list of dict
        Mean training loss per epoch (the paper's Fig. 4).
    network_ : torch.nn.Module
        The trained network.
    """

    def __init__(self, max_epochs=100, batch_size=30, learning_rate=1e-3, random_state=None,
                 progress_bar=None):
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.progress_bar = progress_bar

    def build_network(self, n_features: int, n_classes: int):
        """The untrained torch network; subclasses decide."""
        raise NotImplementedError

    def fit(self, X, y):
        """Train on ``X, y`` for ``max_epochs`` epochs."""
        import torch

        from bond_default.classifiers.training_module import BATCHES_PER_CALL, LogitsTrainer
        from bond_default.lean_trainer import lean_trainer, one_torch_thread, shuffled_batches

        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        seed = (int(np.random.default_rng().integers(2**31)) if self.random_state is None
                else int(self.random_state))
        torch.manual_seed(seed)
        module = LogitsTrainer(self.build_network(X.shape[1], len(self.classes_)),
                               self.learning_rate, self.batch_size)
        log.info("%s: training on %d rows x %d columns for %d epochs", type(self).__name__,
                 X.shape[0], X.shape[1], self.max_epochs)
        # BATCHES_PER_CALL batches per loader item: the same shuffled order of rows, cut
        # into the same batches by the training step
        loader = shuffled_batches(
            (torch.from_numpy(X), torch.as_tensor(encoded, dtype=torch.long)),
            self.batch_size * BATCHES_PER_CALL, seed)
        with one_torch_thread():
            lean_trainer(self.max_epochs, self.progress_bar).fit(module, loader)
        self.losses_ = list(module.history)
        check_finite_losses(self.losses_, type(self).__name__, self.learning_rate)
        self.network_ = module.network.eval()
        return self

    def predict_proba(self, X):
        """Class probabilities (softmax of the network's logits), columns as ``classes_``."""
        import torch

        check_is_fitted(self, "network_")
        X = validate_data(self, X, dtype=np.float32, reset=False)
        with torch.no_grad():
            logits = self.network_(torch.from_numpy(X))
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
