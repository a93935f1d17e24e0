"""Score new bonds with a logged model: ``python -m bond_default.score MODEL FILE``.

MODEL is a run id (the run's ``model`` artifact), any MLflow model URI (``runs:/ID/model``,
``models:/NAME/VERSION``) or a registered model's name (its latest version). FILE holds the
indicators in the training data's format (no label needed); it is validated like training
data, rows with gaps are imputed by the model's own preprocessing, and the output has one row
per input row: ``default_probability`` and ``predicted_default`` (at the run's threshold).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path

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


def read_new_bonds(path: str, columns: list[str], id_column: str | None) -> tuple[
        pd.DataFrame, pd.Series | None]:
    """Read and validate ``path`` like training data; the model's input columns, in order."""
    from bond_default.data.file_source import read_table
    from bond_default.data.validation import validate_table

    table = read_table(path)
    ids = None
    if id_column:
        if id_column not in table.columns:
            raise InputError(f"{path} has no column '{id_column}' (--id-column)")
        ids = table.pop(id_column)
    data = validate_table(table, source=path, name=Path(path).stem, label=None,
                          missing="impute")
    absent = [c for c in columns if c not in data.features.columns]
    if absent:
        raise InputError(f"{path} lacks {len(absent)} of the model's {len(columns)} input "
                         f"columns: {', '.join(absent[:6])}{' ...' if len(absent) > 6 else ''}")
    return data.features[columns].astype("float64"), ids


def score(model: str, path: str, tracking_uri: str, threshold: float | None = None,
          id_column: str | None = None) -> pd.DataFrame:
    """Default probabilities and predicted labels of the bonds in ``path``."""
    import mlflow

    mlflow.set_tracking_uri(tracking_uri)
    uri = model_uri(model)
    try:
        loaded = mlflow.pyfunc.load_model(uri)
    except Exception as err:
        raise InputError(f"no model at {uri} in {tracking_uri}: "
                         f"{str(err).splitlines()[0]}") from err
    columns = loaded.metadata.get_input_schema().input_names()
    features, ids = read_new_bonds(path, columns, id_column)
    if threshold is None:
        run_id = loaded.metadata.run_id
        params = mlflow.MlflowClient().get_run(run_id).data.params if run_id else {}
        threshold = float(params.get("threshold", 0.5))
    probability = pd.Series(loaded.predict(features), index=features.index)
    out = pd.DataFrame({"default_probability": probability.to_numpy(),
                        "predicted_default": (probability >= threshold).astype(int).to_numpy()})
    if ids is not None:
        out.insert(0, id_column, ids.to_numpy())
    log.info("scored %d bonds from %s with %s (threshold %.2f): %d predicted to default",
             len(out), path, uri, threshold, int(out["predicted_default"].sum()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bond_default.score",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("model", help="run id, model URI or registered model name")
    parser.add_argument("file", help="CSV, Parquet, Excel or ARFF file of new bonds")
    parser.add_argument("--out", default="scores.csv", help="output CSV (default scores.csv)")
    parser.add_argument("--tracking-uri", default="sqlite:///mlflow.db")
    parser.add_argument("--threshold", type=float, default=None,
                        help="default: the threshold of the run that logged the model")
    parser.add_argument("--id-column", default=None, help="identifier column to carry over")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s] - %(message)s")
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    try:
        out = score(args.model, args.file, args.tracking_uri, args.threshold, args.id_column)
    except InputError as err:
        log.error("%s", err)
        return 2
    out.to_csv(args.out, index=False)
    log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
