"""A real MLflow tracking server: a grid logs to it over HTTP and its REST API reads it back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import free_port, run_train


def _rest(url: str, payload: dict | None = None) -> dict:
    request = urllib.request.Request(
        url, data=None if payload is None else json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


@pytest.fixture
def tracking_server(tmp_path):
    port = free_port()
    store = tmp_path / "server"
    store.mkdir()
    mlflow_cli = Path(sys.executable).with_name("mlflow")
    server = subprocess.Popen(
        [str(mlflow_cli), "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"sqlite:///{store / 'mlflow.db'}",
         "--artifacts-destination", str(store / "artifacts"), "--workers", "1"],
        cwd=store, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"mlflow server exited: {server.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        pytest.fail("mlflow server did not answer /health within 90 s")
    yield url
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


# slow: a server and a grid (about 60 s); the refusal when the server is away is
# test_run_endings.py's, and reading runs back over REST is MLflow's own
@pytest.mark.slow
def test_a_grid_logs_to_a_tracking_server_and_reads_back_over_rest(tracking_server, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    done = run_train(["-m", "classifier=lr", "sampler=none,smote", "debug=smoke",
                      f"tracking.uri={tracking_server}", "tracking.experiment=served",
                      "tracking.log_model=false"],
                     cwd=work)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not (work / "mlflow.db").exists()  # nothing went to a local store

    api = f"{tracking_server}/api/2.0/mlflow"
    experiment = _rest(f"{api}/experiments/get-by-name?experiment_name=served")["experiment"]
    runs = _rest(f"{api}/runs/search", {"experiment_ids": [experiment["experiment_id"]],
                                        "max_results": 100})["runs"]
    tags = [{t["key"]: t["value"] for t in r["data"].get("tags", [])} for r in runs]
    children = [(r, t) for r, t in zip(runs, tags, strict=True) if "mlflow.parentRunId" in t]
    assert len(runs) == 3 and len(children) == 2
    assert all(r["info"]["status"] == "FINISHED" for r in runs)
    assert sorted(t["sampler"] for _, t in children) == ["none", "smote"]
    for run, _ in children:
        metrics = {m["key"]: m["value"] for m in run["data"]["metrics"]}
        assert 0 <= metrics["test_roc_auc"] <= 1
        # artifacts went through the server's artifact proxy
        listed = _rest(f"{api}/artifacts/list?run_id={run['info']['run_id']}")
        assert {"predictions.csv", "config.yaml", "plots"} <= {f["path"] for f in listed["files"]}
