"""Registering a run's model in MLflow's model registry, one name per classifier x sampler.

``tracking.register``: ``auto`` (default) registers the best cell of a grid (by test
ROC-AUC, its mean over seeds; that cell's best seed) and the refit of a search's best trial
(by mean CV ROC-AUC); ``true`` registers every run's model as the run ends; ``false`` none.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

PREFIX = "bond-default"
MODES = ("auto", "true", "false")
#: Tag of a run whose model could not be registered: the name tried and why.
REGISTRATION_ERROR_TAG = "registration_error"


def registered_name(classifier: str, sampler: str) -> str:
    """The registered model's name of a cell: ``bond-default-<classifier>-<sampler>``."""
    return f"{PREFIX}-{classifier}-{sampler}"


def register_mode(value) -> str:
    """``tracking.register`` as one of :data:`MODES` (YAML reads true / false as booleans)."""
    return str(value).lower()


def registers_best(cfg) -> bool:
    """Whether a grid or search registers its chosen model: ``tracking.register=auto`` and
    models logged (with ``tracking.log_model=false`` there is none to register, said once)."""
    from omegaconf import OmegaConf

    if register_mode(OmegaConf.select(cfg, "tracking.register", default="auto")) != "auto":
        return False
    if not OmegaConf.select(cfg, "tracking.log_model", default=True):
        log.info("tracking.log_model=false: no model is logged, so none is registered")
        return False
    return True


def register_run_model(run_id: str, classifier: str, sampler: str, chosen_by: str,
                       value: float | None = None, context: str = "") -> str | None:
    """Register the ``model`` of run ``run_id``; the new version's ``models:/`` URI, or None.

    The version is tagged with the run, the metric that chose it (``chosen_by``) and its
    value; a store or run without the model is said in the log and leaves nothing.
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    client = mlflow.MlflowClient()
    name = registered_name(classifier, sampler)
    tags = {"run_id": run_id, "classifier": classifier, "sampler": sampler,
            "chosen_by": chosen_by}
    if value is not None:
        tags["chosen_value"] = f"{value:.6g}"
    if context:
        tags["chosen_among"] = context
    description = (f"chosen by {chosen_by}" + (f" = {value:.4f}" if value is not None else "")
                   + (f" ({context})" if context else ""))
    try:
        outputs = client.get_run(run_id).outputs
        model_ids = [output.model_id for output in (outputs.model_outputs if outputs else [])]
        if not model_ids:
            raise MlflowException(f"run {run_id} logged no model (tracking.log_model=false?)")
        try:
            client.get_registered_model(name)
        except MlflowException:
            client.create_registered_model(
                name, description=f"Probability of default next year: classifier={classifier}"
                                  f", sampler={sampler} (bond_default). Each version says "
                                  "which run it is and what chose it.")
        version = client.create_model_version(name, f"models:/{model_ids[-1]}", run_id=run_id,
                                              tags=tags, description=description,
                                              model_id=model_ids[-1])
    except MlflowException as err:
        log.warning("the model of run %s was not registered as %s: %s", run_id, name,
                    err.message)
        try:  # the run says it too; the store may be what failed
            client.set_tag(run_id, REGISTRATION_ERROR_TAG, f"{name}: {err.message}"[:5000])
        except MlflowException:
            pass
        return None
    uri = f"models:/{name}/{version.version}"
    log.info("registered the model of run %s as %s (chosen by %s)", run_id, uri, chosen_by)
    return uri
