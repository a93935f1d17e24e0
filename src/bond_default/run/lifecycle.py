"""How a run ends when its process does: signals become :class:`RunInterrupted`, every run
records the process that owns it, and runs whose process is gone are ended FAILED.

Lightning registers its own SIGTERM handler during ``fit`` but calls the one it found (this
one) too, and re-raises what it raises; SIGINT raises here instead of a KeyboardInterrupt,
which Lightning would turn into ``sys.exit(1)``.
"""

from __future__ import annotations

import contextlib
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


def raise_on_signals() -> dict:
    """From now on SIGTERM and SIGINT raise :class:`RunInterrupted` (main thread only); the
    handlers they replace, for :func:`restore_signals`."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, _raise) for sig in SIGNALS}


def restore_signals(previous: dict) -> None:
    """Put back the handlers :func:`raise_on_signals` replaced (unless a signal came: then
    they stay ignored while the command ends)."""
    for sig, handler in previous.items():
        if signal.getsignal(sig) is _raise and handler is not None:
            signal.signal(sig, handler)


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


#: Set by the process that starts a grid (to its pid): its launcher's workers inherit it.
GRID_OWNER_ENV = "BOND_DEFAULT_GRID_PID"
#: Seconds the grid's process waits for its workers to end their cells after passing a signal.
WORKER_GRACE_S = 60


def owns_the_grid() -> bool:
    """Whether this process started the grid (and so writes its summary), not a worker."""
    return os.environ.get(GRID_OWNER_ENV) in (None, str(os.getpid()))


#: In a grid's sweep folder: the grid was interrupted, cells not yet started are not run.
INTERRUPTED_FILE = "INTERRUPTED"
#: In a cell's job folder while it runs: the pid of the process running it.
RUNNING_FILE = "running.pid"


def _children() -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == os.getpid():
                pids.append(int(stat.parent.name))
    return pids


def end_grid_on_signals(finish, sweep_dir: Path) -> None:
    """In the process that launches a grid's workers (joblib): on SIGTERM or SIGINT stop new
    cells, pass the signal to the workers running one (their runs end KILLED), wait for them,
    call ``finish(name)`` (the summary, the parent KILLED) and exit 128 + the signal's number.

    With the basic launcher the cells run in this process, and each job's own handlers
    (:func:`raise_on_signals`) take over.
    """
    os.environ[GRID_OWNER_ENV] = str(os.getpid())
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum, _frame) -> None:
        import time

        for sig in SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        (sweep_dir / INTERRUPTED_FILE).write_text(signal.Signals(signum).name)
        running = list(sweep_dir.glob(f"*/{RUNNING_FILE}"))
        for marker in running:
            try:
                os.kill(int(marker.read_text()), signum)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + WORKER_GRACE_S
        while time.monotonic() < deadline and any(m.exists() for m in running):
            time.sleep(0.2)
        try:
            finish(signal.Signals(signum).name)
        finally:
            for pid in _children():  # the launcher's workers, idle now, and its trackers
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            logging.shutdown()
            os._exit(128 + signum)  # joblib would wait for the workers

    for sig in SIGNALS:
        signal.signal(sig, handler)
