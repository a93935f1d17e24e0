"""``classifier=cnn``: the paper's 1-D convolutional network as a scikit-learn classifier."""

from __future__ import annotations

from bond_default.classifiers.lightning_classifier import LightningClassifier


class CNNClassifier(LightningClassifier):
    """1-D CNN over the indicators (columns in catalogue order), trained by Lightning.

    The architecture is given by scalars, so that a search can vary each: ``n_blocks``
    blocks of ``convs_per_block`` convolutions, each block ending in max-pooling, with
    ``filters`` filters in the first block and ``filter_growth`` times more in each next
    one. The paper's network is the default: Conv16 Conv16 MaxPool3 Conv64 Conv64 MaxPool3
    Flatten Dense (softmax over 2 classes).

    Parameters
    ----------
    n_blocks : int
        Convolution blocks (the paper: 2).
    convs_per_block : int
        Convolutions in each block (the paper: 2).
    filters : int
        Filters of the first block's convolutions (the paper: 16).
    filter_growth : int
        Factor from one block's filters to the next (the paper: 16 -> 64, 4).
    kernel_size, pool_size : int
        Convolution kernel (3) and pooling window (3).
    padding : {"valid", "same"}
        Convolution padding; ``valid`` is Keras's default, which the paper used.
    dense_width : int
        Units of a hidden dense layer after flattening; 0 (the paper) for none.
    dropout : float
        Dropout before the dense layers.
    max_epochs, batch_size, learning_rate, weight_decay, early_stopping, patience, \
validation_fraction, monitor, fit_output_bias, random_state, progress_bar
        See :class:`LightningClassifier` (the paper: 100 epochs, batch 30, Adam, no early
        stopping).
    """

    def __init__(self, n_blocks=2, convs_per_block=2, filters=16, filter_growth=4,
                 kernel_size=3, pool_size=3, padding="valid", dense_width=0, dropout=0.0,
                 max_epochs=100, batch_size=30, learning_rate=1e-3, weight_decay=0.0,
                 early_stopping=True, patience=10, validation_fraction=0.2,
                 monitor="val_roc_auc", fit_output_bias="auto", random_state=None,
                 progress_bar=None):
        super().__init__(max_epochs=max_epochs, batch_size=batch_size,
                         learning_rate=learning_rate, weight_decay=weight_decay,
                         early_stopping=early_stopping, patience=patience,
                         validation_fraction=validation_fraction, monitor=monitor,
                         fit_output_bias=fit_output_bias, random_state=random_state,
                         progress_bar=progress_bar)
        self.n_blocks = n_blocks
        self.convs_per_block = convs_per_block
        self.filters = filters
        self.filter_growth = filter_growth
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.padding = padding
        self.dense_width = dense_width
        self.dropout = dropout

    def build_network(self, X, y):
        from bond_default.classifiers.networks import Conv1dNet

        blocks = [[int(self.filters) * int(self.filter_growth) ** b] * int(self.convs_per_block)
                  for b in range(int(self.n_blocks))]
        dense = [int(self.dense_width)] if int(self.dense_width) > 0 else []
        return Conv1dNet(X.shape[1], int(y.max()) + 1, blocks, int(self.kernel_size),
                         int(self.pool_size), dense, float(self.dropout), self.padding)
