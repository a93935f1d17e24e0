"""How the GAN sees a row: numbers standardised, discrete columns as one-hot codes."""

from __future__ import annotations

import numpy as np


def nearest_level(values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Position in ``levels`` of the level nearest each of ``values``."""
    return np.abs(values[:, None] - levels[None, :]).argmin(axis=1)


class RowCoding:
    """Rows as the GAN sees them, and back: numbers standardised, and each column with 3 to
    ``max_levels`` levels in ``every`` (0: none) as a one-hot block of its levels
    (``sampler.discrete_columns=one_hot``), placed after the numbers.

    Parameters
    ----------
    rows : numpy.ndarray
        The rows the GAN learns from (their means and standard deviations standardise).
    every : numpy.ndarray
        The rows whose levels a discrete column may take (all training rows).
    max_levels : int
        Most levels a one-hot column has; 0 codes every column as a number.

    Attributes
    ----------
    blocks : list of (int, int)
        Start and width of each one-hot block in a coded row.
    width : int
        Width of a coded row.
    """

    def __init__(self, rows: np.ndarray, every: np.ndarray, max_levels: int) -> None:
        self.center, self.scale = rows.mean(axis=0), rows.std(axis=0)
        self.scale[self.scale == 0] = 1.0
        self.levels: dict[int, np.ndarray] = {}
        for column in range(rows.shape[1]):
            levels = np.unique(every[:, column])
            if 3 <= len(levels) <= max_levels:
                self.levels[column] = levels
        self.blocks: list[tuple[int, int]] = []
        start = rows.shape[1] - len(self.levels)  # numbers first, then the blocks
        for levels in self.levels.values():
            self.blocks.append((start, len(levels)))
            start += len(levels)
        self.width = start
        self.numbers = [c for c in range(rows.shape[1]) if c not in self.levels]

    def encode(self, rows: np.ndarray) -> np.ndarray:
        parts = [(rows[:, self.numbers] - self.center[self.numbers]) / self.scale[self.numbers]]
        for column, levels in self.levels.items():
            parts.append(np.eye(len(levels))[nearest_level(rows[:, column], levels)])
        return np.hstack(parts)

    def decode(self, coded: np.ndarray) -> np.ndarray:
        rows = np.empty((len(coded), len(self.numbers) + len(self.levels)))
        rows[:, self.numbers] = coded[:, :len(self.numbers)] * self.scale[self.numbers] \
            + self.center[self.numbers]
        for (start, width), (column, levels) in zip(self.blocks, self.levels.items(),
                                                   strict=True):
            rows[:, column] = levels[coded[:, start:start + width].argmax(axis=1)]
        return rows
