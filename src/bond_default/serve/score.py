"""Score new bonds with a logged model: ``python -m bond_default.score MODEL FILE``.

MODEL is a run id (the run's ``model`` artifact), any MLflow model URI (``runs:/ID/model``,
``models:/NAME/VERSION``) or a registered model's name (its latest version). FILE holds the
indicators in the training file's format (no label needed) and is read exactly as the training
run read its file: the same header mapping, level names, blank markers and units (as the run's
``data/profile.csv`` records them); sheets, encodings and the header row are found again. Rows
with gaps are imputed by the model's own preprocessing; an indicator the model needs that is
absent or empty in every row is refused. The output has one row per input row: the id
columns, ``default_probability`` and ``predicted_default`` (at the run's threshold).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys

import pandas as pd

from bond_default.errors import InputError

log = logging.getLogger("bond_default.score")

RUN_ID = re.compile(r"^[0-9a-f]{32}$")


def model_uri(model: str) -> str:
    """A run id, model URI or registered model name as an MLflow model URI."""
    if RUN_ID.match(model):
        return f"runs:/{model}/model"
    if ":/" in model:
        return model
    return f"models:/{model}/latest"


def _training_reader(run_id: str | None, model_columns: list[str], tracking_uri: str):
    """The training run's file reader (its data settings and the units its file had)."""
    import mlflow
    from omegaconf import OmegaConf

    from bond_default.data.catalogue import BY_NAME
    from bond_default.data.file_source import FileSource

    data_cfg, units, mapping = None, {}, {}
    if run_id:
        client = mlflow.MlflowClient(tracking_uri)
        try:
            cfg = OmegaConf.create(mlflow.artifacts.load_text(f"runs:/{run_id}/config.yaml"))
            data_cfg = cfg.get("data")
        except Exception:  # a model logged without its config: catalogue or generic names
            data_cfg = None
        if any(a.path == "data" for a in client.list_artifacts(run_id)):
            names = [a.path for a in client.list_artifacts(run_id, "data")]
            if "data/mapping.yaml" in names:
                import yaml

                mapping = yaml.safe_load(
                    mlflow.artifacts.load_text(f"runs:/{run_id}/data/mapping.yaml")) or {}
            if "data/profile.csv" in names:
                import io

                profile = pd.read_csv(io.StringIO(
                    mlflow.artifacts.load_text(f"runs:/{run_id}/data/profile.csv")))
                units = {r.name: r.unit_in_file for r in profile.itertuples()
                         if r.role == "indicator" and isinstance(r.unit_in_file, str)}
    if data_cfg is not None and str(data_cfg.get("_target_", "")).endswith("FileSource"):
        settings = OmegaConf.to_container(data_cfg, resolve=True)
        settings.pop("_target_", None)
        settings["path"] = "?"
        if mapping:  # the mapping in force in training, columns_file included
            settings.update(columns=mapping.get("columns") or {},
                            levels=mapping.get("levels") or {}, columns_file=None)
        return FileSource(**settings), units
    catalogue = all(c in BY_NAME for c in model_columns)
    return FileSource("?", label="default", year="year",
                      indicators="catalogue" if catalogue else "generic"), units


