"""How many rows resampling produces: the ``ratio`` config group's sampling strategies.

imbalanced-learn samplers accept a callable ``sampling_strategy(y) -> {class: n_rows}``; these
two callables express the paper's rule (2.5 generated defaulted rows per original one, then
10 non-defaulted rows per defaulted row) for any data size.
"""

from __future__ import annotations

import numpy as np


def _counts(y) -> tuple[int, int]:
    y = np.asarray(y)
    return int((y == 0).sum()), int((y == 1).sum())


def _round_half_up(x: float) -> int:
    return int(np.floor(x + 0.5))


class OversampleBy:
    """Sampling strategy of an over-sampler: add ``factor`` x the defaulted rows.

    Parameters
    ----------
    factor : float or None
        Generated defaulted rows per original one (the paper: 2.5). ``None`` balances the
        classes (as many defaulted rows as non-defaulted after resampling).
    """

    def __init__(self, factor: float | None = 2.5) -> None:
        self.factor = factor

    def __call__(self, y) -> dict[int, int]:
        n_majority, n_minority = _counts(y)
        if self.factor is None:
            return {1: max(n_minority, n_majority)}
        return {1: n_minority + _round_half_up(float(self.factor) * n_minority)}

    def __repr__(self) -> str:
        return f"OversampleBy(factor={self.factor})"


class MajorityPerMinority:
    """Sampling strategy of an under-sampler: keep ``ratio`` non-defaulted rows per defaulted.

    Parameters
    ----------
    ratio : float or None
        Non-defaulted rows kept per defaulted row (the paper: 10); ``None`` keeps them all.
        Never asks for more rows than there are.
    """

    def __init__(self, ratio: float | None = 10) -> None:
        self.ratio = ratio

    def __call__(self, y) -> dict[int, int]:
        n_majority, n_minority = _counts(y)
        if self.ratio is None:
            return {0: n_majority}
        return {0: min(n_majority, _round_half_up(float(self.ratio) * n_minority))}

    def __repr__(self) -> str:
        return f"MajorityPerMinority(ratio={self.ratio})"
