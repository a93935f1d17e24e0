"""From a composed config to one imbalanced-learn Pipeline, every step built by Hydra."""

from __future__ import annotations

from imblearn.pipeline import Pipeline
from omegaconf import DictConfig

from bond_default.classifiers.lightning_classifier import LightningClassifier
from bond_default.errors import InputError
from bond_default.fit_row_counter import FitRowCounter
from bond_default.validation_holdout import ValidationHoldout

VALIDATION_STEP = "validation"


class BondPipeline(Pipeline):
    """imbalanced-learn ``Pipeline`` that hands its classifier the real rows held out for
    validation (the ``validation`` step, :class:`ValidationHoldout`) when it is fitted.

    The rows are taken when the classifier starts training, after every step before it was
    fitted, so cloned pipelines (cross-validation) hand over their own rows.
    """

    def fit(self, X, y=None, **params):
        """Fit every step; the classifier's ``fit`` gets ``validation``, the held-out rows."""
        if VALIDATION_STEP in self.named_steps:
            params = {**params, f"{self.steps[-1][0]}__validation": self._held_out_rows}
        return super().fit(X, y, **params)

    def _held_out_rows(self):
        return self.named_steps[VALIDATION_STEP].take()


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


def minimum_defaulted_rows(pipeline: Pipeline) -> int:
    """Defaulted training rows the pipeline's over-sampler needs (1 if it has none).

    A sampler may say so itself with a ``min_minority_rows`` attribute; the SMOTE family
    needs ``k_neighbors + 1`` rows.
    """
    sampler = pipeline.named_steps.get("oversample")
    if sampler is None:
        return 1
    if hasattr(sampler, "min_minority_rows"):
        return int(sampler.min_minority_rows)
    k = getattr(sampler, "k_neighbors", None)
    return int(k) + 1 if isinstance(k, int) else 1


def check_enough_defaulted(pipeline: Pipeline, n_defaulted: int, sampler_name: str) -> None:
    """Stop with a clear sentence when the training split is too small for the sampler."""
    needed = minimum_defaulted_rows(pipeline)
    if n_defaulted < needed:
        raise InputError(
            f"sampler={sampler_name} needs at least {needed} defaulted training rows, and the "
            f"training split has {n_defaulted}; use more data, fewer neighbours "
            "(sampler.k_neighbors) or sampler=none"
        )


def check_preprocessing(pipeline: Pipeline, x_train, numeric: str) -> list[str]:
    """Stop with a sentence when the training rows cannot be preprocessed into finite numbers.

    Fits a copy of the pipeline's ``preprocess`` step on the training rows (a second of work
    at most) so that a run that would break there is refused before it starts. Returns the
    names of the columns the step makes (what the over-sampler and the classifier get).
    """
    import warnings

    import numpy as np
    from sklearn.base import clone

    step = clone(pipeline.named_steps["preprocess"])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            made = step.fit_transform(x_train)
            out = np.asarray(made, dtype="float64")
        except (ValueError, ArithmeticError) as err:
            raise InputError(f"the training rows cannot be preprocessed "
                             f"(classifier.preprocess.numeric={numeric}): {err}") from None
    bad = ~np.isfinite(out) | (np.abs(out) > 1e100)
    if bad.any():
        sources = getattr(step, "source_columns_", None) or list(x_train.columns)
        column = sources[int(np.flatnonzero(bad.any(axis=0))[0])]
        peak = float(np.nanmax(np.abs(x_train[column].to_numpy(dtype="float64"))))
        raise InputError(
            f"column '{column}' cannot be scaled with classifier.preprocess.numeric={numeric}: "
            f"its values reach {peak:.3g}, near float64's limit; use "
            "classifier.preprocess.numeric=quantile (or robust), or rescale the column")
    return [str(c) for c in getattr(made, "columns", x_train.columns)]


def check_year_columns(pipeline: Pipeline, columns: list[str]) -> None:
    """Stop with a sentence when ``sampler.year_columns`` names a column the over-sampler will
    not get (``columns``: the preprocess step's output, see :func:`check_preprocessing`)."""
    sampler = pipeline.named_steps.get("oversample")
    named = getattr(sampler, "year_columns", None)
    if named is None or isinstance(named, str):  # null or auto
        return
    unknown = [str(c) for c in named if str(c) not in columns]
    if unknown:
        raise InputError(
            f"sampler.year_columns names {', '.join(repr(c) for c in unknown)}, which "
            f"{'is not a column' if len(unknown) == 1 else 'are not columns'} of the "
            "preprocessed data; allowed: auto (the columns constant within each year), null "
            f"(none), or a list of its numeric columns such as {', '.join(columns[:3])}")
