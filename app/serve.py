"""Serve the service with one uvicorn process per core: ``python -m app.serve --workers 2`` (the Dockerfile's command).

Why not ``uvicorn --workers 2``: its workers share one listening socket. The worker that wakes first accepts every
connection waiting at that moment, and a keep-alive connection stays with the worker that accepted it, so the EHR's
(or the reverse proxy's) connections can all end up on one core. ``./.ci/bench`` saw 8 connections split 8 / 0 and
32 split 31 / 1. Here each worker listens on a socket of its own, bound to the same port with ``SO_REUSEPORT``, and
the Linux kernel spreads new connections over those sockets by a hash of their addresses.

The supervisor (this process) binds the sockets first, so a port in use fails at once; then it starts the workers
(spawned interpreters importing ``app.main:app``), starts a new one when a worker dies, and on SIGTERM or SIGINT stops
them all (uvicorn finishes the requests in flight). A worker whose application failed to start (bad settings,
database unreachable) exits with :data:`STARTUP_FAILURE`: the supervisor then stops everything and exits with status
1, since a new worker would only fail again. With client authentication on, more than one worker and no shared
replay cache (``OSTEO_REDIS_URL``), the supervisor refuses to start: each worker's own ``jti`` cache would accept
a token once per worker. Linux only (``SO_REUSEPORT`` balancing).

Metrics (``/metrics``, app/metrics.py): the supervisor gives its workers one directory for the Prometheus client's
multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``), so that whichever worker answers a scrape reports every worker's
counts: a private temporary directory, removed at exit, unless the variable is set (then its ``*.db`` files of a
previous run are removed at start). A worker that dies is marked dead there (its gauge no longer counts; its
counters do)."""

from __future__ import annotations

import argparse
import ctypes
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from pathlib import Path
from types import FrameType

import uvicorn

from app.config import get_settings
from app.logging import configure_logging

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
"""The Prometheus client's multiprocess directory (the same name as app.metrics; not imported from there, so
that the supervisor never loads the client before the variable is set)."""

__all__ = ["STARTUP_FAILURE", "WorkerOptions", "bind_sockets", "main"]

APP = "app.main:app"
BACKLOG = 2048
"""Listen queue of each socket (uvicorn's default)."""
STARTUP_FAILURE = 3
"""Exit status of a worker whose application did not start (uvicorn's own status for that)."""
RESTART_PAUSE_SECONDS = 1.0
"""A worker that keeps dying is started again at most once per this interval."""
STOP_SECONDS = 30.0
"""How long the workers get to finish their requests after SIGTERM before they are killed."""
_POLL_SECONDS = 0.2
_PR_SET_PDEATHSIG = 1
_log = logging.getLogger("osteo_cds.serve")


@dataclass(frozen=True)
class WorkerOptions:
    """The uvicorn settings of every worker (the production ones: no access log)."""

    proxy_headers: bool = False
    forwarded_allow_ips: str | None = None
    """Addresses whose ``X-Forwarded-*`` headers are trusted; ``None``: uvicorn's default (``$FORWARDED_ALLOW_IPS``
    or 127.0.0.1)."""


