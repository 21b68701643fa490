"""Run the osteo-cds benchmark: ``./.ci/bench`` (or ``.venv/bin/python -m bench.run``).

Measures, on loopback, bounded in time:
1. patient-view with complete prefetch for a realistic patient (60 Observations, 10 Conditions, 15 medication
   records): latency p50/p95/p99 at concurrency 1, 8 and 32 and requests per second, with the production
   server settings (``python -m app.serve --workers 2`` on the 2-core machine, as the Dockerfile runs it);
2. the same without prefetch against the local FHIR server (sekmet) behind a proxy that delays every FHIR
   response by 50 ms: end-to-end latency divided by one query's delay (the floor is one parallel round);
3. FHIR requests per hook call (one search per missing prefetch key, plus pages; no N+1);
4. memory (RSS) of the service after 1,000 and after 10,000 calls;
5. time to start the service (process start → /healthz answers);
6. where a call's CPU goes: one worker's CPU per call, the fixed cost of HTTP and request parsing (the same body
   refused with a 400), and the hook pipeline's phases as the service itself logs them ("hook answered");
7. PostgreSQL stopped for 10 s under load (bench/outage.py): 5xx answers and p50 / p99 before, during and after.
Writes ``bench/results/latest.json`` and ``bench/results/REPORT.md`` (a ``--quick`` run: ``var/bench-quick/``, or
``--output DIR``) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from app.build_info import build_name
from app.devtools.connections import connections_per_worker, free_port
from bench.loadgen import LoadResult, run_load
from bench.outage import bench_outage
from bench.outage import report_lines as outage_report_lines
from bench.patient import patient_view_request, transaction_bundle

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
"""The committed report of a full run."""
QUICK_RESULTS = ROOT / "var" / "bench-quick"
"""Where a ``--quick`` smoke run writes (git-ignored): it never overwrites the committed report."""
SERVICE_PATH = "/cds-services/osteoporosis-patient-view"
FHIR_DELAY_S = 0.050
SLOW_FHIR_DELAY_S = 0.200
"""A second, slower FHIR server (200 ms per search, common for hospital FHIR endpoints): at 50 ms the local test
server's own time (about 40 ms for the 8 searches) is as large as the delay, so the ratio also measures sekmet."""


def _service_env(workdir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSTEO_")}
    env.update(
        {
            "OSTEO_DATABASE_URL": f"sqlite:///{workdir / 'feedback.db'}",
            "OSTEO_AUTH_DISABLED_FOR_DEVELOPMENT": "true",
            "OSTEO_FHIR_SERVER_ALLOWLIST": "http://127.0.0.1",
            "OSTEO_LOG_LEVEL": "INFO",
            "PYTHONPATH": str(ROOT),  # this tree's app/: the compiled build when run from var/compiled/tree
        }
    )
    env.update(extra)
    return env


@contextmanager
def service(*, workers: int, workdir: Path, **env: str) -> Iterator[tuple[int, subprocess.Popen[bytes], float]]:
    """Start the service as in production; yields (port, process, seconds until /healthz answered). Several workers:
    ``python -m app.serve`` (the Dockerfile's command: one uvicorn process per core, SO_REUSEPORT); one worker:
    uvicorn itself (its process is the one serving, for the memory and start-up figures)."""
    port = free_port()
    python = sys.executable  # the project's .venv (./.ci/bench), also when run from the compiled copy of the tree
    if workers > 1:
        command = [python, "-m", "app.serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    else:
        command = [python, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)]
        command += ["--no-access-log"]
    log = open(workdir / f"service-{port}.log", "wb")  # noqa: SIM115 - closed in finally
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=_service_env(workdir, **env), stdout=log, stderr=log)
    try:
        ready = None
        while time.perf_counter() - started < 60:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    ready = time.perf_counter() - started
                    break
            except httpx.TransportError:
                time.sleep(0.02)
        if ready is None:
            raise RuntimeError(f"service did not start; see {log.name}")
        if workers > 1:
            time.sleep(2.0)  # let every worker finish its lifespan start-up before load arrives
        yield port, process, ready
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _bodies(count: int, **kwargs: Any) -> list[bytes]:
    return [json.dumps(patient_view_request(**kwargs)).encode() for _ in range(count)]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def bench_prefetch(workdir: Path, quick: bool) -> dict[str, Any]:
    bodies = _bodies(20)
    results = []
    with service(workers=2, workdir=workdir) as (port, process, _ready):
        run_load(host="127.0.0.1", port=port, path=SERVICE_PATH, bodies=bodies, concurrency=8, requests=300)
        for concurrency, requests in (
            (1, 300 if quick else 1000),
            (8, 600 if quick else 3000),
            (32, 600 if quick else 3000),
        ):
            split: list[int] = []
            sampler = threading.Timer(
                0.5,
                lambda found=split: found.extend(
                    sorted(connections_per_worker(process.pid, port).values(), reverse=True)
                ),
            )
            sampler.start()
            result = run_load(
                host="127.0.0.1",
                port=port,
                path=SERVICE_PATH,
                bodies=bodies,
                concurrency=concurrency,
                requests=requests,
                max_seconds=60,
            )
            sampler.cancel()
            sampler.join()
            results.append({**result.summary(), "connections_per_worker": split})
    return {"workers": 2, "runs": results}


