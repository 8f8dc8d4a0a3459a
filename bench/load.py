"""Load on loopback: gunicorn serving the app (PostgreSQL, Redis), a bounded load generator
hitting `/healthz` and the evaluator in turns, throughput and latency percentiles per route.

Only 127.0.0.1 is ever targeted; every phase stops after its duration. Each request opens its
own connection (gunicorn's sync workers close it after the response), so both routes pay the
same connection cost and the ratio compares what the application does behind them.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.common import Figure, percentile
from bench.seed import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
GUNICORN_WORKERS = 2
CONCURRENCY = 4
PHASE_S = 4.0
PHASES = 2  # healthz, evaluate, healthz, evaluate …


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, log: Path) -> None:
        self.log = log
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        cmd = [
            sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"{HOST}:{self.port}",
            "--workers", str(GUNICORN_WORKERS), "--log-level", "warning",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                if _request(self.port, "GET", "/healthz", None, {})[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 30 s; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _request(
    port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]
) -> tuple[int, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - start
    finally:
        conn.close()


def _phase(port: int, method: str, path: str, body: bytes | None, headers: dict[str, str],
           seconds: float) -> tuple[list[float], int]:  # fmt: skip
    """CONCURRENCY threads sending requests back to back for `seconds`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < stop_at:
            try:
                status, took = _request(port, method, path, body, headers)
            except OSError:
                bad += 1
                continue
            if status == 200:
                mine.append(took)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


def load(slug: str, api_secret: str, log: Path) -> list[Figure]:
    body = (EXAMPLES / "hybrid-past-mvp.json").read_bytes()
    json.loads(body)
    routes = {
        "healthz": ("GET", "/healthz", None, {}),
        "evaluate": (
            "POST",
            f"/api/v1/firms/{slug}/evaluate",
            body,
            {"Authorization": f"Bearer {api_secret}", "Content-Type": "application/json"},
        ),
    }
    results = {name: {"latencies": [], "errors": 0, "seconds": 0.0} for name in routes}
    with Gunicorn(log) as server:
        for method, path, data, headers in routes.values():  # warm up every worker
            _phase(server.port, method, path, data, headers, 1.0)
        for _ in range(PHASES):
            for name, (method, path, data, headers) in routes.items():
                latencies, errors = _phase(server.port, method, path, data, headers, PHASE_S)
                results[name]["latencies"].extend(latencies)
                results[name]["errors"] += errors
                results[name]["seconds"] += PHASE_S
    summary = {}
    for name, r in results.items():
        lat = r["latencies"]
        summary[name] = {
            "requests": len(lat),
            "errors": r["errors"],
            "rps": round(len(lat) / r["seconds"], 1),
            "p50_ms": round(percentile(lat, 50) * 1000, 2) if lat else None,
            "p99_ms": round(percentile(lat, 99) * 1000, 2) if lat else None,
        }
    setup = {"gunicorn_workers": GUNICORN_WORKERS, "concurrency": CONCURRENCY}
    health, evaluate = summary["healthz"], summary["evaluate"]
    return [
        Figure(
            "load: evaluate rps / healthz rps",
            round(evaluate["rps"] / health["rps"], 3) if health["rps"] else 0.0,
            0.5,
            op=">=",
            detail={**summary, **setup},
        ),
        Figure(
            "load: evaluate p99 (ms)",
            evaluate["p99_ms"] or 0.0,
            None,
            op="",
            unit="ms",
            detail={"healthz_p99_ms": health["p99_ms"]},
        ),
        Figure(
            "load: errors (both routes)",
            evaluate["errors"] + health["errors"],
            0,
            op="==",
            unit="",
        ),
    ]