def read_new_bonds(path: str, model_columns: list[str], reader, units: dict[str, str],
                   id_columns=(), drop_columns=(), sheet=None, header_row=None,
                   encoding=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read ``path`` as the model's training file was read; the model's inputs and the ids."""
    features, ids, _profile = reader.load_new_bonds(
        path, model_columns, units=units, id_columns=list(id_columns),
        drop_columns=list(drop_columns), sheet=sheet, header_row=header_row,
        encoding=encoding)
    return features, ids


def score(model: str, path: str, tracking_uri: str, threshold: float | None = None,
          id_columns=(), drop_columns=(), sheet=None, header_row=None,
          encoding=None) -> pd.DataFrame:
    """Default probabilities and predicted labels of the bonds in ``path``."""
    import mlflow

    if threshold is not None and not 0 <= threshold <= 1:
        raise InputError(f"--threshold {threshold:g} is not a probability; give a value "
                         "between 0 and 1")
    from bond_default.run.tracking import absolute_store_uri, check_store

    check_store(tracking_uri)
    store = absolute_store_uri(tracking_uri)
    mlflow.set_tracking_uri(store)
    uri = model_uri(model)
    try:
        loaded = mlflow.pyfunc.load_model(uri)
    except Exception as err:
        missing = _missing_module(err)
        if missing is not None:
            raise InputError(_missing_module_message(uri, missing)) from err
        raise InputError(f"no model at {uri} in {tracking_uri}: "
                         f"{str(err).splitlines()[0]}") from err
    columns = loaded.metadata.get_input_schema().input_names()
    run_id = loaded.metadata.run_id
    reader, units = _training_reader(run_id, columns, store)
    features, ids = read_new_bonds(path, columns, reader, units, id_columns, drop_columns,
                                   sheet, header_row, encoding)
    metadata = loaded.metadata.metadata or {}
    calibration = metadata.get("calibration", "none")
    if threshold is None:
        threshold = _run_threshold(run_id, metadata)
    probability = pd.Series(loaded.predict(features), index=features.index)
    out = pd.DataFrame({"default_probability": probability.to_numpy(),
                        "predicted_default": (probability >= threshold).astype(int).to_numpy()})
    for position, column in enumerate(ids.columns):
        out.insert(position, column, ids[column].to_numpy())
    log.info("scored %d bonds from %s with %s (probabilities of default with calibration "
             "%s%s; threshold %.3g): %d predicted to default", len(out), path, uri, calibration,
             "" if calibration != "none" else
             ", i.e. at the default rate of the rows the classifier was fitted on",
             threshold, int(out["predicted_default"].sum()))
    return out


def _missing_module(err: BaseException) -> str | None:
    """The module whose import failed while a model was loaded (the error or any error it
    was raised from), or ``None`` when the load failed for another reason."""
    while err is not None:
        if isinstance(err, ModuleNotFoundError) and err.name:
            return err.name
        err = err.__cause__ or err.__context__
    return None


def _missing_module_message(uri: str, module: str) -> str:
    """One sentence for a model that exists but needs a module this environment lacks."""
    package = module.split(".")[0]
    if package == "bond_default":
        return (f"the model at {uri} was logged by a version of bond-default that had the "
                f"module {module}, which this one lacks; score it with the version that "
                "trained it")
    return (f"the model at {uri} needs the Python module {package!r}, which this environment "
            "cannot import; install the package that provides it (the model's requirements.txt "
            "in MLflow lists every package it was logged with) and score again")


def _run_threshold(run_id: str | None, metadata: dict) -> float:
    """The decision threshold of the run that logged the model (chosen or fixed)."""
    import mlflow

    if "decision_threshold" in metadata:
        return float(metadata["decision_threshold"])
    run = mlflow.MlflowClient().get_run(run_id).data if run_id else None
    if run is None:
        return 0.5
    if "decision_threshold" in run.metrics:
        return float(run.metrics["decision_threshold"])
    return float(run.params.get("threshold.value", run.params.get("threshold", 0.5)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bond_default.score",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("model", help="run id, model URI or registered model name")
    parser.add_argument("file", help="CSV, Parquet, Excel or ARFF file of new bonds")
    parser.add_argument("--out", default="scores.csv", help="output CSV (default scores.csv)")
    parser.add_argument("--tracking-uri", default="sqlite:///mlflow.db")
    parser.add_argument("--threshold", type=float, default=None,
                        help="default: the threshold of the run that logged the model")
    parser.add_argument("--id-column", action="append", default=[],
                        help="identifier column to carry over (repeat for more); the training "
                             "run's id columns are carried over too")
    parser.add_argument("--drop-column", action="append", default=[],
                        help="column of the file to ignore (repeat for more)")
    parser.add_argument("--sheet", default=None,
                        help="Excel: the sheet's name or position (1 = first)")
    parser.add_argument("--header-row", type=int, default=None,
                        help="row number of the header (1 = first), instead of finding it")
    parser.add_argument("--encoding", default=None,
                        help="CSV: the file's encoding (default: UTF-8, UTF-8 with BOM or "
                             "GB18030, detected)")
    args = parser.parse_args(argv)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s] - %(message)s")
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    try:
        out = score(args.model, args.file, args.tracking_uri, args.threshold, args.id_column,
                    args.drop_column, args.sheet, args.header_row, args.encoding)
    except InputError as err:
        log.error("%s", err)
        return 2
    out.to_csv(args.out, index=False)
    log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
