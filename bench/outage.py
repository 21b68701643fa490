"""Hook calls under load while PostgreSQL is stopped for 10 s (issue 18: cards never wait on the database).

``./.ci/bench --only outage`` (part 7 of ``bench/run.py``): the production command (``python -m app.serve
--workers 2``) on a fresh database of a throwaway PostgreSQL cluster on 127.0.0.1 (app/devtools/postgres.py; needs
``./.ci/install-postgresql``), patient-view with complete prefetch at concurrency 8 for a bounded time: a phase
before, PostgreSQL stopped (``pg_ctl stop -m immediate``) for :data:`OUTAGE_SECONDS`, restarted, a phase after.
Every response is recorded with the phase it started in; the report gives the calls, the 5xx answers, connection
failures and p50 / p99 per phase, and what ``/readyz`` said during the outage and after. Loopback only.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.loadgen import _read_response, _request_bytes

__all__ = ["OUTAGE_SECONDS", "bench_outage"]

OUTAGE_SECONDS = 10.0
CONCURRENCY = 8
PHASES = ("before", "outage", "after")


@dataclass
class _Timeline:
    phase: str = "before"
    calls: dict[str, list[tuple[int, float]]] = field(default_factory=lambda: {p: [] for p in PHASES})
    """Per phase: (status, latency ms); status 0 is a connection failure."""


async def _client(host: str, port: int, payload: bytes, timeline: _Timeline, deadline: float) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            phase = timeline.phase
            started = time.perf_counter()
            try:
                writer.write(payload)
                await writer.drain()
                status = await asyncio.wait_for(_read_response(reader), timeout=30)
            except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
                timeline.calls[phase].append((0, (time.perf_counter() - started) * 1000))
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            timeline.calls[phase].append((status, (time.perf_counter() - started) * 1000))
    finally:
        writer.close()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return round(ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))], 2)


def _summary(calls: list[tuple[int, float]]) -> dict[str, Any]:
    latencies = [ms for _, ms in calls]
    return {
        "calls": len(calls),
        "status_200": sum(1 for status, _ in calls if status == 200),
        "status_5xx": sum(1 for status, _ in calls if status >= 500),
        "connection_failures": sum(1 for status, _ in calls if status == 0),
        "p50_ms": _percentile(latencies, 50),
        "p99_ms": _percentile(latencies, 99),
        "max_ms": round(max(latencies), 2) if latencies else float("nan"),
    }


def _readiness(port: int) -> str:
    try:
        return str(httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json().get("status"))
    except (httpx.TransportError, ValueError) as error:
        return f"no answer ({type(error).__name__})"


async def _drive(port: int, body: bytes, cluster: Any, phase_seconds: float) -> dict[str, Any]:
    payload = _request_bytes("127.0.0.1", port, "/cds-services/osteoporosis-patient-view", body)
    timeline = _Timeline()
    deadline = time.perf_counter() + 2 * phase_seconds + OUTAGE_SECONDS
    clients = [
        asyncio.ensure_future(_client("127.0.0.1", port, payload, timeline, deadline)) for _ in range(CONCURRENCY)
    ]
    await asyncio.sleep(phase_seconds)
    timeline.phase = "outage"
    await asyncio.to_thread(cluster.stop)
    stopped_at = time.perf_counter()
    await asyncio.sleep(OUTAGE_SECONDS / 2)
    ready_during = await asyncio.to_thread(_readiness, port)
    await asyncio.sleep(max(0.0, stopped_at + OUTAGE_SECONDS - time.perf_counter()))
    await asyncio.to_thread(cluster.start)
    timeline.phase = "after"
    await asyncio.gather(*clients)
    await asyncio.sleep(1.0)  # the writer's retry interval is 0.2 s: the queued records are written by now
    ready_after = await asyncio.to_thread(_readiness, port)
    return {
        "concurrency": CONCURRENCY,
        "outage_seconds": OUTAGE_SECONDS,
        "phases": {phase: _summary(timeline.calls[phase]) for phase in PHASES},
        "readyz_during_outage": ready_during,
        "readyz_after": ready_after,
    }


def bench_outage(workdir: Path, quick: bool) -> dict[str, Any]:
    """Part 7 of the benchmark; ``{"skipped": reason}`` where PostgreSQL cannot be run."""
    from app.devtools.postgres import PostgresCluster, PostgresUnavailableError
    from bench.patient import patient_view_request
    from bench.run import service

    try:
        cluster = PostgresCluster()
    except PostgresUnavailableError as error:
        return {"skipped": str(error)}
    body = json.dumps(patient_view_request()).encode()
    with cluster:
        url = cluster.create_database()
        with service(workers=2, workdir=workdir, OSTEO_DATABASE_URL=url) as (port, _process, _ready):
            return asyncio.run(_drive(port, body, cluster, phase_seconds=5.0 if quick else 10.0))


def report_lines(outage: dict[str, Any]) -> list[str]:
    """Section 7 of REPORT.md."""
    if "skipped" in outage:
        return ["## 7. PostgreSQL stopped under load", "", f"Skipped: {outage['skipped']}", ""]
    lines = [
        f"## 7. PostgreSQL stopped for {outage['outage_seconds']:.0f} s under load (concurrency {outage['concurrency']})",
        "",
        "patient-view, complete prefetch, `python -m app.serve --workers 2` on PostgreSQL; each call counted in the "
        "phase it started in.",
        "",
        "| phase | calls | 200 | 5xx | connection failures | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for phase, row in outage["phases"].items():
        lines.append(
            f"| {phase} | {row['calls']} | {row['status_200']} | {row['status_5xx']} | {row['connection_failures']} | "
            f"{row['p50_ms']} | {row['p99_ms']} | {row['max_ms']} |"
        )
    lines += [
        "",
        f"`/readyz` during the outage: `{outage['readyz_during_outage']}`; after: `{outage['readyz_after']}`. "
        "Target: zero 5xx and zero connection failures in every phase.",
        "",
    ]
    return lines
