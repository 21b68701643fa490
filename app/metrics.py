"""Prometheus metrics (``GET /metrics``, text exposition format, ``prometheus-client``).

What operations watches: hook calls and their latency per service, findings by rule, indicator and display (a
card's main finding, folded into a card, or silent-policy), FHIR requests, failures and latency per resource type,
data-unavailable searches per prefetch key, feedback outcomes per rule (with the override reason code), database
reads that failed open and writes that failed, replay-store failures, and the issued-card queue and its drops.

**No patient data in labels:** every label value is a service id from discovery, a rule id, an indicator, a
resource type, a prefetch key, an outcome, an HTTP status or an error class; a value the service did not choose
itself (an override reason code from the EHR, a prefetch key) is kept only when it looks like a code
(:func:`code_label`), else it is ``other``.

**Several worker processes** (``python -m app.serve --workers 2``): the supervisor creates a private directory and
sets ``PROMETHEUS_MULTIPROC_DIR`` for its workers before they start (the client's multiprocess mode: each process
writes its values to memory-mapped files there); ``/metrics``, answered by any worker, then adds up the files of
every worker, including those of a worker that died (its counters stay counted; its gauge is dropped). Without that
variable (one process: ``uvicorn app.main:app``, the tests), the process's own registry is served.
"""

from __future__ import annotations

import os
import re
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CONTENT_TYPE",
    "DATA_UNAVAILABLE",
    "DATABASE_FAILURES",
    "FEEDBACK_OUTCOMES",
    "FHIR_FAILURES",
    "FHIR_REQUESTS",
    "FHIR_SECONDS",
    "FINDINGS",
    "HOOK_CALLS",
    "HookMetricsMiddleware",
    "HOOK_SECONDS",
    "ISSUED_CARDS_DROPPED",
    "ISSUED_CARDS_QUEUED",
    "MULTIPROC_DIR_VARIABLE",
    "REPLAY_STORE_FAILURES",
    "code_label",
    "exposition",
]

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
OTHER = "other"
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HOOK_CALLS = Counter(
    "osteo_cds_hook_calls",
    "Hook calls answered, per CDS service and HTTP status (service 'unknown': not a service of discovery).",
    ["service", "status"],
)
HOOK_SECONDS = Histogram(
    "osteo_cds_hook_call_seconds",
    "Time to answer a hook call, per CDS service.",
    ["service"],
    buckets=_LATENCY_BUCKETS,
)
FINDINGS = Counter(
    "osteo_cds_findings",
    "Findings answered, per service, rule, indicator and display: main (the finding a card is about), folded "
    "(inside a card), silent (silent-policy rule: recorded, never shown). Cards per rule: display=main.",
    ["service", "rule", "indicator", "display"],
)
FHIR_REQUESTS = Counter(
    "osteo_cds_fhir_requests", "Requests sent to a FHIR server, per resource type.", ["resource_type"]
)
FHIR_FAILURES = Counter(
    "osteo_cds_fhir_request_failures",
    "FHIR requests that failed, per resource type and error (the typed error of app/fhir).",
    ["resource_type", "error"],
)
FHIR_SECONDS = Histogram(
    "osteo_cds_fhir_request_seconds",
    "Time of a FHIR request (answer read in full, or failure), per resource type.",
    ["resource_type"],
    buckets=_LATENCY_BUCKETS,
)
DATA_UNAVAILABLE = Counter(
    "osteo_cds_data_unavailable",
    "Prefetch keys whose data could not be obtained in a hook call (each becomes a data gap the card names).",
    ["key"],
)
FEEDBACK_OUTCOMES = Counter(
    "osteo_cds_feedback_outcomes",
    "Feedback items stored (duplicates not counted), per service, rule of each finding the card held, outcome "
    "and override reason code ('' when none; rule '(unknown)' when the card has no recorded finding).",
    ["service", "rule", "outcome", "reason"],
)
DATABASE_FAILURES = Counter(
    "osteo_cds_database_failures",
    "Database operations that failed or passed their deadline: read (failed open: cards shown), write.",
    ["operation"],
)
REPLAY_STORE_FAILURES = Counter(
    "osteo_cds_replay_store_failures",
    "Client-JWT replay checks the shared replay store (Redis) could not answer: the call was refused (fail closed).",
)
ISSUED_CARDS_QUEUED = Gauge(
    "osteo_cds_issued_cards_queued",
    "Issued-card records waiting to be written (all workers added up).",
    multiprocess_mode="livesum",
)
ISSUED_CARDS_DROPPED = Counter(
    "osteo_cds_issued_cards_dropped", "Issued-card records dropped because the writer's queue was full."
)


def code_label(value: str | None) -> str:
    """A label value the service did not choose itself: kept when it looks like a code, else ``other``."""
    if not value:
        return ""
    return value if _CODE.fullmatch(value) else OTHER


def exposition() -> bytes:
    """The text exposition: every worker's values added up in multiprocess mode, else this process's."""
    if os.environ.get(MULTIPROC_DIR_VARIABLE):
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


_HOOK_PATH = re.compile(r"/cds-services/([^/]+)")
UNKNOWN_SERVICE = "unknown"


class HookMetricsMiddleware:
    """Counts and times every hook call (``POST /cds-services/{id}``, not feedback) per service and HTTP status.
    An id that is not a service of discovery is labelled ``unknown`` (an id in a label would let any caller add
    series). A call that raises is counted as 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _HOOK_PATH.fullmatch(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        services = scope.get("state", {}).get("services", {})
        service = match.group(1) if match.group(1) in services else UNKNOWN_SERVICE
        status = 500

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, observed_send)
        finally:
            HOOK_SECONDS.labels(service).observe(time.perf_counter() - started)
            HOOK_CALLS.labels(service, str(status)).inc()
