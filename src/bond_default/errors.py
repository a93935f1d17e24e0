"""The one exception for anticipated bad input (files, columns, values, settings)."""


class InputError(ValueError):
    """A bad input the user can fix; its message is one sentence naming what and what is allowed.

    The entry point prints the message without a traceback and exits non-zero. Settings and
    data errors come before any MLflow run is started; errors met while a cell trains end
    its run FAILED with the message saved.
    """


class TrainingDiverged(InputError):
    """A network's training loss stopped being a finite number (usually: learning rate too
    high); training stops at that epoch and the cell fails with this one sentence."""


def check_finite_losses(history: list[dict[str, float]], who: str, learning_rate) -> None:
    """Raise :class:`TrainingDiverged` if the last epoch's losses are NaN or infinite."""
    import math

    if history and not all(math.isfinite(v) for v in history[-1].values()):
        losses = ", ".join(f"{name} {value}" for name, value in history[-1].items())
        raise TrainingDiverged(
            f"{who}'s training diverged at epoch {len(history)} ({losses}); lower "
            f"its learning_rate (now {learning_rate}) or check the input for extreme values")


class RunInterrupted(BaseException):
    """SIGTERM or SIGINT arrived: the cell's run ends KILLED, the grid's summary is written and
    the command exits 128 + the signal's number. A BaseException, like KeyboardInterrupt, so
    that nothing that handles errors mistakes it for one.

    Parameters
    ----------
    signum : int
        The signal's number.
    """

    def __init__(self, signum: int) -> None:
        import signal

        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"interrupted by {self.name}")
