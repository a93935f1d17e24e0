"""The pipeline layer: from a config to the imbalanced-learn pipeline of a cell
(``build``), its steps (``preprocess``, ``validation_holdout``, ``ratio``, ``fit_row_counter``)
and the checks made before a run starts (``checks``)."""


def __getattr__(name: str):
    # the class of the module this package replaced, for models pickled before the move
    from bond_default.moved_modules import PIPELINE_NAMES

    if name in PIPELINE_NAMES:
        import importlib

        return getattr(importlib.import_module(PIPELINE_NAMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
