"""CPU cost of one hook call in process: ``python -m bench.inprocess [--calls N] [--profile] [--assessment-page]``.

Calls the ASGI application directly (no socket, no HTTP server) with the benchmark patient's patient-view request
(complete prefetch), inside the application's lifespan and with the production settings otherwise (JSON INFO log
to a file, SQLite feedback store, auth off as for the load generator, on the event loop the service's uvicorn
picks: uvloop; ``--loop asyncio`` for the standard library's). Prints milliseconds per call, wall clock and
CPU of the whole process (the median of five rounds), and what the garbage collector spent in those rounds.
``--sizes 10,100,1000,5000`` measures records of those sizes instead (the benchmark patient's proportions of
Observations, Conditions and medications), the collector's share at each, and the CPU per extra resource. With
``--profile`` it profiles the calls and prints the hottest functions. A development tool: the benchmark proper is
``bench/run.py``. It says which build it measures: the compiled build (``.ci/compiled``
builds one in ``var/compiled/tree``) is measured from that directory, ``cd var/compiled/tree &&
../../../.venv/bin/python -m bench.inprocess``.

``--parts`` says where the CPU of a call goes: the same calls, with the main parts of a call each timed by the CPU
clock of the thread that runs it (the event loop's, or a database thread's), per call, after the warm-up. A part that
awaits (the snooze read) is timed on the event loop's clock from its start to its end; the database thread's own
work is the part listed after it. The parts nest as indented; what no part covers is routing, validation, the
middleware, serialising the response and freeing the parsed body.

``--assessment-page`` measures what the assessment page adds to a call (storing it: the picture of the record, the
payload, and in the writer's thread its sealing and insert): the same calls through two applications, one with
``OSTEO_ASSESSMENT_PAGE=false``, in alternating rounds (``--rounds``, each of ``--calls`` calls; neither side always first), so that the machine's drift hits both alike; it prints the
CPU per call of each and the median of the per-round differences.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import gc
import importlib
import importlib.util
import inspect
import json
import logging
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine, MutableMapping
from pathlib import Path
from typing import Any

import app.feedback.writer as issued_card_writer
from app.build_info import build_name
from app.config import Settings
from app.main import create_app
from bench.patient import patient_view_request

PATH = "/cds-services/osteoporosis-patient-view"
WARM_UP_CALLS = 50
ROUNDS = 5
"""Timed rounds of ``--calls`` calls after the warm-up (the median and the best are printed); ``--sizes`` times as
many rounds per size."""


class CollectorMeter:
    """The garbage collector's work from :meth:`reset` on (or from its creation): its collections, the CPU the
    thread that ran each one spent in it (``gc.callbacks``, for the rest of the process), and the longest."""

    def __init__(self) -> None:
        self.collections = 0
        self.cpu = 0.0
        self.longest = 0.0
        self._started = 0.0
        gc.callbacks.append(self._observe)

    def _observe(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.thread_time()
            return
        spent = time.thread_time() - self._started
        self.collections += 1
        self.cpu += spent
        self.longest = max(self.longest, spent)

    def reset(self) -> None:
        self.collections, self.cpu, self.longest = 0, 0.0, 0.0

    def per_call(self, calls: int) -> str:
        return (
            f"garbage collector {self.cpu * 1000 / calls:.2f} ms CPU per call ({self.collections} collections in "
            f"{calls} calls, longest {self.longest * 1000:.1f} ms)"
        )


async def post(app: Any, body: bytes, state: Any, path: str = PATH) -> int:
    """POST ``body`` (JSON) to ``path`` of the ASGI application ``app`` in process, within its lifespan ``state``;
    returns the response's status (the tests call the application this way too)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": dict(state),
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _main(
    calls: int,
    profile: bool,
    exactly: int | None = None,
    resources: int | None = None,
    after_warm_up: Callable[[], None] | None = None,
) -> None:
    with tempfile.TemporaryDirectory(prefix="osteo-inprocess-") as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'feedback.db'}",
            auth_disabled_for_development=True,
            fhir_server_allowlist=["http://127.0.0.1"],
            log_level="INFO",
        )
        app = create_app(settings)
        handler = logging.FileHandler(Path(tmp) / "service.log")
        for name in ("osteo_cds", "uvicorn", "uvicorn.error"):
            logger = logging.getLogger(name)
            handler.setFormatter(logger.handlers[0].formatter if logger.handlers else None)
            logger.handlers = [handler]
        bodies = [
            json.dumps(
                patient_view_request() if resources is None else patient_view_request(resources=resources)
            ).encode()
            for _ in range(20)
        ]
        if exactly is not None:
            # An instruction count must not depend on the machine's speed: the issued-card writer then writes by
            # count (FLUSH_AT_CARDS) and when flushed below, not every FLUSH_SECONDS of the clock (under valgrind,
            # and on a busy machine, the clock would decide how many batches the same calls make).
            issued_card_writer.FLUSH_SECONDS = 24 * 3600.0
        async with app.router.lifespan_context(app) as state:
            for index in range(WARM_UP_CALLS):  # warm up
                assert await post(app, bodies[index % len(bodies)], state) == 200
            if after_warm_up is not None:
                after_warm_up()
            if exactly is not None:  # for an instruction count (see --exactly)
                assert state is not None
                await state["issued_cards"].flush()
                for index in range(exactly):
                    await post(app, bodies[index % len(bodies)], state)
                await state["issued_cards"].flush()  # the cards of these calls, written
                return
            rounds = []
            cpu = []
            collector = CollectorMeter()
            for _ in range(ROUNDS):
                started, started_cpu = time.perf_counter(), time.process_time()
                for index in range(calls):
                    await post(app, bodies[index % len(bodies)], state)
                rounds.append((time.perf_counter() - started) * 1000 / calls)
                cpu.append((time.process_time() - started_cpu) * 1000 / calls)
            print(
                f"in process: {statistics.median(rounds):.2f} ms per call, {statistics.median(cpu):.2f} ms CPU (best round "
                f"{min(rounds):.2f} ms, {min(cpu):.2f} ms CPU) "
                f"(rounds: {[round(r, 2) for r in rounds]})"
            )
            print(collector.per_call(ROUNDS * calls))
            if profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for index in range(calls):
                    await post(app, bodies[index % len(bodies)], state)
                profiler.disable()
                stats = pstats.Stats(profiler)
                stats.sort_stats("cumulative").print_stats(45)
                stats.sort_stats("tottime").print_stats(35)


