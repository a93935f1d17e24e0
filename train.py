"""Hydra entry point: one experiment cell per job. See README.md and conf/train.yaml.

    python train.py                                    # the default cell
    python train.py -m classifier=lr,svm,gbdt sampler=none,smote,borderline
"""

import os

import hydra
from omegaconf import DictConfig


@hydra.main(version_base="1.3", config_path="conf", config_name="train")
def main(cfg: DictConfig) -> float | None:
    from bond_default.run.cell import run_job

    return run_job(cfg)


if __name__ == "__main__":
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # resume's downloads
    from bond_default.run.command_line import rewrite_overrides

    rewrite_overrides()
    main()
