"""The fitted pipeline as an MLflow pyfunc model that returns default probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd
from mlflow.pyfunc import PythonModel

#: The model's artifact holding the fitted scikit-learn model (cloudpickle).
PIPELINE_ARTIFACT = "pipeline"


class DefaultProbabilityModel(PythonModel):
    """``predict(raw indicator rows)`` -> probability of default, one per row.

    ``mlflow.pyfunc.load_model(uri).predict(frame)`` applies the whole fitted pipeline
    (preprocessing and classifier; samplers act only in training) to rows in the training
    data's format, with the run's calibration (the model's metadata ``calibration`` says which;
    ``decision_threshold`` is the run's threshold). ``unwrap_python_model().pipeline`` is the
    fitted scikit-learn model: the pipeline, or the calibration / threshold tuner around it.

    The model is logged from code (``bond_default/serve/pyfunc_entry.py``) with the fitted model as
    its artifact ``pipeline``, read in :meth:`load_context`; models logged before that carry
    it pickled inside this object.

    Parameters
    ----------
    pipeline : estimator, optional
        The fitted pipeline, or the decision model around it; None until loaded.
    """

    def __init__(self, pipeline=None) -> None:
        self.pipeline = pipeline

    def load_context(self, context) -> None:
        """Read the fitted model from the artifact it was logged with."""
        if self.pipeline is None:
            import cloudpickle

            with open(context.artifacts[PIPELINE_ARTIFACT], "rb") as file:
                self.pipeline = cloudpickle.load(file)

    def predict(self, context, model_input: pd.DataFrame, params=None) -> np.ndarray:
        """Probability that each bond defaults in the outcome year."""
        return self.pipeline.predict_proba(model_input)[:, 1]
