"""Each epoch's metrics, handed as the epoch ends to whoever listens (MLflow, in a run)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[int, dict[str, float]], None]
#: Gives the listener of a pipeline step by its name (``classifier``, ``oversample``).
ListenerFor = Callable[[str], Listener]

_listener_for: ContextVar[ListenerFor | None] = ContextVar("epoch_listener", default=None)


@contextmanager
def streaming(listener_for: ListenerFor | None) -> Iterator[None]:
    """Within the block, every Lightning step calls ``listener_for(step)(epoch, metrics)``
    as its epochs end: the classifiers each epoch (``train_loss``, and with validation
    ``val_loss``, ``val_roc_auc``), the GANs every few seconds (``generator_loss``,
    ``discriminator_loss``; a listener's ``log_epochs(rows)``, when it has one, takes them as
    one batch)."""
    token = _listener_for.set(listener_for)
    try:
        yield
    finally:
        _listener_for.reset(token)


def current_listener(step: str = "classifier") -> Listener | None:
    """The listener of pipeline step ``step`` in the enclosing :func:`streaming` block."""
    listener_for = _listener_for.get()
    return None if listener_for is None else listener_for(step)
