"""``classifier=cnn``: the paper's 1-D convolutional network as a scikit-learn classifier."""

from __future__ import annotations

from bond_default.classifiers.lightning_classifier import LightningClassifier


class CNNClassifier(LightningClassifier):
    """1-D CNN over the indicators (columns in catalogue order), trained by Lightning.

    Parameters
    ----------
    conv_blocks : sequence of sequence of int
        Filters per convolution, grouped into blocks that each end in max-pooling
        (the paper: ``[[16, 16], [64, 64]]``).
    kernel_size, pool_size : int
        Convolution kernel (3) and pooling window (3).
    dense_units : sequence of int
        Hidden dense layers after flattening (the paper: none, a dense softmax output).
    dropout : float
        Dropout before the dense layers.
    padding : {"valid", "same"}
        Convolution padding; ``valid`` is Keras's default, which the paper used.
    max_epochs, batch_size, learning_rate, random_state, progress_bar
        See :class:`LightningClassifier` (the paper: 100 epochs, batch 30, Adam).
    """

    def __init__(self, conv_blocks=((16, 16), (64, 64)), kernel_size=3, pool_size=3,
                 dense_units=(), dropout=0.0, padding="valid", max_epochs=100, batch_size=30,
                 learning_rate=1e-3, random_state=None, progress_bar=None):
        super().__init__(max_epochs=max_epochs, batch_size=batch_size,
                         learning_rate=learning_rate, random_state=random_state,
                         progress_bar=progress_bar)
        self.conv_blocks = conv_blocks
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.dense_units = dense_units
        self.dropout = dropout
        self.padding = padding

    def build_network(self, n_features: int, n_classes: int):
        from bond_default.classifiers.networks import Conv1dNet

        return Conv1dNet(n_features, n_classes, self.conv_blocks, self.kernel_size,
                         self.pool_size, self.dense_units, self.dropout, self.padding)