def _one_at_a_time(port: int, body: dict[str, Any], requests: int, max_seconds: float = 60) -> LoadResult:
    """``requests`` calls of one hook request, one after the other (concurrency 1)."""
    return run_load(
        host="127.0.0.1",
        port=port,
        path=SERVICE_PATH,
        bodies=[json.dumps(body).encode()],
        concurrency=1,
        requests=requests,
        max_seconds=max_seconds,
    )


def bench_fetch(workdir: Path, quick: bool) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from app.devtools.fhir_server import FhirTestServer  # noqa: PLC0415
    from tests.integration.fault_proxy import Fault, FaultProxy  # noqa: PLC0415 - dev-only harness

    server = FhirTestServer()
    try:
        server.load_bundle(transaction_bundle())
        proxy = FaultProxy(server.base_url).start()
        try:
            body = patient_view_request(prefetch=False, fhir_server=proxy.base_url, token=server.token)
            with service(workers=1, workdir=workdir) as (port, _process, _ready):
                calls = 10 if quick else 40
                # Baselines: the same call straight to sekmet, and through the proxy without added delay. The
                # proxy itself (a pure-Python asyncio proxy in a thread of this process) costs time; what the delay
                # adds on top of it shows whether the service's searches run as one parallel round.
                direct_body = patient_view_request(prefetch=False, fhir_server=server.base_url, token=server.token)
                direct = _one_at_a_time(port, direct_body, calls)
                proxy.inject(Fault.delay(0))
                no_delay = _one_at_a_time(port, body, calls)
                proxy.inject(Fault.delay(FHIR_DELAY_S))
                before = len(proxy.requests)
                result = _one_at_a_time(port, body, calls)
                fhir_requests = (len(proxy.requests) - before) / max(result.requests, 1)
                proxy.inject(Fault.delay(SLOW_FHIR_DELAY_S))
                slow = _one_at_a_time(port, body, 5 if quick else 20)
                # Partial prefetch: only the Patient and Observations given; 6 searches expected, no pages.
                partial = patient_view_request(prefetch=True, fhir_server=proxy.base_url, token=server.token)
                for key in (
                    "conditions",
                    "medicationStatements",
                    "medicationRequests",
                    "medicationAdministrations",
                    "medicationDispenses",
                    "allergyIntolerances",
                ):
                    del partial["prefetch"][key]
                proxy.inject(Fault.delay(0))
                before = len(proxy.requests)
                partial_result = _one_at_a_time(port, partial, 10, max_seconds=30)
                partial_requests = (len(proxy.requests) - before) / max(partial_result.requests, 1)
            with service(workers=1, workdir=workdir, OSTEO_FHIR_PAGE_SIZE="5") as (port, _process, _ready):
                before = len(proxy.requests)
                paged = _one_at_a_time(port, body, 5, max_seconds=30)
                paged_requests = (len(proxy.requests) - before) / max(paged.requests, 1)
        finally:
            proxy.stop()
    finally:
        server.stop()
    summary = result.summary()
    baseline = no_delay.summary()
    return {
        "fhir_delay_ms": FHIR_DELAY_S * 1000,
        "no_prefetch": summary,
        "no_prefetch_direct_to_fhir_server_p50_ms": direct.summary()["p50_ms"],
        "no_prefetch_through_proxy_without_delay_p50_ms": baseline["p50_ms"],
        "latency_over_one_query_delay_p50": round(summary["p50_ms"] / (FHIR_DELAY_S * 1000), 2),
        "added_latency_over_one_query_delay_p50": round(
            (summary["p50_ms"] - baseline["p50_ms"]) / (FHIR_DELAY_S * 1000), 2
        ),
        "slow_fhir_delay_ms": SLOW_FHIR_DELAY_S * 1000,
        "no_prefetch_slow_server": slow.summary(),
        "latency_over_one_query_delay_p50_slow_server": round(slow.summary()["p50_ms"] / (SLOW_FHIR_DELAY_S * 1000), 2),
        "fhir_requests_per_call_no_prefetch": round(fhir_requests, 2),
        "fhir_requests_per_call_partial_prefetch": round(partial_requests, 2),
        "fhir_requests_per_call_page_size_5": round(paged_requests, 2),
        "missing_keys_no_prefetch": 8,
        "missing_keys_partial_prefetch": 6,
    }


