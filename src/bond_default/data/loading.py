"""The configured data source, built and loaded: what every run and search trial starts from."""

from __future__ import annotations

from omegaconf import DictConfig, OmegaConf

from bond_default.data.dataset import BondData
from bond_default.errors import InputError


def load_data(cfg: DictConfig) -> BondData:
    """Build the configured data source and load it (validation errors are InputErrors)."""
    from hydra.utils import instantiate

    if OmegaConf.is_missing(cfg.data, "path"):
        raise InputError("data.path is required for this data set: pass "
                         "data.path=/path/to/your/file (CSV, Parquet, Excel or ARFF)")
    return instantiate(cfg.data).load()
