"""Each epoch's metrics, handed as the epoch ends to whoever listens (MLflow, in a run)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[int, dict[str, float]], None]

_listener: ContextVar[Listener | None] = ContextVar("epoch_listener", default=None)


@contextmanager
def streaming(listener: Listener) -> Iterator[None]:
    """Within the block, every Lightning classifier calls ``listener(epoch, metrics)`` at the
    end of each epoch (``train_loss``, and with validation ``val_loss``, ``val_roc_auc``)."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def current_listener() -> Listener | None:
    """The listener of the enclosing :func:`streaming` block, if any."""
    return _listener.get()
