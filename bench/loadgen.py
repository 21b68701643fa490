"""A lean HTTP/1.1 load generator: keep-alive connections, pre-serialised requests, per-request latency.

It uses raw asyncio streams instead of an HTTP client library so that the client spends as little CPU as possible
on the same 2-core machine as the server. Every run is bounded by a request count and a wall-clock limit.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

__all__ = ["LoadResult", "run_load"]


@dataclass(frozen=True)
class LoadResult:
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: tuple[float, ...]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary(self) -> dict[str, float | int]:
        return {
            "concurrency": self.concurrency,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else float("nan"),
        }


def _request_bytes(host: str, port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    status = int(status_line.split(b" ", 2)[1])
    length = 0
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value.strip())
        elif lowered == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def _worker(
    host: str, port: int, payloads: list[bytes], counter: list[int], total: int, deadline: float, out: list[float]
) -> int:
    errors = 0
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while counter[0] < total and time.perf_counter() < deadline:
            payload = payloads[counter[0] % len(payloads)]
            counter[0] += 1
            started = time.perf_counter()
            writer.write(payload)
            await writer.drain()
            status = await _read_response(reader)
            out.append((time.perf_counter() - started) * 1000)
            if status != 200:
                errors += 1
    finally:
        writer.close()
    return errors


async def _run(
    host: str, port: int, path: str, bodies: list[bytes], concurrency: int, requests: int, max_seconds: float
) -> LoadResult:
    payloads = [_request_bytes(host, port, path, body) for body in bodies]
    latencies: list[float] = []
    counter = [0]
    started = time.perf_counter()
    deadline = started + max_seconds
    errors = await asyncio.gather(
        *(_worker(host, port, payloads, counter, requests, deadline, latencies) for _ in range(concurrency))
    )
    elapsed = time.perf_counter() - started
    return LoadResult(concurrency, len(latencies), sum(errors), elapsed, tuple(latencies))


def run_load(
    *,
    host: str,
    port: int,
    path: str,
    bodies: list[bytes],
    concurrency: int,
    requests: int,
    max_seconds: float = 60.0,
) -> LoadResult:
    """Send ``requests`` POSTs (cycling through ``bodies``) over ``concurrency`` keep-alive connections."""
    return asyncio.run(_run(host, port, path, bodies, concurrency, requests, max_seconds))
