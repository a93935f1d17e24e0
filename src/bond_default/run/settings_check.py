"""Settings checked before any data is loaded: one sentence per bad value, naming what is allowed.

Hydra already rejects unknown options (``classifier=foo`` lists the files of
``conf/classifier/``); this catches values that compose fine but cannot work.
"""

from __future__ import annotations

from collections.abc import Callable

from omegaconf import DictConfig, OmegaConf

from bond_default.errors import InputError
from bond_default.evaluate.explain import METHODS, OUTPUTS

#: (config key, test a value must pass, what is allowed). A key absent from the config, or
#: null where null has a meaning (``ratio.oversample: null`` balances), is not checked.
RULES: tuple[tuple[str, Callable[[float], bool], str], ...] = (
    ("ratio.oversample", lambda v: v >= 0,
     "generated defaulted rows per defaulted row must be 0 or more (the paper: 2.5)"),
    ("ratio.majority_per_minority", lambda v: v >= 1,
     "non-defaulted rows kept per defaulted row must be at least 1 (the paper: 10)"),
    ("split.test_size", lambda v: 0 < v < 1,
     "the test share must lie strictly between 0 and 1 (the paper: 0.3)"),
    ("trainer.max_epochs", lambda v: v >= 1 and v == int(v),
     "epochs must be a whole number of at least 1 (the paper: 100)"),
    ("sampler.max_epochs", lambda v: v >= 1 and v == int(v),
     "GAN epochs must be a whole number of at least 1 (the paper: about 2,000)"),
    ("classifier.estimator.max_epochs", lambda v: v >= 1 and v == int(v),
     "epochs must be a whole number of at least 1"),
    ("classifier.estimator.batch_size", lambda v: v >= 1 and v == int(v),
     "the batch size must be a whole number of at least 1 (the paper: 30)"),
    ("sampler.batch_size", lambda v: v >= 1 and v == int(v),
     "the batch size must be a whole number of at least 1"),
    ("trainer.patience", lambda v: v >= 1 and v == int(v),
     "early stopping's patience must be a whole number of epochs, at least 1"),
    ("trainer.validation_fraction", lambda v: 0 < v < 1,
     "the validation share of the training rows must lie strictly between 0 and 1"),
    ("classifier.estimator.weight_decay", lambda v: v >= 0,
     "weight decay must be 0 (plain Adam) or more"),
    ("threshold.value", lambda v: 0 <= v <= 1,
     "the decision threshold is a probability between 0 and 1"),
    ("threshold.cost_fn", lambda v: v >= 0, "a missed default's cost must be 0 or more"),
    ("threshold.cost_fp", lambda v: v >= 0, "a false alarm's cost must be 0 or more"),
    ("threshold.tuner.cv", lambda v: v >= 2 and v == int(v),
     "the threshold's cross-validation needs a whole number of at least 2 folds"),
    ("calibration.holdout", lambda v: 0 < v < 1,
     "the calibration's share of the training rows must lie strictly between 0 and 1"),
    ("split.first_test_year", lambda v: v == int(v), "the first test year is a whole year"),
    ("data.n_bonds", lambda v: v >= 100 and v == int(v),
     "the synthetic market needs a whole number of at least 100 bonds"),
)

#: (config key, the values it may take).
CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("explain.output", OUTPUTS),
    ("explain.method", METHODS),
    ("trainer.monitor", ("val_roc_auc", "val_loss")),
    ("trainer.early_stopping", (True, False)),
    ("trainer.fit_output_bias", (True, False)),
    ("sampler.train_on", ("minority", "both")),
    ("tracking.register", ("auto", True, False)),
)

#: Over-samplers that live in an optional extra: the module they need, how to install it.
EXTRAS = {"bond_default.samplers.ctgan_oversampler.SynthesizerOverSampler":
          ("ctgan", "pip install -e '.[ctgan]' (the ctgan package pins pandas below 3)")}


def check_config(cfg: DictConfig) -> None:
    """Raise :class:`InputError` for the first setting that cannot work.

    Parameters
    ----------
    cfg : DictConfig
        The composed experiment configuration.
    """
    for key, valid, allowed in RULES:
        value = OmegaConf.select(cfg, key, default=None, throw_on_missing=False)
        if value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InputError(f"{key}={value!r} is not a number: {allowed}") from None
        if not valid(number):
            raise InputError(f"{key}={value} is invalid: {allowed}")
    for key, allowed_values in CHOICES:
        value = OmegaConf.select(cfg, key, default=None, throw_on_missing=False)
        if value is not None and value not in allowed_values:
            raise InputError(f"{key}={value} is invalid: allowed are "
                             f"{', '.join(map(str, allowed_values))}")
    from bond_default.run.registry import register_mode

    if (register_mode(OmegaConf.select(cfg, "tracking.register", default="auto")) == "true"
            and not OmegaConf.select(cfg, "tracking.log_model", default=True)):
        raise InputError("tracking.register=true registers each run's model, and "
                         "tracking.log_model=false logs none: drop one of the two")
    target = OmegaConf.select(cfg, "sampler._target_", default=None)
    if target in EXTRAS:
        import importlib.util

        module, install = EXTRAS[target]
        if importlib.util.find_spec(module) is None:
            model = OmegaConf.select(cfg, "sampler.model", default=module)
            raise InputError(f"sampler={model} needs the {module} package, which is not "
                             f"installed: {install}")
