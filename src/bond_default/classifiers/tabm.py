"""``classifier=tabm``: TabM over embedded numerical indicators as a scikit-learn classifier."""

from __future__ import annotations

from bond_default.classifiers.lightning_classifier import LightningClassifier


class TabMClassifier(LightningClassifier):
    """TabM (an efficient ensemble of MLPs, Gorishniy et al. 2025) trained by Lightning.

    Built on the maintained packages ``tabm`` and ``rtdl-num-embeddings``
    (:class:`bond_default.classifiers.networks.TabMNet`); trained, validated and stopped
    early like the CNN and the FCNN. Defaults follow the authors' recommendations, sized for
    a CPU: piecewise-linear embeddings with tree-chosen bins, AdamW with weight decay.

    Parameters
    ----------
    embedding : {"piecewise_linear", "periodic", "none"}
        Embedding of the numerical indicators.
    n_bins : int
        Bins per numerical indicator (piecewise-linear embeddings).
    d_embedding : int
        Width of each indicator's embedding.
    k : int
        Members of the ensemble (the authors: 32).
    n_blocks, d_block : int
        Depth and width of the shared MLP.
    dropout : float
        Dropout in the MLP blocks.
    arch_type : {"tabm", "tabm-mini", "tabm-packed"}
        TabM's variant (``tabm``: BatchEnsemble layers throughout).
    max_epochs, batch_size, learning_rate, weight_decay, early_stopping, patience, \
validation_fraction, monitor, fit_output_bias, random_state, progress_bar
        See :class:`LightningClassifier`.
    """

    def __init__(self, embedding="piecewise_linear", n_bins=48, d_embedding=16, k=32,
                 n_blocks=2, d_block=256, dropout=0.1, arch_type="tabm", max_epochs=100,
                 batch_size=256, learning_rate=2e-3, weight_decay=3e-4, early_stopping=True,
                 patience=10, validation_fraction=0.2, monitor="val_roc_auc",
                 fit_output_bias="auto", random_state=None, progress_bar=None):
        super().__init__(max_epochs=max_epochs, batch_size=batch_size,
                         learning_rate=learning_rate, weight_decay=weight_decay,
                         early_stopping=early_stopping, patience=patience,
                         validation_fraction=validation_fraction, monitor=monitor,
                         fit_output_bias=fit_output_bias, random_state=random_state,
                         progress_bar=progress_bar)
        self.embedding = embedding
        self.n_bins = n_bins
        self.d_embedding = d_embedding
        self.k = k
        self.n_blocks = n_blocks
        self.d_block = d_block
        self.dropout = dropout
        self.arch_type = arch_type

    def build_network(self, X, y):
        from bond_default.classifiers.networks import TabMNet

        return TabMNet(X, y, int(y.max()) + 1, self.embedding, self.n_bins, self.d_embedding,
                       self.k, self.n_blocks, self.d_block, self.dropout, self.arch_type)
