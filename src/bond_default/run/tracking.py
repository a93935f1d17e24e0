"""MLflow plumbing: store and experiment set-up, parent runs, flattening a config into params."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from bond_default.retry import with_backoff

log = logging.getLogger(__name__)

PARENT_RUN_FILE = "mlflow_parent_run_id"


def use_experiment(uri: str, experiment: str, attempts: int = 8) -> str:
    """Point MLflow at ``uri`` and make ``experiment`` current, creating it once; its id.

    Two processes creating one new SQLite store (or experiment) at the same moment collide
    in schema migration or on the experiment's unique name; that is retried after a random
    back-off, by which time the other process has finished creating it.
    """
    import mlflow

    mlflow.set_tracking_uri(uri)
    # sqlalchemy / MlflowException, depending on where the collision broke
    return with_backoff(lambda: mlflow.set_experiment(experiment).experiment_id, (Exception,),
                        f"creating MLflow experiment {experiment}", attempts)


#: Config entries whose keys are a user's headers or level names: they stay out of the params
#: (in ``config.yaml`` and ``data/profile.csv`` instead), counted.
USER_KEYED = ("data.columns", "data.levels", "data.units")
#: Characters MLflow refuses in a param key (it takes letters of any script, digits, _ - . :
#: and spaces; a slash it takes only where the key stays a clean path, so that goes too).
_KEY_REFUSED = re.compile(r"[^\w\-. :]")


def param_key(key: str) -> str:
    """``key`` with each character MLflow refuses (``(``, ``%``...) replaced by ``_``."""
    return _KEY_REFUSED.sub("_", key)[:250]


def flatten(config: dict, prefix: str = "") -> dict[str, str]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": "1"}``, for MLflow params (keys MLflow accepts)."""
    flat: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}{param_key(str(key))}"
        if name in USER_KEYED and isinstance(value, dict):
            flat[name] = f"{len(value)} entries (config.yaml)"
            continue
        if isinstance(value, dict) and value:
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = str(value)[:6000]
    return flat


def params_of(cfg: DictConfig) -> dict[str, str]:
    """The experiment's resolved settings (data, split, classifier, sampler, ratio, seed...)."""
    resolved = OmegaConf.to_container(cfg, resolve=True)
    resolved.pop("hydra", None)
    return flatten(resolved)


def parent_run_id(sweep_dir: str | Path) -> str | None:
    """Id of the multirun's parent run, written into the sweep directory at its start."""
    marker = Path(sweep_dir) / PARENT_RUN_FILE
    return marker.read_text().strip() if marker.exists() else None
