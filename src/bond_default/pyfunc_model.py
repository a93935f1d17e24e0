"""The fitted pipeline as an MLflow pyfunc model that returns default probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd
from mlflow.pyfunc import PythonModel


class DefaultProbabilityModel(PythonModel):
    """``predict(raw indicator rows)`` -> probability of default, one per row.

    ``mlflow.pyfunc.load_model(uri).predict(frame)`` applies the whole fitted pipeline
    (preprocessing and classifier; samplers act only in training) to rows in the training
    data's format, with the run's calibration (the model's metadata ``calibration`` says which;
    ``decision_threshold`` is the run's threshold). ``unwrap_python_model().pipeline`` is the
    fitted scikit-learn model: the pipeline, or the calibration / threshold tuner around it.

    Parameters
    ----------
    pipeline : estimator
        The fitted pipeline, or the decision model around it.
    """

    def __init__(self, pipeline) -> None:
        self.pipeline = pipeline

    def predict(self, context, model_input: pd.DataFrame, params=None) -> np.ndarray:
        """Probability that each bond defaults in the outcome year."""
        return self.pipeline.predict_proba(model_input)[:, 1]
