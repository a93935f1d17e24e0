"""Models logged before the package's layout changed still load: their pickles name the old
module paths of the pipeline's classes."""

from __future__ import annotations

import importlib
import pickle

import numpy as np
from conftest import REPO
from hydra import compose, initialize_config_dir

from bond_default.data.synthetic_source import SyntheticSource
from bond_default.moved_modules import MOVED
from bond_default.pipeline.build import build_pipeline


def test_every_old_module_path_is_the_module_at_its_new_one():
    for old, new in MOVED.items():
        assert importlib.import_module(old) is importlib.import_module(new)


def test_a_pipeline_pickled_under_the_old_module_paths_loads_and_scores_the_same():
    with initialize_config_dir(version_base="1.3", config_dir=str(REPO / "conf")):
        cfg = compose("train", overrides=["classifier=lr", "sampler=smote"])
    data = SyntheticSource(n_bonds=3000, seed=4).load()
    pipeline = build_pipeline(cfg).fit(data.features, data.label.to_numpy())
    written = pickle.dumps(pipeline, protocol=0)  # protocol 0 names each class as text
    for old, new in MOVED.items():
        written = written.replace(f"c{new}\n".encode(), f"c{old}\n".encode())
    # BondPipeline lived in the module bond_default.pipeline, now a package
    written = written.replace(b"cbond_default.pipeline.bond_pipeline\n",
                              b"cbond_default.pipeline\n")
    assert b"cbond_default.pipeline.preprocess\n" not in written
    assert b"cbond_default.preprocess\n" in written and b"cbond_default.ratio\n" in written
    loaded = pickle.loads(written)
    assert type(loaded) is type(pipeline)
    rows = data.features.iloc[:200]
    assert np.array_equal(loaded.predict_proba(rows), pipeline.predict_proba(rows))
