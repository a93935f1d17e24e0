"""From a composed config to one imbalanced-learn Pipeline, every step built by Hydra."""

from __future__ import annotations

from imblearn.pipeline import Pipeline
from omegaconf import DictConfig

from bond_default.classifiers.lightning_classifier import LightningClassifier
from bond_default.pipeline.bond_pipeline import VALIDATION_STEP, BondPipeline
from bond_default.pipeline.fit_row_counter import FitRowCounter
from bond_default.pipeline.validation_holdout import ValidationHoldout


def build_pipeline(cfg: DictConfig) -> Pipeline:
    """``preprocess -> [validation] -> oversample -> undersample -> count -> classifier``.

    ``cfg.classifier.preprocess`` and ``cfg.classifier.estimator``, ``cfg.sampler`` and
    ``cfg.ratio.undersampler`` are instantiated by :func:`hydra.utils.instantiate`.
    ``sampler=none`` (an empty sampler config) leaves the training rows as they are: no
    over- and no under-sampling, the paper's "no oversampling" row. The samplers act only
    inside ``fit``: test rows are never resampled. A classifier that stops early
    (``early_stopping``, the Lightning networks by default) gets a ``validation`` step: its
    ``validation_fraction`` of the real training rows, held out before any resampling.
    """
    from hydra.utils import instantiate

    estimator = instantiate(cfg.classifier.estimator)
    steps = [("preprocess", instantiate(cfg.classifier.preprocess))]
    if isinstance(estimator, LightningClassifier) and estimator.early_stopping:
        steps.append((VALIDATION_STEP, ValidationHoldout(
            fraction=estimator.validation_fraction, random_state=estimator.random_state)))
    if cfg.get("sampler"):
        steps.append(("oversample", instantiate(cfg.sampler)))
        if cfg.ratio.get("undersampler"):
            steps.append(("undersample", instantiate(cfg.ratio.undersampler)))
    steps.append(("count", FitRowCounter()))
    steps.append(("classifier", estimator))
    return BondPipeline(steps)


def set_year_level_columns(pipeline: Pipeline, x_train, year, quiet: bool = False) -> list[str]:
    """The year-level columns of the training rows (constant within each year, and the
    catalogue's), when the pipeline over-samples; the over-sampler is given them when it asks
    (``year_columns: auto``, the GANs), and they are said once in the log (not when
    ``quiet``: the earlier folds of a backtest).

    Every over-sampler's generated rows are judged on them (year-consistency).
    """
    import logging

    from bond_default.data.year_level import year_level_columns

    sampler = pipeline.named_steps.get("oversample")
    if sampler is None:
        return []
    columns = year_level_columns(x_train, year)
    takes_them = getattr(sampler, "year_columns", None) == "auto"
    if takes_them:
        sampler.set_params(year_columns=columns)
    if columns and not quiet:
        logging.getLogger(__name__).info(
            "year-level columns (one value per year)%s: %s",
            "; generated rows take them from a real year of the over-sampled class"
            if takes_them else "", ", ".join(columns))
    return columns
