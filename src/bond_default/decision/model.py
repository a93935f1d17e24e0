"""The model a cell fits: its pipeline, wrapped by the calibration and the threshold policy
the config asks for, each built by ``hydra.utils.instantiate``."""

from __future__ import annotations

from omegaconf import DictConfig, OmegaConf
from sklearn.pipeline import Pipeline


def build_decision_model(cfg: DictConfig, pipeline):
    """``pipeline``, then ``calibration`` around it, then the threshold ``tuner`` around that.

    ``calibration=prior`` is :class:`bond_default.decision.prior_shift.PriorShiftCalibration`;
    ``isotonic`` and ``sigmoid`` are scikit-learn's ``CalibratedClassifierCV`` fitted on a
    held-out stratified slice of the training rows (real rows: resampling happens inside the
    pipeline's ``fit``, on the other rows only). ``threshold=max_f1`` and ``threshold=cost``
    are scikit-learn's ``TunedThresholdClassifierCV``: the threshold is chosen on
    cross-validated scores of the training rows, never on test rows, and the model is refitted
    on all of them. ``calibration=none`` and ``threshold=fixed`` (or a number) add nothing.
    """
    from hydra.utils import instantiate

    model = pipeline
    if OmegaConf.select(cfg, "calibration.model") is not None:
        model = instantiate(cfg.calibration.model, estimator=model)
    if OmegaConf.select(cfg, "threshold.tuner") is not None:
        model = instantiate(cfg.threshold.tuner, estimator=model)
    return model


def fitted_pipeline(model) -> Pipeline:
    """The fitted pipeline inside a fitted decision model (the one that makes its scores)."""
    while not isinstance(model, Pipeline):
        if hasattr(model, "calibrated_classifiers_"):
            model = model.calibrated_classifiers_[0].estimator
        else:
            model = model.estimator_
    return model


def prior_shift_rates(model) -> dict[str, float]:
    """``calibration_fit_rate`` and ``calibration_true_rate`` of the prior shift inside a
    fitted decision model (the default rate its classifier was fitted at, and the one its
    probabilities are mapped to); empty without ``calibration=prior``."""
    from bond_default.decision.prior_shift import PriorShiftCalibration

    while model is not None and not isinstance(model, (PriorShiftCalibration, Pipeline)):
        model = getattr(model, "estimator_", None)
    if not isinstance(model, PriorShiftCalibration):
        return {}
    return {"calibration_fit_rate": model.fit_rate_, "calibration_true_rate": model.true_rate_}


def calibration_name(cfg: DictConfig) -> str:
    """``none``, ``prior``, ``isotonic`` or ``sigmoid``."""
    return str(OmegaConf.select(cfg, "calibration.name", default=None) or "none")


def decision_threshold(model, cfg: DictConfig) -> float:
    """The threshold chosen on the training rows, or the fixed one."""
    if hasattr(model, "best_threshold_"):
        return float(model.best_threshold_)
    return float(cfg.threshold.value)
