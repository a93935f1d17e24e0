"""The one exception for anticipated bad input (files, columns, values, settings)."""


class InputError(ValueError):
    """A bad input the user can fix; its message is one sentence naming what and what is allowed.

    The entry point prints the message without a traceback and exits non-zero, before any
    MLflow run is started.
    """
