"""The torch networks of the Lightning classifiers: the paper's 1-D CNN, a dense FCNN, TabM."""

from __future__ import annotations

import math
import warnings

import torch
from torch import nn


class Conv1dNet(nn.Module):
    """1-D CNN over the indicators in catalogue order (the paper's Fig. 2).

    Default: Conv(16, k3) Conv(16, k3) MaxPool(3) Conv(64, k3) Conv(64, k3) MaxPool(3)
    Flatten Dense -> 2 logits (softmax in the loss). ``padding="valid"`` convolutions are
    Keras's default, which the paper used; pooling rounds up (51 -> 49 -> 47 -> 16 -> 14 ->
    12 -> 4 positions) so that the last indicators, the macro group, still reach the output
    (rounding down would drop the last 8 inputs, and the paper's SHAP ranks a macro indicator
    15th). An input too short for the network is zero-padded at the end. ``padding="same"``
    keeps the length through each convolution.

    Parameters
    ----------
    n_features, n_classes : int
        Input length and number of output logits.
    conv_blocks : sequence of sequence of int
        Filters of each convolution, grouped in blocks; each block ends with a max-pooling.
    kernel_size, pool_size : int
        Convolution kernel and pooling window.
    dense_units : sequence of int
        Hidden dense layers after flattening (the paper: none).
    dropout : float
        Dropout before each dense layer.
    padding : {"valid", "same"}
        Convolution padding.
    """

    def __init__(self, n_features: int, n_classes: int = 2,
                 conv_blocks=((16, 16), (64, 64)), kernel_size: int = 3, pool_size: int = 3,
                 dense_units=(), dropout: float = 0.0, padding: str = "valid") -> None:
        super().__init__()
        if padding not in ("valid", "same"):
            raise ValueError(f"padding={padding!r}; allowed: 'valid', 'same'")
        layers: list[nn.Module] = []
        channels = 1
        length = 1  # the shortest input that leaves one position after the last pooling
        for block in conv_blocks:
            for filters in block:
                layers += [nn.Conv1d(channels, int(filters), kernel_size, padding=padding),
                           nn.ReLU()]
                channels = int(filters)
            layers.append(nn.MaxPool1d(pool_size, ceil_mode=True))
        if padding == "valid":
            for block in reversed(conv_blocks):
                length = (length - 1) * pool_size + 1 + len(block) * (kernel_size - 1)
        layers.append(nn.Flatten())
        self.features = nn.Sequential(*layers)
        self.input_length = max(int(n_features), length)
        with torch.no_grad():
            width = self.features(torch.zeros(1, 1, self.input_length)).shape[1]
        head: list[nn.Module] = []
        for units in dense_units:
            head += [nn.Dropout(dropout), nn.Linear(width, int(units)), nn.ReLU()]
            width = int(units)
        head += [nn.Dropout(dropout), nn.Linear(width, n_classes)]
        self.head = nn.Sequential(*head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        short = self.input_length - x.shape[1]
        if short > 0:
            x = nn.functional.pad(x, (0, short))
        return self.head(self.features(x.unsqueeze(1)))


class DenseNet(nn.Module):
    """Fully connected network (the paper's FCNN baseline).

    Parameters
    ----------
    n_features, n_classes : int
        Input width and number of output logits.
    hidden_units : sequence of int
        Widths of the hidden layers (ReLU).
    dropout : float
        Dropout after each hidden layer.
    """

    def __init__(self, n_features: int, n_classes: int = 2, hidden_units=(64, 32),
                 dropout: float = 0.0) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = n_features
        for units in hidden_units:
            layers += [nn.Linear(width, int(units)), nn.ReLU(), nn.Dropout(dropout)]
            width = int(units)
        layers.append(nn.Linear(width, n_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class ShiftedLogits(nn.Module):
    """A network whose logits are moved by a fixed offset per class.

    Parameters
    ----------
    network : torch.nn.Module
        Maps rows to one logit per class.
    offsets : sequence of float
        Added to the logits (kept as a buffer: saved and moved with the weights).
    """

    def __init__(self, network: nn.Module, offsets) -> None:
        super().__init__()
        self.network = network
        self.register_buffer("offsets", torch.as_tensor(offsets, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x) + self.offsets


class DefaultScore(nn.Module):
    """A two-logit network's default score as its single output (what SHAP explains).

    Parameters
    ----------
    network : torch.nn.Module
        Maps rows to two logits (not defaulted, defaulted).
    output : {"log-odds", "probability"}
        The defaulted class's log-odds, or its softmax probability (the paper's Keras CNN
        ended in a softmax).
    """

    def __init__(self, network: nn.Module, output: str = "log-odds") -> None:
        super().__init__()
        self.network = network
        self.output = output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.network(x)
        if self.output == "probability":
            return torch.softmax(logits, dim=1)[:, 1:]
        return (logits[:, 1] - logits[:, 0]).unsqueeze(1)


class TabMNet(nn.Module):
    """TabM (Gorishniy et al., ICLR 2025; package ``tabm``): an efficient ensemble of ``k``
    MLPs, over embeddings of the numerical inputs (package ``rtdl-num-embeddings``).

    Columns that hold only 0 and 1 in the training rows (one-hot levels, yes/no indicators,
    missing-value indicators) enter as they are: an embedding of a two-valued input is one
    learned vector per value, which the first layer already is, and embedding them would
    multiply the ensemble's cost by the embedding's width. Every other varying column is
    embedded; a constant column carries nothing and is left out. Inputs stay differentiable
    (gradient SHAP reaches every column). :meth:`loss` trains each member on the batch (the
    mean of their cross-entropies, as TabM's authors train it); :meth:`forward` gives the log
    of the members' mean probability, so that a softmax of it is the ensemble's prediction.

    Parameters
    ----------
    X : numpy.ndarray
        Training rows (preprocessed): they decide the columns' roles and the bins.
    y : numpy.ndarray
        Encoded labels (for target-aware bins).
    n_classes : int
        Output logits.
    embedding : {"piecewise_linear", "periodic", "none"}
        Piecewise-linear embeddings with bins from decision trees on the labels (the
        authors' best on most tables), periodic embeddings, or raw numbers.
    n_bins, d_embedding : int
        Bins per numerical column (piecewise-linear) and the embedding's width.
    k, n_blocks, d_block, dropout, arch_type
        TabM's ensemble size, MLP depth and width, dropout and variant (``tabm``,
        ``tabm-mini``, ``tabm-packed``).
    """

    def __init__(self, X, y, n_classes: int = 2, embedding: str = "piecewise_linear",
                 n_bins: int = 48, d_embedding: int = 16, k: int = 32, n_blocks: int = 2,
                 d_block: int = 512, dropout: float = 0.1, arch_type: str = "tabm") -> None:
        import numpy as np
        import rtdl_num_embeddings as rne
        from tabm import TabM

        super().__init__()
        if embedding not in ("piecewise_linear", "periodic", "none"):
            raise ValueError(f"embedding={embedding!r}; allowed: 'piecewise_linear', "
                             "'periodic', 'none'")
        X = np.asarray(X, dtype=np.float32)
        varies = (X != X[:1]).any(axis=0)
        binary = varies & np.isin(X, (0.0, 1.0)).all(axis=0)
        numeric = varies & ~binary
        if not varies.any():
            numeric[:] = True  # nothing varies: let TabM see it all, unembedded
            embedding = "none"
        self.register_buffer("numeric_columns", torch.as_tensor(np.flatnonzero(numeric)))
        self.register_buffer("binary_columns", torch.as_tensor(np.flatnonzero(binary)))
        n_numeric = int(numeric.sum())
        self.embeddings = None
        if n_numeric and embedding == "piecewise_linear" and len(X) > 2:
            with warnings.catch_warnings():  # a column of few values gets one bin: fine
                warnings.filterwarnings("ignore", message=".*has just two bin edges.*")
                bins = rne.compute_bins(
                    torch.as_tensor(X[:, numeric]), n_bins=max(2, min(int(n_bins), len(X) - 1)),
                    tree_kwargs={"min_samples_leaf": 64, "min_impurity_decrease": 1e-4},
                    y=torch.as_tensor(np.asarray(y)), regression=False)
                self.embeddings = rne.PiecewiseLinearEmbeddings(bins, int(d_embedding),
                                                                activation=False, version="B")
        elif n_numeric and embedding == "periodic":
            self.embeddings = rne.PeriodicEmbeddings(n_numeric, int(d_embedding), lite=False)
        width = n_numeric * (int(d_embedding) if self.embeddings is not None else 1)
        self.k = int(k)
        # the embedded inputs enter TabM flat, as TabM's own num_embeddings would
        self.model = TabM.make(n_num_features=width + int(binary.sum()), d_out=int(n_classes),
                               k=self.k, n_blocks=int(n_blocks), d_block=int(d_block),
                               dropout=float(dropout), arch_type=arch_type,
                               start_scaling_init=None if arch_type == "tabm-packed" else (
                                   "normal" if self.embeddings is not None
                                   else "random-signs"))

    def members(self, x: torch.Tensor) -> torch.Tensor:
        """Each member's logits, shape ``(rows, k, classes)``."""
        parts = []
        if len(self.numeric_columns):
            numeric = x[:, self.numeric_columns]
            parts.append(numeric if self.embeddings is None
                         else self.embeddings(numeric).flatten(1))
        if len(self.binary_columns):
            parts.append(x[:, self.binary_columns])
        return self.model(torch.cat(parts, dim=1))

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy of the members, each on the whole batch."""
        logits = self.members(x)
        return nn.functional.cross_entropy(logits.flatten(0, 1),
                                           y.repeat_interleave(self.k))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        log_probabilities = torch.log_softmax(self.members(x), dim=-1)
        return torch.logsumexp(log_probabilities, dim=1) - math.log(self.k)
