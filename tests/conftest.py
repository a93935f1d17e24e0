"""Shared helpers: run the real command in a scratch folder and read its MLflow store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: The Polish benchmark (not shipped): beside the repository, or wherever BOND_DEFAULT_POLISH says.
POLISH = Path(os.environ.get("BOND_DEFAULT_POLISH",
                             REPO.parent / "shared" / "data" / "polish_1year.arff"))


def _empty_store() -> Path:
    """An MLflow SQLite store with its schema and no experiment, made once per test process.

    Creating the schema takes a few seconds of every command's start; the commands under test
    find a store as a second command on the same folder would. Tests of how a store comes to
    be (parallel workers creating one, a command that must not create one) ask for none.
    """
    global _EMPTY_STORE
    if _EMPTY_STORE is None:
        import tempfile

        import mlflow

        path = Path(tempfile.mkdtemp(prefix="empty_store_")) / "mlflow.db"
        mlflow.MlflowClient(tracking_uri=f"sqlite:///{path}").search_experiments()
        _EMPTY_STORE = path
    return _EMPTY_STORE


_EMPTY_STORE: Path | None = None


def run_train(args: list[str], cwd: Path, timeout: int = 600,
              fresh_store: bool = False) -> subprocess.CompletedProcess:
    """``python train.py ARGS`` in ``cwd`` (its mlflow.db, mlruns/ and multirun/ land there).

    Unless ``fresh_store`` or the command names another store, ``cwd`` gets an empty
    schema-ready ``mlflow.db`` first (see :func:`_empty_store`).
    """
    import shutil

    store = Path(cwd) / "mlflow.db"
    if not fresh_store and not store.exists() and not any(
            a.startswith("tracking.uri=") for a in args):
        shutil.copyfile(_empty_store(), store)
    env = dict(os.environ, HYDRA_FULL_ERROR="0", PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, str(REPO / "train.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def isolated_mlflow():
    """A test that runs MLflow code in process: the tracking URI and active experiment it
    sets are undone afterwards, so later tests in the same worker start clean."""
    import mlflow
    import mlflow.tracking.fluent as fluent

    uri = mlflow.get_tracking_uri()
    experiment = os.environ.get("MLFLOW_EXPERIMENT_ID")
    yield
    while mlflow.active_run() is not None:
        mlflow.end_run()
    mlflow.set_tracking_uri(uri)
    fluent._active_experiment_id = None
    if experiment is None:
        os.environ.pop("MLFLOW_EXPERIMENT_ID", None)
    else:
        os.environ["MLFLOW_EXPERIMENT_ID"] = experiment


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def runs_in(cwd: Path, experiment: str = "bond-default"):
    """All runs of ``experiment`` in the SQLite store of ``cwd`` (empty if there is none)."""
    import mlflow

    if not (cwd / "mlflow.db").exists():
        return []
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{cwd / 'mlflow.db'}")
    found = client.get_experiment_by_name(experiment)
    if found is None:
        return []
    return client.search_runs([found.experiment_id], max_results=1000)


@pytest.fixture
def polish_path() -> Path:
    if not POLISH.exists():
        pytest.skip(f"the Polish benchmark is not at {POLISH} (set BOND_DEFAULT_POLISH)")
    return POLISH
