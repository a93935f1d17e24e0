"""Running experiments: one cell end to end, its MLflow tracking, and the checks of settings
and command lines that come before it."""