async def _compare_assessment_page(calls: int, repeats: int) -> None:
    rounds: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory(prefix="osteo-inprocess-") as tmp:
        apps = {
            page: create_app(
                Settings(
                    database_url=f"sqlite:///{Path(tmp) / f'feedback-{page}.db'}",
                    auth_disabled_for_development=True,
                    fhir_server_allowlist=["http://127.0.0.1"],
                    log_level="WARNING",
                    assessment_page=page,
                )
            )
            for page in (True, False)
        }
        bodies = [json.dumps(patient_view_request()).encode() for _ in range(20)]
        async with (
            apps[True].router.lifespan_context(apps[True]) as with_page,
            apps[False].router.lifespan_context(apps[False]) as without_page,
        ):
            states = {True: with_page, False: without_page}
            for page in (True, False):
                for index in range(50):  # warm up
                    assert await post(apps[page], bodies[index % len(bodies)], states[page]) == 200
            for repeat in range(repeats):
                for page in (True, False) if repeat % 2 else (False, True):  # neither always goes first
                    started = time.process_time()
                    for index in range(calls):
                        await post(apps[page], bodies[index % len(bodies)], states[page])
                    await asyncio.sleep(0.3)  # the writer's interval: its thread's work lands in this round
                    rounds[page].append((time.process_time() - started) * 1000 / calls)
            parts = await _assessment_parts(apps[True], with_page, bodies, calls)
    differences = [on - off for on, off in zip(rounds[True], rounds[False], strict=True)]
    print(
        f"assessment page on: {statistics.median(rounds[True]):.2f} ms CPU per call, off: "
        f"{statistics.median(rounds[False]):.2f} ms; added: {statistics.median(differences):+.2f} ms "
        f"(per-round differences {[round(d, 2) for d in differences]}); best rounds: on {min(rounds[True]):.2f}, "
        f"off {min(rounds[False]):.2f} ms, added {min(rounds[True]) - min(rounds[False]):+.2f} ms"
    )
    print(
        "its parts, CPU of the thread that runs them (not disturbed by the other rounds' drift): "
        + ", ".join(f"{name} {micros:.0f} µs" for name, micros in parts.items())
        + f"; total {sum(parts.values()) / 1000:.3f} ms per call"
    )


