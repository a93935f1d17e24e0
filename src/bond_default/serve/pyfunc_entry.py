"""MLflow's models-from-code entry point of every logged model: the file MLflow runs to
build the model when it loads it (the fitted pipeline comes from the model's artifact)."""

from mlflow.models import set_model

from bond_default.serve.pyfunc_model import DefaultProbabilityModel

set_model(DefaultProbabilityModel())
