"""What the model registry gets, and what a run says when its model could not be registered."""

from __future__ import annotations

import pytest
from conftest import REPO
from hydra import compose, initialize_config_dir


def test_a_model_that_cannot_be_registered_is_said_on_its_run(tmp_path, isolated_mlflow):
    import mlflow

    from bond_default.run.registry import REGISTRATION_ERROR_TAG, register_run_model

    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    with mlflow.start_run() as run:  # a run that logged no model
        mlflow.log_metric("test_roc_auc", 0.8)
    assert register_run_model(run.info.run_id, "lr", "none", chosen_by="test") is None
    client = mlflow.MlflowClient()
    tag = client.get_run(run.info.run_id).data.tags[REGISTRATION_ERROR_TAG]
    assert tag.startswith("bond-default-lr-none: ") and "logged no model" in tag
    assert client.search_registered_models() == []


@pytest.mark.parametrize("overrides, registers", [
    ([], True), (["tracking.log_model=false"], False), (["tracking.register=false"], False)])
def test_a_grid_registers_its_best_model_only_when_it_logs_models(overrides, registers):
    from bond_default.run.registry import registers_best

    with initialize_config_dir(version_base="1.3", config_dir=str(REPO / "conf")):
        cfg = compose("train", overrides=overrides)
    assert registers_best(cfg) is registers