async def _assessment_parts(app: Any, state: Any, bodies: list[bytes], calls: int) -> dict[str, float]:
    """CPU per call spent in each part of the assessment page's work, timed where it runs (the request for the
    link, the picture and the payload; the writer's thread for sealing and inserting): the functions are wrapped
    with a per-thread CPU clock for ``calls`` calls."""
    from app.assessment import AssessmentBook
    from app.hooks import routes

    spent: dict[str, float] = {"link": 0.0, "picture": 0.0, "payload": 0.0, "seal and insert": 0.0}

    originals = {name: getattr(routes, name) for name in ("new_token", "bone_health_picture", "assessment_payload")}
    insert = AssessmentBook.insert
    setattr(routes, "new_token", _timed(originals["new_token"], spent, "link"))  # noqa: B010
    setattr(routes, "bone_health_picture", _timed(originals["bone_health_picture"], spent, "picture"))  # noqa: B010
    setattr(routes, "assessment_payload", _timed(originals["assessment_payload"], spent, "payload"))  # noqa: B010
    AssessmentBook.insert = _timed(insert, spent, "seal and insert")  # type: ignore[method-assign]
    try:
        for index in range(calls):
            await post(app, bodies[index % len(bodies)], state)
        await asyncio.sleep(0.5)  # the writer's last batch
    finally:
        for name, function in originals.items():
            setattr(routes, name, function)
        AssessmentBook.insert = insert  # type: ignore[method-assign]
    return {name: seconds * 1_000_000 / calls for name, seconds in spent.items()}


