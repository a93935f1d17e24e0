"""The rows a run saw, as MLflow dataset inputs (the run's Datasets in ``mlflow ui``)."""

from __future__ import annotations

import logging
import warnings
from functools import partial
from pathlib import Path

import numpy as np
from omegaconf import DictConfig, OmegaConf

from bond_default.data.dataset import LABEL, YEAR

log = logging.getLogger(__name__)

#: Settings of the synthetic market that say which rows it generated (with its code version).
GENERATOR_KEYS = ("n_bonds", "seed", "missing")


def dataset_source(cfg: DictConfig):
    """Where the rows came from: the file read, or the generator and its settings."""
    from mlflow.data.code_dataset_source import CodeDatasetSource

    path = OmegaConf.select(cfg, "data.path", default=None)
    if path:
        from mlflow.data.dataset_source_registry import get_registered_sources

        # MLflow registers its local-file source twice, and resolving a bare path warns
        # about the two: the class is taken directly.
        local = next(s for s in get_registered_sources()
                     if s.__name__ == "LocalArtifactDatasetSource")
        return local(str(Path(str(path)).expanduser().resolve()))
    from bond_default import __version__

    settings = {key: str(OmegaConf.select(cfg, f"data.{key}")) for key in GENERATOR_KEYS
                if OmegaConf.select(cfg, f"data.{key}", default=None) is not None}
    return CodeDatasetSource(tags={"generator": str(OmegaConf.select(cfg, "data._target_")),
                                   "bond_default_version": __version__, **settings})


def log_datasets(data, cfg: DictConfig, train: np.ndarray, test: np.ndarray) -> None:
    """Log the training and test rows (indicators, label, year) as the run's inputs.

    Each has a name (``<data>-train``, ``<data>-test``), its source (the file, or the
    synthetic market's generator with its settings), a digest of its rows, and its schema and
    row count; ``label`` is declared as the target.
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    from bond_default.run.retry import with_backoff

    source = dataset_source(cfg)
    frame = data.features.copy()
    frame[LABEL] = data.label.to_numpy()
    if data.year is not None and YEAR not in frame:
        frame[YEAR] = data.year.to_numpy()
    for context, rows in (("training", train), ("testing", test)):
        part = frame.iloc[rows]
        name = f"{data.name}-{'train' if context == 'training' else 'test'}"
        with warnings.catch_warnings():  # its hint is about model signatures, not inputs
            warnings.filterwarnings("ignore", "Hint: Inferred schema contains integer")
            dataset = mlflow.data.from_pandas(part, source=source, targets=LABEL, name=name)
            tags = {"rows": str(len(part)), "defaulted": str(int(part[LABEL].sum()))}
            # cells of a parallel grid log the same rows at once: MLflow looks for the
            # dataset, both insert it, one loses on the unique key; retried, it finds it
            with_backoff(partial(mlflow.log_input, dataset, context=context, tags=tags),
                         (MlflowException,), f"logging the dataset {name}",
                         retry_if=_dataset_insert_race)


def _dataset_insert_race(err: BaseException) -> bool:
    """Whether ``err`` is the unique key of MLflow's datasets table, hit by a parallel cell
    (SQLite's words, PostgreSQL's or MySQL's)."""
    text = str(err)
    return "datasets" in text and any(word in text for word in (
        "UNIQUE constraint failed", "UniqueViolation", "Duplicate entry", "IntegrityError"))
