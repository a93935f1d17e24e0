"""Retry of a step that two processes may race on (creating one SQLite store or study)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def with_backoff(step: Callable[[], T], errors: tuple[type[BaseException], ...], what: str,
                 attempts: int = 8,
                 retry_if: Callable[[BaseException], bool] | None = None) -> T:
    """Run ``step``; on one of ``errors`` wait a random, growing back-off and run it again.

    Two processes creating one new SQLite file at the same moment collide in schema creation
    (or on a unique name); by the time the loser retries, the winner has finished creating it.

    Parameters
    ----------
    step : callable
        The step, without arguments; its result is returned.
    errors : tuple of exception types
        Failures worth retrying; any other error propagates at once.
    what : str
        What the step does, for the debug log.
    attempts : int
        Tries in all; the last failure propagates.
    retry_if : callable, optional
        Of an error of ``errors``, whether it is the race (for an error type as broad as
        ``MlflowException``); the others propagate at once.
    """
    for attempt in range(attempts - 1):
        try:
            return step()
        except errors as err:
            if retry_if is not None and not retry_if(err):
                raise
            log.debug("%s failed (%s); retrying", what, err)
            time.sleep(random.uniform(0.2, 1.0) * (attempt + 1))
    return step()
