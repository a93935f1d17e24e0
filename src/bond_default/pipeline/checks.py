"""What a cell checks before its run starts, so that a run that cannot work is refused with
one sentence and leaves nothing in MLflow."""

from __future__ import annotations

from imblearn.pipeline import Pipeline

from bond_default.errors import InputError


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


#: Where each pipeline step's parameters are set on the command line.
STEP_SETTINGS = {"preprocess": "classifier.preprocess", "oversample": "sampler",
                 "undersample": "ratio.undersampler", "classifier": "classifier.estimator"}


#: Where each decision wrapper around the pipeline is set (conf/threshold, conf/calibration).
WRAPPER_SETTINGS = {"TunedThresholdClassifierCV": "threshold.tuner",
                    "CalibratedClassifierCV": "calibration.model"}


def _validate(estimator, where: str | None) -> None:
    """An estimator's own parameters against its ``_parameter_constraints``, if it has any."""
    from sklearn.utils._param_validation import InvalidParameterError

    if not hasattr(estimator, "_parameter_constraints"):
        return
    try:
        estimator._validate_params()
    except InvalidParameterError as err:
        message = str(err).rstrip(".")
        raise InputError(f"{message}; set it with an allowed value"
                         + (f" ({where}.<parameter>=...)" if where else "")) from None


def check_parameters(model) -> None:
    """Stop with a sentence when a setting is one its estimator's class does not allow.

    scikit-learn and imbalanced-learn estimators declare what each parameter may be
    (``_parameter_constraints``) and check it only when ``fit`` starts, which is after the
    run has started; here they are checked before: ``model`` is a pipeline, or a pipeline
    inside the calibration and threshold wrappers a cell puts around it (each wrapper's
    ``estimator``). The pipeline's steps are checked first, then the wrappers, inside out.
    """
    wrappers = []
    while not isinstance(model, Pipeline):
        wrappers.append(model)
        model = model.estimator
    for name, step in model.steps:
        _validate(step, STEP_SETTINGS.get(name))
    for wrapper in reversed(wrappers):
        _validate(wrapper, WRAPPER_SETTINGS.get(type(wrapper).__name__))


def check_training_rows(pipeline: Pipeline, cfg, x_train, model=None) -> None:
    """:func:`check_parameters` of ``model`` (the pipeline inside its decision wrappers;
    ``None``: the pipeline alone), then :func:`check_preprocessing` and
    :func:`check_year_columns` on the training rows, as a cell and a search trial make them
    before their runs start."""
    from omegaconf import OmegaConf

    check_parameters(pipeline if model is None else model)
    numeric = str(OmegaConf.select(cfg, "classifier.preprocess.numeric", default="quantile"))
    check_year_columns(pipeline, check_preprocessing(pipeline, x_train, numeric))
