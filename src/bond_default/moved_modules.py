"""Old module paths of moved modules, so that models logged before a move still load.

A logged model holds its fitted pipeline pickled, and a pickle names each class by the
module it was defined in. When this package's layout changed (the pipeline steps went to
``pipeline/``, the scoring command and the pyfunc model to ``serve/``, the lean trainer to
``classifiers/``), models logged before would no longer load in a process that has imported
this package: their classes' modules would be gone. :class:`MovedModuleFinder` answers an
import of an old path with the module at its new one.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

#: old module path -> new module path
MOVED = {
    "bond_default.preprocess": "bond_default.pipeline.preprocess",
    "bond_default.mid_rank_quantile": "bond_default.pipeline.mid_rank_quantile",
    "bond_default.ratio": "bond_default.pipeline.ratio",
    "bond_default.fit_row_counter": "bond_default.pipeline.fit_row_counter",
    "bond_default.validation_holdout": "bond_default.pipeline.validation_holdout",
    "bond_default.lean_trainer": "bond_default.classifiers.lean_trainer",
    "bond_default.pyfunc_model": "bond_default.serve.pyfunc_model",
}

#: classes a pickle names in the module ``bond_default.pipeline``, before it became a package
PIPELINE_NAMES = {"BondPipeline": "bond_default.pipeline.bond_pipeline"}


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module) -> None:
        pass


class MovedModuleFinder(importlib.abc.MetaPathFinder):
    """Import hook that gives an old module path (:data:`MOVED`) the module at its new one."""

    def find_spec(self, fullname, path=None, target=None):
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.util.spec_from_loader(fullname, _Alias(new))


def install() -> None:
    """Put the finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, MovedModuleFinder) for f in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())
