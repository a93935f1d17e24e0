"""How a run ends when its process does: signals become :class:`RunInterrupted`, every run
records the process that owns it, and runs whose process is gone are ended FAILED.

Lightning registers its own SIGTERM handler during ``fit`` but calls the one it found (this
one) too, and re-raises what it raises; SIGINT raises here instead of a KeyboardInterrupt,
which Lightning would turn into ``sys.exit(1)``.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from pathlib import Path

from bond_default.errors import RunInterrupted

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)
#: The tag naming the process that owns a run: ``host:pid:start`` (start: the process's start
#: time in clock ticks since boot, so that a reused pid is not taken for the owner).
PROCESS_TAG = "process"
END_REASON_TAG = "end_reason"


def _raise(signum, _frame) -> None:
    for sig in SIGNALS:  # one interruption: the cleanup that follows is not interrupted again
        signal.signal(sig, signal.SIG_IGN)
    raise RunInterrupted(signum)


def raise_on_signals() -> None:
    """From now on SIGTERM and SIGINT raise :class:`RunInterrupted` (main thread only)."""
    if threading.current_thread() is threading.main_thread():
        for sig in SIGNALS:
            signal.signal(sig, _raise)


def _start_time(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def process_tag() -> str:
    """``host:pid:start`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{_start_time(os.getpid())}"


def process_is_gone(tag: str) -> bool:
    """Whether the process a run's tag names has ended (only said of this host's processes)."""
    host, _, rest = tag.partition(":")
    pid, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return bool(start) and _start_time(int(pid)) != start


def end_orphaned_runs(experiment_id: str) -> int:
    """End as FAILED ("process gone") the RUNNING runs whose process on this host has ended."""
    from mlflow import MlflowClient

    client = MlflowClient()
    ended = 0
    for run in client.search_runs([experiment_id], "attributes.status = 'RUNNING'",
                                  max_results=10_000):
        tag = run.data.tags.get(PROCESS_TAG)
        if tag and process_is_gone(tag):
            client.set_tag(run.info.run_id, END_REASON_TAG, "process gone")
            client.set_terminated(run.info.run_id, status="FAILED")
            ended += 1
    if ended:
        log.info("%d run(s) left RUNNING by a process that is gone ended FAILED", ended)
    return ended