def bind_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on the same address, each with ``SO_REUSEPORT`` (port 0: the first one's port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]
            sock.listen(BACKLOG)
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _stop_with_parent(parent: int) -> None:
    """Ask the kernel for SIGTERM when the supervisor dies (even by SIGKILL), so that no worker is left serving on
    its own (Linux ``prctl(PR_SET_PDEATHSIG)``)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the supervisor died before the request took effect
        raise SystemExit(0)


def _worker(sock: socket.socket, options: WorkerOptions, parent: int) -> None:
    """One uvicorn server on ``sock`` (runs in a spawned process)."""
    _stop_with_parent(parent)
    config = uvicorn.Config(
        APP,
        access_log=False,
        proxy_headers=options.proxy_headers,
        forwarded_allow_ips=options.forwarded_allow_ips,
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)


class _Supervisor:
    def __init__(self, sockets: Sequence[socket.socket], options: WorkerOptions) -> None:
        self._sockets = sockets
        self._options = options
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[tuple[SpawnProcess, float]] = []
        self._stop_signal: int | None = None

    def _start(self, index: int) -> tuple[SpawnProcess, float]:
        process = self._context.Process(
            target=_worker, args=(self._sockets[index], self._options, os.getpid()), name=f"osteo-cds-worker-{index}"
        )
        process.start()
        _log.info("worker started", extra={"setting": f"worker={index} pid={process.pid}"})
        return process, time.monotonic()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._stop_signal = signum

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        self._workers = [self._start(index) for index in range(len(self._sockets))]
        status = 0
        while self._stop_signal is None and status == 0:
            time.sleep(_POLL_SECONDS)
            for index, (process, started) in enumerate(self._workers):
                if process.is_alive() or self._stop_signal is not None:
                    continue
                detail = f"worker={index} pid={process.pid} exitcode={process.exitcode}"
                if process.exitcode == STARTUP_FAILURE:
                    _log.error("worker failed to start; stopping", extra={"setting": detail})
                    status = 1
                    break
                _log.warning("worker stopped; starting a new one", extra={"setting": detail})
                _mark_dead(process.pid)
                time.sleep(max(0.0, started + RESTART_PAUSE_SECONDS - time.monotonic()))
                self._workers[index] = self._start(index)
        self._stop_all()
        return status

    def _stop_all(self) -> None:
        reason = signal.Signals(self._stop_signal).name if self._stop_signal is not None else "failure"
        _log.info("stopping workers", extra={"setting": f"reason={reason}"})
        for process, _ in self._workers:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn's graceful shutdown
        deadline = time.monotonic() + STOP_SECONDS
        for process, _ in self._workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        for sock in self._sockets:
            sock.close()


def _mark_dead(pid: int | None) -> None:
    """Drop a dead worker's live gauge files (its counters stay counted)."""
    if pid is not None and os.environ.get(MULTIPROC_DIR_VARIABLE):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


@contextmanager
def metrics_directory() -> Iterator[Path]:
    """The workers' ``PROMETHEUS_MULTIPROC_DIR``: set in this process's environment, which the spawned workers
    inherit. Created (and removed at exit) unless already set; a given one is emptied of a previous run's files."""
    given = os.environ.get(MULTIPROC_DIR_VARIABLE)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        yield path
        return
    path = Path(tempfile.mkdtemp(prefix="osteo-cds-metrics-"))
    os.environ[MULTIPROC_DIR_VARIABLE] = str(path)
    try:
        yield path
    finally:
        del os.environ[MULTIPROC_DIR_VARIABLE]
        shutil.rmtree(path, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes (one per core)")
    parser.add_argument("--proxy-headers", action="store_true", help="trust X-Forwarded-* from the reverse proxy")
    parser.add_argument("--forwarded-allow-ips", default=None, help="uvicorn's option of the same name")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    settings = get_settings()  # invalid settings fail here, before any worker starts
    configure_logging(settings.log_level)
    if args.workers > 1 and not settings.auth_disabled_for_development and settings.redis_url is None:
        _log.error(
            "refusing to start: each worker would keep its own jti replay cache, so a client JWT could be "
            "accepted once per worker. Set OSTEO_REDIS_URL (a replay cache shared by every worker and replica) "
            "or run one worker (--workers 1)",
            extra={"setting": f"workers={args.workers} replay=memory"},
        )
        return 1
    try:
        sockets = bind_sockets(args.host, args.port, args.workers)
    except OSError as exc:
        _log.error("cannot listen", extra={"setting": f"{args.host}:{args.port}: {exc.strerror}"})
        return 1
    options = WorkerOptions(proxy_headers=args.proxy_headers, forwarded_allow_ips=args.forwarded_allow_ips)
    _log.info(
        "serving",
        extra={"setting": f"{args.host}:{sockets[0].getsockname()[1]} workers={args.workers} SO_REUSEPORT"},
    )
    with metrics_directory():
        return _Supervisor(sockets, options).run()


if __name__ == "__main__":
    raise SystemExit(main())
