"""Opening one Optuna study from the sweeper, its trial jobs and other workers alike."""

from __future__ import annotations

import logging
from pathlib import Path

from bond_default.run.retry import with_backoff

log = logging.getLogger(__name__)

#: Seconds an SQLite writer waits for a lock before giving up (the default 5 s is too short
#: when several trial jobs report at once).
SQLITE_TIMEOUT_S = 60


def default_storage(sweep_dir: str | Path) -> str:
    """The study's SQLite file in the sweep folder (the storage when none is given)."""
    return f"sqlite:///{(Path(sweep_dir) / 'optuna.db').resolve()}"


def storage(url: str):
    """An Optuna RDB storage for ``url``; SQLite files get a long lock timeout."""
    import optuna

    engine_kwargs = {"connect_args": {"timeout": SQLITE_TIMEOUT_S}} if url.startswith(
        "sqlite") else {"pool_pre_ping": True}
    return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs)


def pruner(startup_trials: int):
    """Median pruning from the first fold on, once ``startup_trials`` trials completed."""
    import optuna

    return optuna.pruners.MedianPruner(n_startup_trials=int(startup_trials), n_warmup_steps=0)


def open_study(url: str, name: str, *, seed: int | None = None, startup_trials: int = 5,
               create: bool = False, attempts: int = 8):
    """Load study ``name`` from ``url`` (creating it when ``create``), TPE-sampled, maximised.

    Two processes creating one new SQLite file or study at the same moment can collide in
    schema creation; that is retried with a random back-off instead of failing.
    """
    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    sampler = optuna.samplers.TPESampler(seed=seed, constant_liar=True)

    def open_once():
        if create:
            return optuna.create_study(storage=storage(url), study_name=name, sampler=sampler,
                                       pruner=pruner(startup_trials), direction="maximize",
                                       load_if_exists=True)
        return optuna.load_study(storage=storage(url), study_name=name, sampler=sampler,
                                 pruner=pruner(startup_trials))

    return with_backoff(open_once, (SQLAlchemyError, optuna.exceptions.DuplicatedStudyError),
                        f"opening study {name}", attempts)