def bench_memory(workdir: Path, quick: bool) -> dict[str, Any]:
    bodies = _bodies(20)
    with service(workers=1, workdir=workdir) as (port, process, _ready):
        run_load(host="127.0.0.1", port=port, path=SERVICE_PATH, bodies=bodies, concurrency=8, requests=1000)
        after_1k = _rss_kib(process.pid)
        run_load(
            host="127.0.0.1",
            port=port,
            path=SERVICE_PATH,
            bodies=bodies,
            concurrency=8,
            requests=3000 if quick else 9000,
            max_seconds=120,
        )
        after_10k = _rss_kib(process.pid)
    return {
        "rss_after_1000_calls_mib": round(after_1k / 1024, 1),
        "rss_after_10000_calls_mib": round(after_10k / 1024, 1),
        "growth_percent": round(100 * (after_10k - after_1k) / after_1k, 1),
        "calls_total": 4000 if quick else 10000,
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _refused(body: bytes) -> bytes:
    """The same request with an invalid ``hook``: read, parsed and validated, then answered with a 400."""
    request = json.loads(body)
    request["hook"] = 5
    return json.dumps(request).encode()


PIPELINE_PHASES = ("gather_ms", "snapshot_ms", "rules_ms", "render_ms", "total_ms")


def bench_cost(workdir: Path, quick: bool) -> dict[str, Any]:
    bodies = _bodies(20)
    calls = 300 if quick else 1000

    def load(these: list[bytes], requests: int) -> LoadResult:
        return run_load(host="127.0.0.1", port=port, path=SERVICE_PATH, bodies=these, concurrency=1, requests=requests)

    def cpu_per_call(these: list[bytes]) -> tuple[float, float]:
        """(service, load generator) CPU milliseconds per call over ``calls`` calls at concurrency 1."""
        service_before, own_before = _cpu_seconds(process.pid), _own_cpu_seconds()
        result = load(these, calls)
        per_call = 1000 / result.requests
        return (
            (_cpu_seconds(process.pid) - service_before) * per_call,
            (_own_cpu_seconds() - own_before) * per_call,
        )

    with service(workers=1, workdir=workdir) as (port, process, _ready):
        log = workdir / f"service-{port}.log"
        load(bodies, 200)  # warm-up
        logged_before = len(log.read_text(encoding="utf-8").splitlines())
        full, client = cpu_per_call(bodies)
        answered = [
            entry
            for line in log.read_text(encoding="utf-8").splitlines()[logged_before:]
            if '"hook answered"' in line and (entry := json.loads(line)).get("message") == "hook answered"
        ]
        refused, _ = cpu_per_call([_refused(body) for body in bodies])
    phases = {name: round(statistics.fmean(entry[name] for entry in answered), 2) for name in PIPELINE_PHASES}
    return {
        "calls": calls,
        "body_bytes": len(bodies[0]),
        "service_cpu_ms_per_call": round(full, 2),
        "refused_same_body_cpu_ms_per_call": round(refused, 2),
        "pipeline_ms_mean": phases,
        "rest_ms_per_call": round(full - refused - phases["total_ms"], 2),
        "load_generator_cpu_ms_per_call": round(client, 2),
        "cpu_ms_per_call_needed_for_c8_p50_10ms": round((os.cpu_count() or 1) * 10 / 8, 2),
    }


RECORD_SIZES = (10, 100, 1000, 5000)
"""Resources besides the Patient (the benchmark patient's proportions of Observations, Conditions and medication
records): the records :func:`bench_sizes` measures."""


def _gc_collections(port: int) -> int:
    """The garbage collections the (single) service process has made, all generations (its ``/metrics``:
    ``python_gc_collections_total``, which the Prometheus client exports for its own process)."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return sum(
        int(float(line.rsplit(" ", 1)[1]))
        for line in text.splitlines()
        if line.startswith("python_gc_collections_total{")
    )


def bench_sizes(workdir: Path, quick: bool) -> dict[str, Any]:
    """Service CPU per patient-view call (one worker, concurrency 1, over HTTP) for records of
    :data:`RECORD_SIZES` resources, and the cost of one more resource (least-squares slope)."""
    points = []
    with service(workers=1, workdir=workdir) as (port, process, _ready):
        for size in RECORD_SIZES:
            body = json.dumps(patient_view_request(resources=size)).encode()
            calls = max(10 if quick else 20, (2000 if quick else 8000) // size)
            run_load(host="127.0.0.1", port=port, path=SERVICE_PATH, bodies=[body], concurrency=1, requests=5)
            before, collections_before = _cpu_seconds(process.pid), _gc_collections(port)
            result = run_load(
                host="127.0.0.1", port=port, path=SERVICE_PATH, bodies=[body], concurrency=1, requests=calls
            )
            collections = _gc_collections(port) - collections_before
            points.append(
                {
                    "resources": size,
                    "body_bytes": len(body),
                    "calls": result.requests,
                    "errors": result.errors,
                    "service_cpu_ms_per_call": round((_cpu_seconds(process.pid) - before) * 1000 / result.requests, 2),
                    "gc_collections_per_call": round(collections / result.requests, 2),
                }
            )
    slope, _ = statistics.linear_regression(
        [float(point["resources"]) for point in points], [point["service_cpu_ms_per_call"] for point in points]
    )
    return {"points": points, "cpu_us_per_extra_resource": round(slope * 1000, 1)}


def bench_startup(workdir: Path) -> dict[str, Any]:
    times = []
    for _ in range(3):
        with service(workers=1, workdir=workdir) as (_port, _process, ready):
            times.append(ready)
    return {"seconds_median": round(statistics.median(times), 3), "seconds_all": [round(t, 3) for t in times]}


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit,
        "build": build_name(),  # the service runs this tree's app/ (PYTHONPATH), as imported here
    }


def report(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "# osteo-cds benchmark",
        "",
        f"Commit `{m['commit']}` on {m['cpus']} × {m['cpu']}, Python {m['python']} ({m['platform']}).",
        f"Run: `./.ci/bench{' --quick' if results['quick'] else ''}` ({results['seconds']:.0f} s). Service: the "
        "production command `python -m app.serve --workers 2` (one uvicorn process per core, each on its own "
        "SO_REUSEPORT socket; no access log, JSON INFO log to a file, SQLite feedback store, auth off for the load "
        "generator); single-worker parts run uvicorn itself. Load generator: `bench/loadgen.py` (keep-alive "
        "HTTP/1.1) on the same machine.",
        "",
        "## 1. patient-view, complete prefetch (60 Observations, 10 Conditions, 15 medication records)",
        "",
        "| concurrency | requests | errors | req/s | p50 ms | p95 ms | p99 ms | connections per worker |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in results["prefetch"]["runs"]:
        split = " / ".join(str(count) for count in run["connections_per_worker"]) or "—"
        lines.append(
            f"| {run['concurrency']} | {run['requests']} | {run['errors']} | {run['rps']} | {run['p50_ms']} | "
            f"{run['p95_ms']} | {run['p99_ms']} | {split} |"
        )
    fetch = results["fetch"]
    nopf = fetch["no_prefetch"]
    lines += [
        "",
        "Targets: p50 ≤ 10 ms and p99 ≤ 50 ms at concurrency 8; ≥ 300 requests/s. Connections per worker: the "
        "load generator's keep-alive connections held by each of the two workers half a second into the run (a "
        "connection stays with the worker that accepted it).",
        "",
        f"## 2. No prefetch: the service fetches from sekmet-fhir behind a proxy adding {fetch['fhir_delay_ms']:.0f} ms per request",
        "",
        f"Concurrency 1, {nopf['requests']} calls: p50 {nopf['p50_ms']} ms, p95 {nopf['p95_ms']} ms, p99 {nopf['p99_ms']} ms → "
        f"**{fetch['latency_over_one_query_delay_p50']} × one query's delay** end to end (target ≤ 1.5; the floor is one parallel round).",
        "",
        f"Baselines (p50): straight to sekmet {fetch['no_prefetch_direct_to_fhir_server_p50_ms']} ms; through the proxy without delay "
        f"{fetch['no_prefetch_through_proxy_without_delay_p50_ms']} ms (the pure-Python test proxy, in a thread of the benchmark process, and sekmet serving 8 searches). "
        f"What 50 ms per query adds on top: **{fetch['added_latency_over_one_query_delay_p50']} × one query's delay**, i.e. the 8 searches "
        "run as one parallel round; the rest of the end-to-end figure is the test proxy's and the test server's own time.",
        "",
        f"With {fetch['slow_fhir_delay_ms']:.0f} ms per query (a slower FHIR server; {fetch['no_prefetch_slow_server']['requests']} calls): "
        f"p50 {fetch['no_prefetch_slow_server']['p50_ms']} ms → **{fetch['latency_over_one_query_delay_p50_slow_server']} × one query's delay**.",
        "",
        "## 3. FHIR requests per hook call",
        "",
        f"- no prefetch (8 keys missing): {fetch['fhir_requests_per_call_no_prefetch']} requests per call",
        f"- partial prefetch (6 keys missing): {fetch['fhir_requests_per_call_partial_prefetch']}",
        f"- no prefetch with `_count=5` (paging): {fetch['fhir_requests_per_call_page_size_5']} (8 searches + next pages)",
        "",
        "## 4. Memory",
        "",
        f"RSS after 1,000 calls: {results['memory']['rss_after_1000_calls_mib']} MiB; after {results['memory']['calls_total']:,} calls: "
        f"{results['memory']['rss_after_10000_calls_mib']} MiB ({results['memory']['growth_percent']:+} %; target within 10 %).",
        "",
        "## 5. Start-up",
        "",
        f"Process start → `/healthz` answers: median {results['startup']['seconds_median']} s ({results['startup']['seconds_all']}).",
        "",
    ]
    cost = results["cost"]
    phases = cost["pipeline_ms_mean"]
    lines += [
        "## 6. Where a call's CPU goes (one worker, concurrency 1)",
        "",
        f"The benchmark patient's patient-view call ({cost['body_bytes']:,} bytes), {cost['calls']} calls. CPU is the "
        "worker's user + system time (`/proc`, all threads) per call; the pipeline phases are the means of the "
        'service\'s own "hook answered" log line (wall time, which at concurrency 1 is CPU time).',
        "",
        "| part | ms per call |",
        "|---|---|",
        f"| **service CPU, whole call** | **{cost['service_cpu_ms_per_call']}** |",
        f"| HTTP, routing, reading and parsing the body (the same body with an invalid `hook`, refused with a 400) | "
        f"{cost['refused_same_body_cpu_ms_per_call']} |",
        f"| hook pipeline (`run_hook`), of which: | {phases['total_ms']} |",
        f"| — prefetch into the patient record | {phases['gather_ms']} |",
        f"| — clinical snapshot (FHIR → typed facts) | {phases['snapshot_ms']} |",
        f"| — rules | {phases['rules_ms']} |",
        f"| — cards (rendering) | {phases['render_ms']} |",
        f"| the rest: snooze and override reads, issued-card writer, response serialisation, logging, GC | "
        f"{cost['rest_ms_per_call']} |",
        f"| load generator CPU (the benchmark process) | {cost['load_generator_cpu_ms_per_call']} |",
        "",
        "The load generator is closed loop, so at concurrency 8 the median latency is about 8 ÷ throughput: p50 ≤ 10 ms "
        f"needs 800 requests/s, i.e. at most {cost['cpu_ms_per_call_needed_for_c8_p50_10ms']} ms of CPU per call on "
        f"{results['machine']['cpus']} cores for the service and the load generator together.",
        "",
    ]
    if "sizes" in results:
        sizes = results["sizes"]
        lines += [
            "## 7. CPU per call by the size of the record (one worker, concurrency 1)",
            "",
            "patient-view with complete prefetch; the record holds the given number of resources besides the Patient, in "
            "the benchmark patient's proportions (60 Observations : 10 Conditions : 15 medication records).",
            "",
            "| resources | body | calls | service CPU ms per call | garbage collections per call |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {point['resources']:,} | {point['body_bytes'] / 1024:,.0f} kB | {point['calls']} | "
            f"{point['service_cpu_ms_per_call']} | {point.get('gc_collections_per_call', '–')} |"
            for point in sizes["points"]
        ]
        lines += [
            "",
            f"One more resource costs **{sizes['cpu_us_per_extra_resource']} µs** of CPU (least-squares slope; target "
            "≤ 10 µs).",
            "",
        ]
    if "outage" in results:
        lines += outage_report_lines(results["outage"])
    return "\n".join(lines)


def results_dir(*, quick: bool, output: Path | None) -> Path:
    """Where a run writes its report: ``output`` if given, else the committed ``bench/results/`` for a full run and
    the git-ignored ``var/bench-quick/`` for a ``--quick`` smoke run (whose numbers are not the reference)."""
    if output is not None:
        return output
    return QUICK_RESULTS if quick else RESULTS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run, ~1 minute)")
    parser.add_argument(
        "--only",
        choices=("prefetch", "fetch", "memory", "startup", "cost", "sizes", "outage"),
        help="run one part",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        help=f"where to write latest.json and REPORT.md (default: {RESULTS.relative_to(ROOT)}, "
        f"with --quick {QUICK_RESULTS.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick}
    with tempfile.TemporaryDirectory(prefix="osteo-bench-") as tmp:
        workdir = Path(tmp)
        parts: dict[str, Callable[[], dict[str, Any]]] = {
            "prefetch": lambda: bench_prefetch(workdir, args.quick),
            "fetch": lambda: bench_fetch(workdir, args.quick),
            "memory": lambda: bench_memory(workdir, args.quick),
            "startup": lambda: bench_startup(workdir),
            "cost": lambda: bench_cost(workdir, args.quick),
            "sizes": lambda: bench_sizes(workdir, args.quick),
            "outage": lambda: bench_outage(workdir, args.quick),
        }
        for name, part in parts.items():
            if args.only and name != args.only:
                continue
            print(f"… {name}", file=sys.stderr, flush=True)
            results[name] = part()
            print(json.dumps(results[name], indent=1), file=sys.stderr, flush=True)
    results["seconds"] = time.perf_counter() - started
    if args.only:
        print(json.dumps(results, indent=2))
        return 0
    out = results_dir(quick=args.quick, output=args.output)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    text = report(results)
    (out / "REPORT.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"Written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
