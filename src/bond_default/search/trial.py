"""One Optuna trial as a Hydra job: cross-validated ROC-AUC on the training split only."""

from __future__ import annotations

import logging
import traceback

import numpy as np
from omegaconf import DictConfig

log = logging.getLogger(__name__)

PRUNED = "PRUNED"
COMPLETE = "COMPLETE"


def run_trial(cfg: DictConfig) -> dict:
    """Score the configuration by stratified k-fold ROC-AUC on the training split.

    The sampler sits inside the pipeline, so each fold resamples its own training rows and
    the validation fold is never resampled; the test split is never touched. After each fold
    the AUC is reported to the trial, and a clearly bad trial is pruned (median rule).

    Returns
    -------
    dict
        ``state`` (``COMPLETE`` or ``PRUNED``), ``value`` (mean fold AUC) and ``fold_aucs``.
    """
    import mlflow
    import optuna
    from hydra.core.hydra_config import HydraConfig
    from hydra.utils import instantiate
    from sklearn.base import clone
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    from bond_default.data.loading import load_data
    from bond_default.pipeline.build import build_pipeline, set_year_level_columns
    from bond_default.pipeline.checks import check_enough_defaulted, check_training_rows
    from bond_default.run import run_logging, tracking
    from bond_default.search.study import default_storage, open_study

    hc = HydraConfig.get()
    sweeper = hc.sweeper
    study = open_study(sweeper.storage or default_storage(hc.sweep.dir), sweeper.study_name,
                       startup_trials=sweeper.pruner_startup_trials)
    trial = optuna.Trial(study, int(cfg.search.trial_id))
    choices = hc.runtime.choices

    data = load_data(cfg)
    train, _ = instantiate(cfg.split).split(data, int(cfg.seed))
    x_train, y_train = data.features.iloc[train], data.label.iloc[train].to_numpy()
    folds = StratifiedKFold(int(cfg.search.folds), shuffle=True, random_state=int(cfg.seed))
    pipeline = build_pipeline(cfg)
    check_enough_defaulted(pipeline, int(y_train.sum() * (1 - 1 / folds.n_splits)),
                           str(choices.get("sampler")))
    check_training_rows(pipeline, cfg, x_train)
    # as the refit's (run/cell.py): a GAN takes the detected year-level columns from a real
    # year in every trial, not only the catalogue's
    year_columns = set_year_level_columns(
        pipeline, x_train, None if data.year is None else data.year.iloc[train], quiet=True)

    tracking.use_experiment(cfg.tracking.uri, cfg.tracking.experiment)
    tags = {"kind": "trial", "study": sweeper.study_name, "trial": str(trial.number),
            "classifier": str(choices.get("classifier")),
            "sampler": str(choices.get("sampler")), "seed": str(cfg.seed)}
    with mlflow.start_run(run_name=f"trial {trial.number}", tags=tags,
                          parent_run_id=tracking.parent_run_id(hc.sweep.dir)):
        try:
            mlflow.log_params({k: str(v)[:6000] for k, v in trial.params.items()})
            mlflow.log_params({f"config.{k}": v for k, v in tracking.params_of(cfg).items()
                               if not k.startswith("search.")})
            aucs: list[float] = []
            state = COMPLETE
            for k, (fit_rows, val_rows) in enumerate(folds.split(x_train, y_train)):
                np.random.seed(int(cfg.seed))
                model = clone(pipeline).fit(x_train.iloc[fit_rows], y_train[fit_rows])
                scores = model.predict_proba(x_train.iloc[val_rows])[:, 1]
                aucs.append(float(roc_auc_score(y_train[val_rows], scores)))
                mlflow.log_metric("cv_roc_auc_fold", aucs[-1], step=k)
                log.info("trial %d fold %d: ROC-AUC %.4f", trial.number, k + 1, aucs[-1])
                trial.report(aucs[-1], k)
                if k < folds.n_splits - 1 and trial.should_prune():
                    state = PRUNED
                    break
            if year_columns:
                mlflow.set_tag("year_level_columns", ", ".join(year_columns))
            # the generated rows of the trial's last fold, judged as a cell's are
            run_logging.log_sampler_quality(model, x_train.iloc[fit_rows], y_train[fit_rows],
                                            year_columns)
            value = float(np.mean(aucs))
            mlflow.log_metrics({"cv_roc_auc_mean": value, "cv_folds_done": len(aucs)})
            mlflow.set_tag("state", state)
        except Exception:
            mlflow.set_tag("state", "FAIL")
            mlflow.log_text(traceback.format_exc(), "error.txt")
            raise
    log.info("trial %d %s: mean CV ROC-AUC %.4f over %d fold(s)", trial.number,
             state.lower(), value, len(aucs))
    return {"state": state, "value": value, "fold_aucs": aucs}
