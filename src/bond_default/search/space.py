"""Search spaces in Hydra's sweep syntax, as Optuna distributions and back as overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PRIMITIVE = (bool, int, float, str)


def format_value(value: Any) -> str:
    """A value as Hydra override text: ``[16,64]``, ``true``, ``null``, ``0.001``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


@dataclass(frozen=True)
class Dimension:
    """One searched setting: its config key and the Optuna distribution of its values.

    Choices that are not plain scalars (lists such as ``[16,64]``) are kept as their
    override text, which Optuna can store and Hydra can read back.
    """

    key: str
    distribution: Any

    def override(self, value: Any) -> str:
        """The Hydra override that sets this dimension to ``value``."""
        return f"{self.key}={format_value(value)}"


def parse_space(params: Mapping[str, str]) -> list[Dimension]:
    """Turn ``{"classifier.estimator.learning_rate": "tag(log, interval(1e-4, 1e-2))"}`` and
    the like into dimensions.

    Supported: ``choice(a, b, ...)`` (or ``a,b``), ``range(start, stop[, step])`` (stop
    excluded, as in Hydra), ``interval(low, high)`` (float; ``int(interval(...))`` for
    integers) and ``tag(log, ...)`` for a log scale.

    Raises
    ------
    ValueError
        For a value that is not a sweep, naming the key and the allowed forms.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    dimensions = []
    for key, text in params.items():
        override = parser.parse_overrides([f"{key}={text}"])[0]
        if not override.is_sweep_override():
            raise ValueError(f"search space: {key}={text} is a single value; use choice(...), "
                             "range(...) or interval(...), optionally tag(log, ...)")
        dimensions.append(Dimension(key, _distribution(override.value())))
    return dimensions


def _distribution(sweep) -> Any:
    from hydra.core.override_parser.types import ChoiceSweep, IntervalSweep, RangeSweep
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    log = "log" in sweep.tags
    if isinstance(sweep, ChoiceSweep):
        choices = [c if isinstance(c, _PRIMITIVE) or c is None else format_value(c)
                   for c in sweep.list]
        return CategoricalDistribution(choices)
    if isinstance(sweep, RangeSweep):
        last = sweep.stop - sweep.step
        if all(isinstance(v, int) for v in (sweep.start, sweep.stop, sweep.step)):
            return IntDistribution(sweep.start, last, log=log, step=1 if log else sweep.step)
        return FloatDistribution(sweep.start, last, step=None if log else sweep.step, log=log)
    if isinstance(sweep, IntervalSweep):
        if isinstance(sweep.start, int) and isinstance(sweep.end, int):
            return IntDistribution(sweep.start, sweep.end, log=log)
        return FloatDistribution(float(sweep.start), float(sweep.end), log=log)
    raise ValueError(f"unsupported sweep {sweep!r}")
