"""The torch networks of the Lightning classifiers: the paper's 1-D CNN and a dense FCNN."""

from __future__ import annotations

import torch
from torch import nn


class Conv1dNet(nn.Module):
    """1-D CNN over the indicators in catalogue order (the paper's Fig. 2).

    Default: Conv(16, k3) Conv(16, k3) MaxPool(3) Conv(64, k3) Conv(64, k3) MaxPool(3)
    Flatten Dense -> 2 logits (softmax in the loss). Convolutions pad to keep the length and
    pooling rounds up, so any number of indicators (even one) fits.

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
    """

    def __init__(self, n_features: int, n_classes: int = 2,
                 conv_blocks=((16, 16), (64, 64)), kernel_size: int = 3, pool_size: int = 3,
                 dense_units=(), dropout: float = 0.0) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 1
        for block in conv_blocks:
            for filters in block:
                layers += [nn.Conv1d(channels, int(filters), kernel_size, padding="same"),
                           nn.ReLU()]
                channels = int(filters)
            layers.append(nn.MaxPool1d(pool_size, ceil_mode=True))
        layers.append(nn.Flatten())
        self.features = nn.Sequential(*layers)
        with torch.no_grad():
            width = self.features(torch.zeros(1, 1, n_features)).shape[1]
        head: list[nn.Module] = []
        for units in dense_units:
            head += [nn.Dropout(dropout), nn.Linear(width, int(units)), nn.ReLU()]
            width = int(units)
        head += [nn.Dropout(dropout), nn.Linear(width, n_classes)]
        self.head = nn.Sequential(*head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
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
