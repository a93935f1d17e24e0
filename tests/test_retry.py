"""Retry with back-off of steps that parallel processes race on."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REPO

from bond_default.run import retry


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(retry.time, "sleep", lambda seconds: None)


def _failing(times: int, error: BaseException):
    calls = []

    def step():
        calls.append(1)
        if len(calls) <= times:
            raise error
        return len(calls)

    return step, calls


def test_a_listed_error_is_retried_until_the_step_succeeds():
    step, calls = _failing(3, OSError("database is locked"))
    assert retry.with_backoff(step, (OSError,), "creating a store", attempts=8) == 4
    assert len(calls) == 4


def test_the_last_failure_propagates_and_other_errors_are_not_retried():
    step, calls = _failing(10, OSError("database is locked"))
    with pytest.raises(OSError):
        retry.with_backoff(step, (OSError,), "creating a store", attempts=3)
    assert len(calls) == 3
    step, calls = _failing(10, KeyError("no such study"))
    with pytest.raises(KeyError):
        retry.with_backoff(step, (OSError,), "opening a study", attempts=3)
    assert len(calls) == 1


def test_an_error_the_predicate_does_not_call_a_race_is_not_retried():
    step, calls = _failing(10, OSError("disk full"))
    with pytest.raises(OSError):
        retry.with_backoff(step, (OSError,), "logging", attempts=5,
                           retry_if=lambda err: "locked" in str(err))
    assert len(calls) == 1


def test_two_cells_racing_to_insert_one_dataset_both_log_it(tmp_path, monkeypatch,
                                                            isolated_mlflow):
    """A parallel grid's cells log the same rows; the one that loses the insert retries."""
    import mlflow
    from hydra import compose, initialize_config_dir
    from mlflow.exceptions import MlflowException

    from bond_default.data.synthetic_source import SyntheticSource
    from bond_default.run import dataset_logging

    with initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
        cfg = compose("train", overrides=["data.n_bonds=300"])
    data = SyntheticSource(n_bonds=300, seed=0).load()
    real, calls = mlflow.log_input, []

    def losing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # what MLflow raises for the cell that inserts second
            raise MlflowException("(sqlite3.IntegrityError) UNIQUE constraint failed: "
                                  "datasets.experiment_id, datasets.name, datasets.digest")
        return real(*args, **kwargs)

    monkeypatch.setattr(mlflow, "log_input", losing_once)
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    rows = np.arange(len(data))
    with mlflow.start_run() as run:
        dataset_logging.log_datasets(data, cfg, rows[:200], rows[200:])
    logged = mlflow.get_run(run.info.run_id).inputs.dataset_inputs
    assert len(calls) == 3  # the lost insert, its retry, the test rows
    assert sorted(i.dataset.name for i in logged) == ["synthetic-test", "synthetic-train"]

    def another_error(*args, **kwargs):
        raise MlflowException("RESOURCE_DOES_NOT_EXIST: run gone")

    monkeypatch.setattr(mlflow, "log_input", another_error)
    with mlflow.start_run(), pytest.raises(MlflowException, match="run gone"):
        dataset_logging.log_datasets(data, cfg, rows[:200], rows[200:])
