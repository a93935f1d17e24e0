# Everything runs inside .venv, made here from Python 3.11 and pip alone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup run test test-slow lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch first, so nothing later pulls a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

run: setup
	$(PY) train.py

# Two test processes at a time, one OpenMP thread each: the tests are mostly single-threaded
# commands, and OpenMP threads spinning against the other process make both 10x slower.
# worksteal: a process that runs out of tests takes the other's, so neither waits at the end.
# Tests marked slow (science checks that take minutes, e.g. SHAP finding the true drivers)
# run with make test-slow.
test: setup
	OMP_NUM_THREADS=1 $(PY) -m pytest -q -n auto --dist worksteal -m "not slow"

test-slow: setup
	OMP_NUM_THREADS=1 $(PY) -m pytest -q -n auto --dist worksteal -m slow

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf multirun outputs mlruns mlflow.db
