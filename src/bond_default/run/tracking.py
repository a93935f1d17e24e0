"""MLflow plumbing: store and experiment set-up, parent runs, flattening a config into params."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from bond_default.run.retry import with_backoff

log = logging.getLogger(__name__)

PARENT_RUN_FILE = "mlflow_parent_run_id"


#: Bounds of MLflow's own HTTP retries (its documented settings; an environment variable the
#: user set wins): a server that is down fails in seconds, not after MLflow's ~25 minutes.
HTTP_BOUNDS = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "3", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
               "MLFLOW_HTTP_REQUEST_TIMEOUT": "30"}
#: Seconds a tracking server has to accept a connection.
CONNECT_TIMEOUT = 5


SQLITE_PREFIX = "sqlite:///"


def sqlite_path(uri: str) -> Path:
    """The file a ``sqlite:///`` URI names (relative to the current folder unless absolute)."""
    return Path(uri.removeprefix(SQLITE_PREFIX)).expanduser()


def check_store(uri: str) -> None:
    """Raise :class:`InputError` at once when the tracking store at ``uri`` cannot be reached.

    An HTTP(S) server must accept a TCP connection within :data:`CONNECT_TIMEOUT` seconds; an
    SQLite file must sit in a folder that exists and can be written. Other stores (Databricks,
    a database server) are left to MLflow, whose HTTP retries are bounded here.
    """
    import os
    import socket
    from urllib.parse import urlparse

    from bond_default.errors import InputError

    parsed = urlparse(uri)
    if parsed.scheme in ("http", "https"):
        for name, value in HTTP_BOUNDS.items():
            os.environ.setdefault(name, value)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            socket.create_connection((parsed.hostname, port), timeout=CONNECT_TIMEOUT).close()
        except OSError as err:
            raise InputError(f"the MLflow tracking server {uri} cannot be reached "
                             f"({err.strerror or type(err).__name__}); start it, or set "
                             "tracking.uri to a store that is up (default "
                             "sqlite:///mlflow.db)") from None
    elif parsed.scheme == "sqlite":
        path = sqlite_path(uri)
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise InputError(f"tracking.uri={uri}: the folder {folder} does not exist; create "
                             "it or point tracking.uri at another file")
        if not os.access(path if path.exists() else folder, os.W_OK):
            raise InputError(f"tracking.uri={uri}: {path if path.exists() else folder} cannot "
                             "be written; point tracking.uri at a store you can write")


def absolute_store_uri(uri: str) -> str:
    """``uri`` with a relative SQLite path made absolute against the current folder.

    MLflow keeps one store per URI string for the life of a process: ``sqlite:///mlflow.db``
    would still mean the first folder's file after a ``chdir`` (a notebook scoring the models
    of two projects). Other URIs are returned as they are.
    """
    written = uri.removeprefix(SQLITE_PREFIX)
    if not uri.startswith(SQLITE_PREFIX) or written == ":memory:" or Path(written).is_absolute():
        return uri
    return SQLITE_PREFIX + str(sqlite_path(uri).resolve())


def use_experiment(uri: str, experiment: str, attempts: int = 8) -> str:
    """Point MLflow at ``uri`` and make ``experiment`` current, creating it once; its id.

    The store is checked first (:func:`check_store`). Two processes creating one new SQLite
    store (or experiment) at the same moment collide in schema migration or on the
    experiment's unique name; that is retried after a random back-off, by which time the other
    process has finished creating it.
    """
    import mlflow

    check_store(uri)
    mlflow.set_tracking_uri(uri)
    # sqlalchemy / MlflowException, depending on where the collision broke
    found = with_backoff(lambda: mlflow.set_experiment(experiment), (Exception,),
                         f"creating MLflow experiment {experiment}", attempts)
    if any(found.tags.get(key) != value for key, value in EXPERIMENT_TAGS.items()):
        for key, value in EXPERIMENT_TAGS.items():
            mlflow.MlflowClient().set_experiment_tag(found.experiment_id, key, value)
    return found.experiment_id


#: The experiment's description (shown above its runs) and its kind, a training experiment
#: (MLflow 3.17's UI lets its own "GenAI / Model training" toggle override the kind: README).
EXPERIMENT_TAGS = {
    "mlflow.experimentKind": "custom_model_development",
    "mlflow.note.content": (
        "Credit-bond default prediction (bond_default): one run per cell of data x split x "
        "classifier x sampler x ratio x seed; a grid's parent run (tag kind=multirun) holds "
        "its summary. Compare runs by test_roc_auc, test_pr_auc and test_ece; "
        "`python -m bond_default.report` writes the appendix of the latest grid."),
    "task": "binary classification: default in the next year",
}


#: Config entries whose keys are a user's headers or level names: they stay out of the params
#: (in ``config.yaml`` and ``data/profile.csv`` instead), counted.
USER_KEYED = ("data.columns", "data.levels", "data.units")
#: Keys that tell Hydra how to build an object, not how the experiment was set: left out of
#: the params (the tags ``classifier`` and ``sampler`` name the components; ``config.yaml``
#: has everything).
HYDRA_INTERNALS = frozenset({"_target_", "_convert_", "_recursive_", "_partial_", "_args_"})
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
        if str(key) in HYDRA_INTERNALS:
            continue
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
