"""Retry with back-off of steps that parallel processes race on."""

from __future__ import annotations

import pytest

from bond_default.run import retry


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(retry.time, "sleep", lambda seconds: None)


def _failing(times: int, error: BaseException):
    calls = []

    def step():
        calls.append(1)
        if len(calls) <= times:
            raise error
        return len(calls)

    return step, calls


def test_a_listed_error_is_retried_until_the_step_succeeds():
    step, calls = _failing(3, OSError("database is locked"))
    assert retry.with_backoff(step, (OSError,), "creating a store", attempts=8) == 4
    assert len(calls) == 4


def test_the_last_failure_propagates_and_other_errors_are_not_retried():
    step, calls = _failing(10, OSError("database is locked"))
    with pytest.raises(OSError):
        retry.with_backoff(step, (OSError,), "creating a store", attempts=3)
    assert len(calls) == 3
    step, calls = _failing(10, KeyError("no such study"))
    with pytest.raises(KeyError):
        retry.with_backoff(step, (OSError,), "opening a study", attempts=3)
    assert len(calls) == 1