async def _by_record_size(sizes: list[int]) -> None:
    """CPU per call for records of each size (resources besides the Patient, in the benchmark patient's
    proportions), and the cost of one more resource: the slope of a least-squares line through the points."""
    with tempfile.TemporaryDirectory(prefix="osteo-inprocess-") as tmp:
        app = create_app(
            Settings(
                database_url=f"sqlite:///{Path(tmp) / 'feedback.db'}",
                auth_disabled_for_development=True,
                fhir_server_allowlist=["http://127.0.0.1"],
                log_level="WARNING",
            )
        )
        points = []
        collector = CollectorMeter()
        async with app.router.lifespan_context(app) as state:
            for size in sizes:
                body = json.dumps(patient_view_request(resources=size)).encode()
                calls = max(5, min(200, 4000 // max(size, 1)))
                for _ in range(max(2, calls // 4)):  # warm up
                    assert await post(app, body, state) == 200
                cpu = []
                collector.reset()
                for _ in range(ROUNDS):
                    started = time.process_time()
                    for _ in range(calls):
                        await post(app, body, state)
                    cpu.append((time.process_time() - started) * 1000 / calls)
                points.append((size, statistics.median(cpu)))
                print(
                    f"{size:>6} resources ({len(body) / 1024:,.0f} kB): {statistics.median(cpu):8.2f} ms CPU per call; "
                    f"{collector.per_call(ROUNDS * calls)}"
                )
    slope, _ = statistics.linear_regression([float(x) for x, _ in points], [y for _, y in points])
    print(f"per extra resource: {slope * 1000:.1f} µs CPU (least squares over {len(points)} sizes)")


PARTS: tuple[tuple[str, str, str], ...] = (
    ("app.hooks.hook_route", "loads", "parsing the body"),
    ("app.hooks.routes", "run_hook", "the hook pipeline (run_hook)"),
    ("app.hooks.pipeline", "gather_patient_record", "  gathering the prefetch"),
    ("app.hooks.pipeline", "build_snapshot", "  the snapshot"),
    ("app.hooks.pipeline", "evaluate", "  the rules"),
    ("app.hooks.pipeline", "render_findings", "  the findings"),
    ("app.hooks.pipeline", "_log.info", "  the log line"),
    ("app.feedback.snooze", "InfoSnooze.apply", "the snooze read (event loop)"),
    ("app.feedback.snooze", "InfoSnooze.acknowledged_rules", "  its query (database thread)"),
    ("app.hooks.pipeline", "HookResult.answer", "the cards (layout and words)"),
    ("app.hooks.routes", "bone_health_picture", "the assessment page's picture"),
    ("app.hooks.routes", "assessment_payload", "the assessment page's payload"),
    ("app.feedback.store", "FeedbackStore.record_issued_batches", "issued cards and pages stored (writer thread)"),
)
"""``--parts``: (module, attribute path, what it is), timed where the call looks the attribute up."""


def _timed(function: Callable[..., Any], cpu: MutableMapping[str, float], name: str) -> Callable[..., Any]:
    """``function`` (a coroutine function too) adding the CPU of the thread that runs it to ``cpu[name]``."""
    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def timed_coroutine(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return await function(*args, **kwargs)
            finally:
                cpu[name] += time.thread_time() - started

        return timed_coroutine

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            cpu[name] += time.thread_time() - started

    return timed


def _parts(calls: int) -> Coroutine[Any, Any, None]:
    """Wrap :data:`PARTS` in thread-CPU timers, run the calls of :func:`_main` and print CPU per call per part."""
    cpu: defaultdict[str, float] = defaultdict(float)
    for module_name, path, name in PARTS:
        *parents, attribute = path.split(".")
        owner: Any = importlib.import_module(module_name)
        for parent in parents:
            owner = getattr(owner, parent)
        setattr(owner, attribute, _timed(getattr(owner, attribute), cpu, name))
    started_cpu = 0.0

    def start() -> None:
        nonlocal started_cpu
        cpu.clear()  # the warm-up is not counted
        started_cpu = time.process_time()

    async def run() -> None:
        await _main(calls, profile=False, after_warm_up=start)
        measured = ROUNDS * calls
        whole = (time.process_time() - started_cpu) * 1000 / measured
        print(f"CPU per call by part ({measured} calls; the whole process {whole:.2f} ms per call, all threads):")
        for _, _, name in PARTS:
            print(f"  {cpu[name] * 1000 / measured:7.3f} ms  {name}")

    return run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument(
        "--sizes",
        help="comma-separated record sizes (resources besides the Patient), e.g. 10,100,1000,5000: CPU per call each",
    )
    parser.add_argument("--rounds", type=int, default=7, help="--assessment-page: rounds of --calls calls per side")
    parser.add_argument("--profile", action="store_true", help="cProfile the calls (main thread only)")
    parser.add_argument(
        "--exactly",
        type=int,
        metavar="N",
        help="after the warm-up, exactly N calls and nothing else: run it under valgrind with N and with 0 and divide "
        "the difference of the instruction counts by N (a figure the machine's noise does not move)",
    )
    parser.add_argument(
        "--resources",
        type=int,
        metavar="R",
        help="a record of R resources in the benchmark patient's proportions instead of the benchmark patient",
    )
    parser.add_argument(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="event loop: auto (the default) picks uvloop when installed, as the service's uvicorn does",
    )
    parser.add_argument(
        "--assessment-page", action="store_true", help="CPU the assessment page adds per call (A/B, alternating)"
    )
    parser.add_argument("--parts", action="store_true", help="CPU per call of each main part of a call (thread clocks)")
    args = parser.parse_args()
    run = _runner(args.loop)
    print(f"build: {build_name()}", file=sys.stderr)
    if args.sizes:
        run(_by_record_size([int(size) for size in args.sizes.split(",")]))
    elif args.assessment_page:
        run(_compare_assessment_page(args.calls, args.rounds))
    elif args.parts:
        run(_parts(args.calls))
    else:
        run(_main(args.calls, args.profile, args.exactly, args.resources))


def _runner(loop: str) -> Callable[[Coroutine[Any, Any, None]], None]:
    """``asyncio.run`` on the chosen event loop. The service runs on uvloop (uvicorn's ``loop="auto"`` with
    ``uvicorn[standard]``), where handing the snooze lookup to a database thread costs about half of what it costs
    on asyncio's own loop (74 against 129 µs of CPU for an empty hand-off on the benchmark machine)."""
    if loop == "asyncio" or (loop == "auto" and importlib.util.find_spec("uvloop") is None):
        print("event loop: asyncio", file=sys.stderr)
        return asyncio.run
    import uvloop

    print("event loop: uvloop", file=sys.stderr)
    return uvloop.run


if __name__ == "__main__":
    main()
