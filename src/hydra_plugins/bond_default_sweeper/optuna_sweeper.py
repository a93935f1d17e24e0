"""``hydra/sweeper=optuna``: a small Hydra sweeper on current Optuna (TPE, median pruning).

Selected by ``hparams_search=<name>`` (conf/hparams_search/). Each trial is a Hydra job
(``bond_default.search.trial.run_trial``) launched through the configured launcher, so
``hydra/launcher=joblib`` runs trials in parallel. The published hydra-optuna-sweeper pins
optuna < 3; this one keeps to Optuna's ask-and-tell interface.
"""

# No "from __future__ import annotations": Hydra's plugin scan executes this module outside
# sys.modules, where dataclasses cannot resolve string annotations.
import logging
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional

from hydra.core.config_store import ConfigStore
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

log = logging.getLogger(__name__)

BEST_CONFIG = "best.yaml"


def _fail_orphaned_trials(study) -> None:
    """Trials left RUNNING by a sweeper whose process is gone (kill -9) end as FAIL."""
    from optuna.trial import TrialState

    from bond_default.run.lifecycle import PROCESS_TAG, process_is_gone

    orphans = [t for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
               if process_is_gone(t.user_attrs.get(PROCESS_TAG, ""))]
    for trial in orphans:
        study.tell(trial.number, state=TrialState.FAIL)
    if orphans:
        log.info("%d trial(s) left RUNNING by a sweeper that is gone ended as FAIL: %s",
                 len(orphans), ", ".join(str(t.number) for t in orphans))


@contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM until the block is done (main thread; elsewhere a no-op)."""
    held = {signal.SIGINT, signal.SIGTERM}
    main = threading.current_thread() is threading.main_thread()
    if main:
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        if main:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


@dataclass
class OptunaSweeperConf:
    """Settings under ``hydra.sweeper`` (see conf/hparams_search/*.yaml)."""

    _target_: str = "hydra_plugins.bond_default_sweeper.optuna_sweeper.OptunaSweeper"
    study_name: str = "study"
    storage: Optional[str] = None       # any SQLAlchemy URL; None: optuna.db in the sweep dir
    n_trials: int = 20                   # trials this command adds to the study
    n_jobs: int = 1                      # trials launched at once (use the launcher's n_jobs)
    seed: Optional[int] = 0              # TPE's seed (offset by the trials already done)
    pruner_startup_trials: int = 5       # trials completed before any is pruned
    refit: bool = True                   # refit the best on the training split, test it once
    baseline_first: bool = True          # trial 0 of a new study: the config as composed
    params: Dict[str, str] = field(default_factory=dict)


ConfigStore.instance().store(group="hydra/sweeper", name="optuna", node=OptunaSweeperConf,
                             provider="bond_default")


class OptunaSweeper(Sweeper):
    """Ask Optuna for trials, run each as a Hydra job, tell it the job's CV ROC-AUC.

    Parameters
    ----------
    study_name : str
        Name of the study in the storage; the same name resumes it.
    storage : str or None
        SQLAlchemy URL shared by every worker (``postgresql://...`` for several machines);
        ``None`` keeps an SQLite file ``optuna.db`` in the sweep folder.
    n_trials : int
        Trials this command adds (rerunning the command adds as many again).
    n_jobs : int
        Trials launched together, one batch at a time, through the Hydra launcher.
    seed : int or None
        Seed of the TPE sampler; offset by the number of trials already in the study so a
        resumed study does not replay its first suggestions.
    pruner_startup_trials : int
        Median pruning starts once this many trials completed.
    refit : bool
        At the end, fit the best configuration on the whole training split and evaluate it
        once on the test split (an ordinary run, logged under the study's parent run).
    baseline_first : bool
        The first trial of a new study evaluates the searched settings as composed (for
        ``hparams_search=cnn`` the paper's architecture): the baseline the search must beat.
    params : dict of str
        Search space in Hydra's sweep syntax (``choice``, ``range``, ``interval``,
        ``tag(log, ...)``); sweeps given on the command line join it.
    """

    def __init__(self, study_name: str, storage: str | None, n_trials: int, n_jobs: int,
                 seed: int | None, pruner_startup_trials: int, refit: bool,
                 baseline_first: bool = True, params: dict[str, str] | None = None) -> None:
        self.study_name = study_name
        self.storage = storage
        self.n_trials = int(n_trials)
        self.n_jobs = max(int(n_jobs), 1)
        self.seed = seed
        self.pruner_startup_trials = int(pruner_startup_trials)
        self.refit = refit
        self.baseline_first = baseline_first
        self.params = dict(params or {})
        self.hydra_context: HydraContext | None = None
        self.config: DictConfig | None = None
        self.launcher = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction,
              config: DictConfig) -> None:
        from hydra.core.plugins import Plugins

        self.hydra_context = hydra_context
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config)

    def sweep(self, arguments: list[str]) -> Any:
        from hydra.core.override_parser.overrides_parser import OverridesParser

        from bond_default.run.lifecycle import PROCESS_TAG, process_tag
        from bond_default.search.space import parse_space
        from bond_default.search.study import default_storage, open_study

        assert self.config is not None and self.launcher is not None
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        fixed, space = [], dict(self.params)
        for override in parser.parse_overrides(arguments):
            if override.is_sweep_override():
                space[override.get_key_element()] = override.get_value_element_as_str()
            else:
                fixed.append(override.input_line)
        dimensions = parse_space(space)

        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        url = self.storage or default_storage(sweep_dir)
        # Created here, once, before any trial job or launcher worker opens it.
        study = open_study(url, self.study_name, create=True,
                           startup_trials=self.pruner_startup_trials)
        _fail_orphaned_trials(study)
        before = len(study.trials)
        if self.seed is not None:
            study = open_study(url, self.study_name, seed=int(self.seed) + before,
                               startup_trials=self.pruner_startup_trials)
        parent = self._parent_run(study, sweep_dir)
        if self.baseline_first and before == 0:
            study.enqueue_trial(self._configured_values(dimensions), skip_if_exists=True)
        log.info("Optuna study %r in %s: %d trial(s) so far, adding %d (%d at a time)",
                 self.study_name, url, before, self.n_trials, self.n_jobs)

        distributions = {d.key: d.distribution for d in dimensions}
        owner = process_tag()
        launched, returns = 0, []
        while launched < self.n_trials:
            trials = []
            try:
                # Ctrl-C waits until a storage write is done: a trial asked for but not yet
                # in `trials` would otherwise stay RUNNING in the study forever.
                with _signals_held():
                    for _ in range(min(self.n_jobs, self.n_trials - launched)):
                        trials.append(study.ask(distributions))
                        trials[-1].set_user_attr(PROCESS_TAG, owner)
                batch = [fixed + [d.override(t.params[d.key]) for d in dimensions]
                         + [f"search.trial_id={t._trial_id}",  # Trial(study, id) needs it
                            f"hydra.sweep.subdir=trial_{t.number}"] for t in trials]
                self.validate_batch_is_legal(batch)
                results = self.launcher.launch(batch, initial_job_idx=trials[0].number)
                with _signals_held():
                    for trial, result in zip(trials, results, strict=True):
                        self._tell(study, trial, result)
            except BaseException:
                for trial in trials:
                    self._tell_failed(study, trial)  # those already told keep their state
                self._end_parent(parent, "KILLED")
                raise
            returns.append(results)
            launched += len(trials)

        self._finish(study, dimensions, fixed, sweep_dir, parent)
        return returns

    def _configured_values(self, dimensions) -> Dict[str, Any]:
        """The searched settings as the composed config has them, in Optuna's terms; a
        setting the config leaves unset, or sets outside the space, is left to the sampler."""
        from optuna.distributions import CategoricalDistribution

        from bond_default.search.space import format_value

        values = {}
        for d in dimensions:
            value = OmegaConf.select(self.config, d.key)
            if OmegaConf.is_config(value):
                value = OmegaConf.to_container(value, resolve=True)
            if isinstance(value, (list, dict)):
                value = format_value(value)
            if isinstance(d.distribution, CategoricalDistribution):
                inside = value in d.distribution.choices
            else:
                inside = (isinstance(value, (int, float)) and not isinstance(value, bool)
                          and d.distribution.low <= value <= d.distribution.high)
            if inside:
                values[d.key] = value
        return values

    # -- telling Optuna ---------------------------------------------------------------------

    @staticmethod
    def _tell(study, trial, result) -> None:
        from hydra.core.utils import JobStatus
        from optuna.trial import TrialState

        if result.status != JobStatus.COMPLETED:
            log.error("trial %d failed: %s", trial.number, result._return_value)
            study.tell(trial, state=TrialState.FAIL)
            return
        outcome = result.return_value
        if outcome["state"] == "PRUNED":
            study.tell(trial, state=TrialState.PRUNED)
        else:
            study.tell(trial, outcome["value"])

    @staticmethod
    def _tell_failed(study, trial) -> None:
        from optuna.trial import TrialState

        study.tell(trial, state=TrialState.FAIL, skip_if_finished=True)

    # -- MLflow parent run --------------------------------------------------------------------

    def _parent_run(self, study, sweep_dir: Path) -> str:
        """The study's parent run: created once per MLflow store, its id kept in the study, so
        a rerun (or another worker on the same store) logs under the same parent."""
        from mlflow import MlflowClient
        from mlflow.exceptions import MlflowException

        from bond_default.run.tracking import PARENT_RUN_FILE, use_experiment

        tracking = self.config.tracking
        experiment_id = use_experiment(tracking.uri, tracking.experiment)
        client = MlflowClient()
        known = dict(study.user_attrs.get("mlflow_parent_runs", {}))
        run_id = known.get(str(tracking.uri))
        try:
            if run_id:
                client.update_run(run_id, status="RUNNING")
        except MlflowException:  # deleted from the store since
            run_id = None
        if not run_id:
            run_id = client.create_run(
                experiment_id, run_name=f"study {self.study_name}",
                tags={"kind": "study", "study": self.study_name,
                      "sweep_dir": str(sweep_dir.resolve())}).info.run_id
            client.log_dict(run_id, dict(self.params), "search_space.yaml")
            known[str(tracking.uri)] = run_id
            study.set_user_attr("mlflow_parent_runs", known)
        (sweep_dir / PARENT_RUN_FILE).write_text(run_id)
        return run_id

    def _end_parent(self, run_id: str, status: str) -> None:
        from mlflow import MlflowClient

        MlflowClient().set_terminated(run_id, status=status)

    # -- the end: trials table, best config, refit --------------------------------------------

    def _finish(self, study, dimensions, fixed: list[str], sweep_dir: Path,
                parent: str) -> None:
        from mlflow import MlflowClient
        from optuna.trial import TrialState

        client = MlflowClient()
        table = study.trials_dataframe()
        table.to_csv(sweep_dir / "trials.csv", index=False)
        client.log_artifact(parent, str(sweep_dir / "trials.csv"))
        states = table["state"].value_counts().to_dict() if len(table) else {}
        for state in TrialState:  # every state, so that a count that fell to 0 says so
            client.log_metric(parent, f"n_{state.name.lower()}", states.get(state.name, 0))
        if not study.get_trials(states=(TrialState.COMPLETE,)):
            log.error("no trial of study %r completed", self.study_name)
            self._end_parent(parent, "FAILED")
            return
        best = study.best_trial
        overrides = [d.override(best.params[d.key]) for d in dimensions]
        path = self._write_best(best, overrides, fixed, sweep_dir, len(table))
        client.log_artifact(parent, str(path))
        client.log_metric(parent, "best_cv_roc_auc", best.value)
        client.set_tag(parent, "best_trial", str(best.number))
        log.info("best trial %d: mean CV ROC-AUC %.4f with %s", best.number, best.value,
                 " ".join(overrides))
        log.info("rerun it: python train.py --config-dir %s --config-name %s", sweep_dir,
                 path.stem)
        if self.refit:
            self._refit(best, fixed + overrides, client, parent, sweep_dir)
        self._end_parent(parent, "FINISHED")

    def _write_best(self, best, overrides: list[str], fixed: list[str], sweep_dir: Path,
                    n_trials: int) -> Path:
        """A primary config that composes ``train`` with the winner: one command reruns it."""
        from hydra.core.override_parser.overrides_parser import OverridesParser

        choices = dict(self.config.hydra.runtime.choices)
        groups = {k: v for k, v in choices.items()
                  if not k.startswith("hydra") and k != "hparams_search" and v is not None}
        values: dict[str, Any] = {}
        parser = OverridesParser.create()
        for override in parser.parse_overrides(fixed + overrides):
            key = override.get_key_element().lstrip("+~")
            if key.startswith(("hydra.", "search.")) or key == "hparams_search":
                continue
            if key in choices:
                groups[key] = override.value()
            else:
                values[key] = override.value()
        body = OmegaConf.create()
        for key, value in values.items():
            OmegaConf.update(body, key, value, force_add=True)
        defaults = ["train"] + [f"override {k}: {v}" for k, v in sorted(groups.items())]
        lines = [f"# Best of Optuna study {self.study_name!r}: trial {best.number}, mean CV "
                 f"ROC-AUC {best.value:.4f} ({n_trials} trials so far).",
                 "# Fit it on the whole training split and test it:",
                 f"#   python train.py --config-dir {sweep_dir} --config-name "
                 f"{Path(BEST_CONFIG).stem}",
                 "defaults:", *[f"  - {d}" for d in defaults], "  - _self_"]
        text = "\n".join(lines) + "\n"
        if values:
            text += OmegaConf.to_yaml(body)
        path = sweep_dir / BEST_CONFIG
        path.write_text(text)
        return path

    def _refit(self, best, overrides: list[str], client, parent: str,
               sweep_dir: Path) -> None:
        """Fit the best trial's configuration on the training split and test it once; with
        ``tracking.register=auto`` its model is registered, chosen by the mean CV ROC-AUC."""
        import json

        from hydra.core.utils import JobStatus

        from bond_default.run.cell import RESULT_FILE
        from bond_default.run.registry import register_run_model, registers_best

        subdir = f"best_trial_{best.number}"
        job = overrides + [f"hydra.sweep.subdir={subdir}"]
        (result,) = self.launcher.launch([job], initial_job_idx=best.number)
        if result.status == JobStatus.COMPLETED and result.return_value is not None:
            client.log_metric(parent, "best_test_roc_auc", result.return_value)
            log.info("best trial %d refit on the training split: test ROC-AUC %.4f",
                     best.number, result.return_value)
            cell = json.loads((sweep_dir / subdir / RESULT_FILE).read_text())
            if registers_best(self.config):
                register_run_model(cell["run_id"], cell["labels"]["classifier"],
                                   cell["labels"]["sampler"], chosen_by="cv_roc_auc",
                                   value=best.value, context=f"best trial {best.number} of "
                                                            f"study {self.study_name}")
        else:
            log.error("refitting the best trial failed: %s", result._return_value)
