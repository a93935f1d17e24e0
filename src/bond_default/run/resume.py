"""``resume=true``: a cell already FINISHED with the same resolved configuration is not rerun.

Every cell's run carries the tag ``config_hash``, a fingerprint of its resolved configuration
(seed included; Hydra's own settings and ``resume`` itself left out). Rerunning an
interrupted grid with ``resume=true`` finds the cells that finished, reuses their metrics and
predictions for the summary, and trains only what is missing; the reused run is tagged
``reused_in_<parent run id>``, so the new multirun's cells can all be found in the store.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

log = logging.getLogger(__name__)

TAG = "config_hash"


def reused_in_tag(parent_run_id: str) -> str:
    """Tag of a FINISHED run that a resumed multirun (this parent run) reused as a cell."""
    return f"reused_in_{parent_run_id}"


def config_fingerprint(cfg: DictConfig) -> str:
    """Hex digest of the resolved configuration, the same for the same settings and seed.

    A data file's size and modification time count too: an edited file is new data.
    """
    resolved = OmegaConf.to_container(cfg, resolve=True)
    for key in ("hydra", "resume"):
        resolved.pop(key, None)
    # whether a model is registered changes no result (and fingerprints stay those of runs
    # made before the setting existed)
    resolved.get("tracking", {}).pop("register", None)
    path = OmegaConf.select(cfg, "data.path", default=None, throw_on_missing=False)
    if path and Path(str(path)).is_file():
        stat = Path(str(path)).stat()
        resolved["data_file_stamp"] = [stat.st_size, stat.st_mtime_ns]
    text = json.dumps(resolved, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def finished_run(experiment_id: str, fingerprint: str):
    """The latest FINISHED run of the experiment with this fingerprint, or ``None``."""
    from mlflow import MlflowClient

    runs = MlflowClient().search_runs(
        [experiment_id],
        filter_string=f"tags.{TAG} = '{fingerprint}' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"], max_results=1)
    return runs[0] if runs else None
