"""``python -m app.serve``: one uvicorn process per core on one port (SO_REUSEPORT), supervised.

Real processes on loopback: the supervisor is started as the Dockerfile starts it, and the tests read which worker
holds which connection from ``/proc`` (Linux, as in production).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from app.devtools.connections import connections_per_worker, free_port
from app.main import ROOT
from app.serve import STARTUP_FAILURE


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSTEO_")}
    env |= {
        "OSTEO_DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.db'}",
        "OSTEO_AUTH_DISABLED_FOR_DEVELOPMENT": "true",
        "OSTEO_INFO_SNOOZE_SECRET": "s" * 40,
    }
    return env | extra


def _serve_until_it_exits(port: int, env: dict[str, str], *, timeout: float) -> subprocess.CompletedProcess[bytes]:
    """``python -m app.serve --workers 2`` run to its end (for a service that must refuse to start)."""
    return subprocess.run(
        [sys.executable, "-m", "app.serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=timeout,
    )


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Service:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log

    def both_workers_up(self) -> bool:
        return len(self.workers()) == 2 and _answers(self.port)

    def workers(self) -> list[int]:
        """The supervisor's children that listen on the port."""
        return list(connections_per_worker(self.process.pid, self.port))


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    port = free_port()
    log = tmp_path / "service.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT,
            env=_env(tmp_path),
            stdout=out,
            stderr=out,
        )
    running = Service(process, port, log)
    try:
        _wait(running.both_workers_up, 60, "two workers answering")
        time.sleep(1.0)  # both lifespans complete (one may answer before the other)
        yield running
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(40)
            except subprocess.TimeoutExpired:
                process.kill()  # the workers follow (parent-death signal)
                process.wait(10)


def test_each_worker_takes_its_share_of_the_connections(service: Service) -> None:
    """Connections opened together, as an EHR's connection pool opens them: with uvicorn's own workers they all
    went to one worker (benchmark: 8 / 0). Here the kernel spreads them; with 24 connections both workers get some
    (the chance of all on one side is 2 in 16 million)."""
    connections = [socket.create_connection(("127.0.0.1", service.port)) for _ in range(24)]
    try:
        for conn in connections:
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        for conn in connections:
            assert conn.recv(4096).startswith(b"HTTP/1.1 200")
        held = sorted(connections_per_worker(service.process.pid, service.port).values())
    finally:
        for conn in connections:
            conn.close()

    assert sum(held) == 24
    assert len(held) == 2 and held[0] >= 1, held


def test_a_worker_that_dies_is_replaced_and_the_port_keeps_answering(service: Service) -> None:
    first, second = service.workers()

    os.kill(first, signal.SIGKILL)
    _wait(lambda: len(service.workers()) == 2 and first not in service.workers(), 30, "a new worker")
    _wait(lambda: all(_answers(service.port) for _ in range(10)), 60, "the new worker to answer")

    assert second in service.workers()
    assert service.process.poll() is None


def test_sigterm_stops_the_workers_and_the_supervisor(service: Service) -> None:
    workers = service.workers()

    service.process.send_signal(signal.SIGTERM)

    assert service.process.wait(40) == 0
    assert not any(_alive(pid) for pid in workers)
    assert b"stopping workers" in service.log.read_bytes()


def test_the_workers_stop_when_the_supervisor_is_killed(service: Service) -> None:
    """SIGKILL cannot be caught: the kernel sends each worker SIGTERM when its parent dies (no orphan keeps
    serving)."""
    workers = service.workers()

    service.process.kill()
    service.process.wait(10)

    _wait(lambda: not any(_alive(pid) for pid in workers), 40, "the workers to stop")


def test_a_port_in_use_fails_at_once(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _serve_until_it_exits(port, _env(tmp_path), timeout=60)

    assert result.returncode == 1
    assert b"cannot listen" in result.stderr


def test_an_application_that_cannot_start_stops_the_service(tmp_path: Path) -> None:
    """Authentication on and no trusted issuer: the application refuses to start; no endless restarts."""
    env = _env(tmp_path, OSTEO_REDIS_URL="redis://127.0.0.1:9/0")  # shared replay store named; never reached
    del env["OSTEO_AUTH_DISABLED_FOR_DEVELOPMENT"]
    result = _serve_until_it_exits(free_port(), env, timeout=120)

    assert result.returncode == 1
    assert b"worker failed to start; stopping" in result.stderr
    assert result.stderr.count(b"worker started") == 2
    assert f"exitcode={STARTUP_FAILURE}".encode() in result.stderr


def test_several_workers_without_a_shared_replay_store_refuse_to_start(tmp_path: Path) -> None:
    """Each worker's in-process jti cache would accept a token once per worker (issue 18, defect 3): the supervisor
    refuses before any worker starts, and says what to do."""
    env = _env(
        tmp_path,
        OSTEO_AUTH_ISSUERS='[{"iss": "https://ehr.example.org", "jwks_url": "https://ehr.example.org/jwks.json"}]',
        OSTEO_PUBLIC_BASE_URL="https://cds.example.org/osteo",
    )
    del env["OSTEO_AUTH_DISABLED_FOR_DEVELOPMENT"]
    result = _serve_until_it_exits(free_port(), env, timeout=60)

    assert result.returncode == 1
    assert b"OSTEO_REDIS_URL" in result.stderr
    assert b"worker started" not in result.stderr


def test_metrics_count_the_calls_of_both_workers(service: Service) -> None:
    """Each worker process counts in files of the supervisor's PROMETHEUS_MULTIPROC_DIR: a scrape, answered by one
    worker, reports the calls of both (with a registry per process it would report only its own)."""
    from tests.hooks.test_prefetch_states import SERVICE
    from tests.test_metrics import grew, parse, prednisone_call

    base = f"http://127.0.0.1:{service.port}"
    before = parse(httpx.get(f"{base}/metrics", timeout=10).text)
    clients = [httpx.Client(base_url=base, timeout=30) for _ in range(12)]
    try:
        for client in clients:
            assert client.post(SERVICE, json=prednisone_call()).status_code == 200
        held = sorted(connections_per_worker(service.process.pid, service.port).values())
        after = parse(httpx.get(f"{base}/metrics", timeout=10).text)
    finally:
        for client in clients:
            client.close()

    assert len(held) == 2 and held[0] >= 1, held  # both workers answered some of the calls
    calls = {"service": "osteoporosis-patient-view", "status": "200"}
    assert grew(before, after, "osteo_cds_hook_calls_total", **calls) == 12
    assert grew(before, after, "osteo_cds_hook_call_seconds_count", service="osteoporosis-patient-view") == 12
