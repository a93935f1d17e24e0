"""``classifier=fcnn``: a fully connected network as a scikit-learn classifier."""

from __future__ import annotations

from bond_default.classifiers.lightning_classifier import LightningClassifier


class FCNNClassifier(LightningClassifier):
    """Dense network (the paper's FCNN baseline), trained by Lightning.

    Parameters
    ----------
    hidden_units : sequence of int
        Widths of the hidden ReLU layers.
    dropout : float
        Dropout after each hidden layer.
    max_epochs, batch_size, learning_rate, weight_decay, early_stopping, patience, \
validation_fraction, monitor, fit_output_bias, random_state, progress_bar
        See :class:`LightningClassifier`.
    """

    def __init__(self, hidden_units=(64, 32), dropout=0.0, max_epochs=100, batch_size=30,
                 learning_rate=1e-3, weight_decay=0.0, early_stopping=True, patience=10,
                 validation_fraction=0.2, monitor="val_roc_auc", fit_output_bias="auto",
                 random_state=None, progress_bar=None):
        super().__init__(max_epochs=max_epochs, batch_size=batch_size,
                         learning_rate=learning_rate, weight_decay=weight_decay,
                         early_stopping=early_stopping, patience=patience,
                         validation_fraction=validation_fraction, monitor=monitor,
                         fit_output_bias=fit_output_bias, random_state=random_state,
                         progress_bar=progress_bar)
        self.hidden_units = hidden_units
        self.dropout = dropout

    def build_network(self, X, y):
        from bond_default.classifiers.networks import DenseNet

        return DenseNet(X.shape[1], int(y.max()) + 1, self.hidden_units, self.dropout)
