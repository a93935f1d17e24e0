"""Serving a logged model: ``python -m bond_default.score`` (``score``) and the MLflow pyfunc
model every run logs (``pyfunc_model``, entered from ``pyfunc_entry``)."""
