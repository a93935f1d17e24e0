"""Where a grid's numbers come from: data, sizes, settings that differ from the paper's,
seeds, commit, date and run ids (the report's header)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

#: Overrides that name the cells of a grid rather than a setting of all of them.
CELL_KEYS = ("classifier", "sampler", "seed")
#: Run params shown as settings: (param, what it is, the paper's value or None).
SETTINGS = (("data.n_bonds", "synthetic bonds generated (the paper: 26,561)", "26561"),
            ("trainer.max_epochs", "epochs of the CNN / FCNN (the paper: 100)", "100"),
            ("trainer.early_stopping", "early stopping on a validation slice (the paper: "
                                       "none)", "False"),
            ("sampler.max_epochs", "epochs of the GAN (the paper: about 2,000)", "2000"),
            ("split.test_size", "test share (the paper: 0.3)", "0.3"),
            ("ratio.oversample", "generated defaulted rows per defaulted row (the paper: "
                                 "2.5)", "2.5"),
            ("ratio.majority_per_minority", "non-defaulted rows kept per defaulted row "
                                            "(the paper: 10)", "10"),
            ("calibration.name", "calibration (the paper: none)", "none"),
            ("threshold.policy", "threshold policy (the paper: fixed 0.5)", "fixed"))

@dataclass
class Provenance:
    """What the report's header says about the grid."""

    experiment: str
    grid_run: str
    grid_name: str
    date: str
    commits: list[str]
    data: str
    source: str
    digest: str
    rows: dict[str, int]
    overrides: list[str]
    swept: dict[str, list[str]]
    settings: list[tuple[str, str, str, bool]]
    seeds: list[str]
    smoke: bool
    n_cells: int
    statuses: dict[str, int] = field(default_factory=dict)


def _source(run) -> tuple[str, str, str]:
    """The training rows' dataset input of ``run``: its name, source and digest."""
    inputs = getattr(run, "inputs", None)
    for item in (inputs.dataset_inputs if inputs else []):
        if any(t.key == "mlflow.data.context" and t.value == "training" for t in item.tags):
            dataset = item.dataset
            try:
                source = json.loads(dataset.source)
            except ValueError:
                source = {"uri": dataset.source}
            text = source.get("uri") or ", ".join(f"{k}={v}" for k, v in
                                                   source.get("tags", {}).items())
            return dataset.name, text, dataset.digest
    return "", "", ""


def provenance(experiment: str, parent, children) -> Provenance:
    """The header of the report of the grid ``parent`` with cells ``children``."""
    tags = [c.data.tags for c in children]
    per_run = [t.get("overrides", "").split() for t in tags]
    common = set(per_run[0]).intersection(*map(set, per_run[1:])) if per_run else set()
    overrides = [o for o in per_run[0] if o in common and o.split("=")[0] not in CELL_KEYS] \
        if per_run else []
    swept: dict[str, list[str]] = {}
    for items in per_run:
        for item in items:
            key, _, value = item.partition("=")
            if item not in common and value not in swept.setdefault(key, []):
                swept[key].append(value)
    first = next((c for c in children if c.info.status == "FINISHED"), children[0])
    name, source, digest = _source(first)
    metrics = first.data.metrics
    rows = {k: int(metrics[k]) for k in ("n_rows", "n_train", "n_train_defaulted", "n_test",
                                           "n_test_defaulted") if k in metrics}
    settings = []
    for param, meaning, paper in SETTINGS:
        values = sorted({c.data.params[param] for c in children if param in c.data.params})
        if values:
            settings.append((param, ", ".join(values), meaning,
                             paper is not None and values != [paper]))
    seeds = sorted({t.get("seed", "") for t in tags}, key=lambda s: (len(s), s))
    started = datetime.fromtimestamp(parent.info.start_time / 1000, tz=UTC)
    return Provenance(
        experiment=experiment, grid_run=parent.info.run_id,
        grid_name=parent.info.run_name or "", date=started.strftime("%Y-%m-%d %H:%M UTC"),
        commits=sorted({t.get("mlflow.source.git.commit", "")[:10] for t in tags} - {""}),
        data=first.data.tags.get("dataset", name), source=source, digest=digest, rows=rows,
        overrides=overrides, swept=swept, settings=settings, seeds=seeds,
        smoke=any(t.get("debug") == "smoke" for t in tags), n_cells=len(children),
        statuses=dict(Counter(c.info.status for c in children)))
